// Bundles harness/cli/pinrig.ts into .cache/cli/ with esbuild: one file per subcommand's code (split at its dynamic
// import), packages left to node_modules. Run by the set-up and by bin/pinrig.js when a source changed.
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

export async function buildCli(root) {
  await rm(path.join(root, '.cache', 'cli'), { recursive: true, force: true });
  await build({
    entryPoints: { pinrig: path.join(root, 'harness', 'cli', 'pinrig.ts') },
    outdir: path.join(root, '.cache', 'cli'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Packages go into the bundle (one file to load is faster to start), but for those with native parts or loaders.
    external: ['tsx', 'ssh2', 'serialport', 'cpu-features', 'esbuild'],
    // CommonJS packages in an ESM bundle call require() for Node's modules.
    banner: { js: "import { createRequire as __pinrigRequire } from 'node:module'; const require = __pinrigRequire(import.meta.url);" },
    logLevel: 'error',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildCli(path.resolve(import.meta.dirname, '..'));
