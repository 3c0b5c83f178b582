/**
 * The QEMU probe's error against the guest's own intended timing, in virtual time, idle and with every host core busy.
 * `gpioset --mode=time --usec=N` holds a line for N us by the guest's clock; the probe measures the pulse from the
 * plugin's store records. What is left (measured - intended) is gpioset's own code path between its two register
 * writes, counted in guest instructions (1 ns each under icount shift=0): no host component, so idle and loaded agree.
 * Run: npx tsx bench/analyzer.ts [runs]
 */
import { ensureGuestImage } from '../harness/guest/image.js';
import { bootRaspi3b } from '../harness/targets/qemu-raspi3b.js';
import type { QemuTarget } from '../harness/targets/qemu-target.js';
import { pulses } from '../harness/signals/measure.js';
import { loaded } from './cpu-hogs.js';
import { median, row } from './stats.js';

const runs = Number(process.argv[2] ?? 5);
const WIDTHS_US = [1000, 5000, 20000, 100000];

async function errorsUs(target: QemuTarget, usec: number): Promise<number[]> {
  const errors: number[] = [];
  for (let run = 0; run < runs; run++) {
    const recording = await target.record(['GPIO22']);
    await target.shell.check(`gpioset --mode=time --usec=${usec} gpiochip0 22=1`);
    const { capture } = await recording.stop();
    const [pulse] = pulses(capture.waveform, 'GPIO22', { level: 'high' }).pulses;
    errors.push(pulse!.width * 1e6 - usec);
  }
  return errors;
}

const target = await bootRaspi3b({ image: await ensureGuestImage({ progress: () => {} }) });
try {
  console.log(`QEMU probe (plugin records, virtual ns) vs the guest's intended pulse width: measured - intended, ${runs} runs each`);
  for (const usec of WIDTHS_US) {
    const idle = await errorsUs(target, usec);
    const busy = await loaded(() => errorsUs(target, usec));
    console.log(row(`gpioset ${usec / 1000} ms, idle host`, idle, 'us', 3));
    console.log(row(`gpioset ${usec / 1000} ms, every core busy`, busy, 'us', 3));
    const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
    console.log(`  idle vs loaded: median differs by ${Math.abs(median(idle) - median(busy)).toFixed(3)} us; run-to-run spread ${spread(idle).toFixed(3)} / ${spread(busy).toFixed(3)} us`);
  }
} finally {
  await target.close();
}

