/**
 * Builds (or finds) the guest image and the QEMU plugin: `npx tsx harness/guest/build.ts [--out DIR]`.
 * Progress goes to stderr; the image's description (paths, kernel release, package versions) to stdout as JSON.
 */
import { parseArgs } from 'node:util';
import { ensureGuestImage } from './image.js';
import { ensureGpioStoresPlugin } from './qemu-plugin.js';

const USAGE = 'usage: tsx harness/guest/build.ts [--out DIR]   (default DIR: .cache/guest/<key>)';

async function main(): Promise<void> {
  let out: string | undefined;
  try {
    ({ values: { out } } = parseArgs({ options: { out: { type: 'string' } } }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`);
  }
  const image = await ensureGuestImage(out === undefined ? {} : { dir: out });
  const plugin = await ensureGpioStoresPlugin();
  process.stdout.write(`${JSON.stringify({ ...image, plugin }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`guest image: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
