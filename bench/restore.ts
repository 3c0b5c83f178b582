/**
 * A clean guest: a cold boot to an answering shell beside a restore of the saved, booted guest (harness/targets/
 * snapshot.ts), one machine under pinrig's own QEMU line, interleaved, median of several runs.
 * Goal (issues 11 and 12): a clean guest in under a second (0.6 s median per test for the nightly).
 * Run: npx tsx bench/restore.ts [runs] [qemu-raspi3b|qemu-raspi4b|qemu-virt]
 */
import { ensureGuestImage } from '../harness/guest/image.js';
import { QemuTarget } from '../harness/targets/qemu-target.js';
import { EMULATED } from '../harness/targets/emulated.js';
import { ensureSnapshot } from '../harness/targets/snapshot.js';
import { median, row } from './stats.js';

const runs = Number(process.argv[2] ?? 5);
const name = (process.argv[3] ?? 'qemu-raspi3b') as keyof typeof EMULATED;
const machine = EMULATED[name];
if (!machine) throw new Error(`bench/restore.ts: no machine ${name}; give one of ${Object.keys(EMULATED).join(', ')}`);
const options = { image: await ensureGuestImage({ progress: () => {} }) };
const snapshot = await ensureSnapshot(machine, options);

async function timed(restore: boolean): Promise<number> {
  const started = performance.now();
  const target = await QemuTarget.boot(machine, restore ? { ...options, restore: snapshot } : options);
  await target.shell.check('true');
  const seconds = (performance.now() - started) / 1000;
  await target.close();
  return seconds;
}

const cold: number[] = [];
const restored: number[] = [];
for (let i = 0; i < runs; i++) {
  cold.push(await timed(false));
  restored.push(await timed(true));
}
console.log(`${name}, ${runs} runs each (cold boot and restore interleaved)`);
console.log(row('cold boot to an answering shell', cold, 's', 2));
console.log(row('restore to an answering shell', restored, 's', 2));
console.log(`restore is ${(median(cold) / median(restored)).toFixed(1)}x faster than a boot`);
