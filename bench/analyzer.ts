/**
 * The virtual analyzer's error against the guest's intended timing: `gpioset --mode=time --usec=N` holds a line for N us
 * by the guest's own clock; the analyzer measures the pulse from QEMU's MMIO trace. The difference is the analyzer's
 * error plus gpioset's own work between its two register writes. Beside it, the same pulse seen by qtest output events
 * where QEMU raises them (sysfs: direction first, then value).
 * Run: npx tsx bench/analyzer.ts [runs]
 */
import { ensureGuestImage } from '../harness/guest/image.js';
import { bootRaspi3b } from '../harness/targets/qemu-raspi3b.js';
import { pulses } from '../harness/signals/measure.js';
import { median, row } from './stats.js';

const runs = Number(process.argv[2] ?? 5);
const target = await bootRaspi3b({ image: await ensureGuestImage({ progress: () => {} }) });
try {
  console.log(`virtual analyzer (QEMU MMIO trace, 1 us ticks) vs the guest's intended pulse width, ${runs} runs each`);
  for (const usec of [1000, 5000, 20000, 100000]) {
    const errors: number[] = [];
    for (let run = 0; run < runs; run++) {
      const recording = await target.record(['GPIO22']);
      await target.shell.check(`gpioset --mode=time --usec=${usec} gpiochip0 22=1`);
      const { capture } = await recording.stop();
      const [pulse] = pulses(capture.waveform, 'GPIO22', { level: 'high' }).pulses;
      errors.push(pulse!.width * 1e6 - usec);
    }
    console.log(row(`gpioset ${usec / 1000} ms: measured - intended`, errors, 'us', 0));
  }
  const gpio = await target.sysfsNumber('GPIO24');
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction`);
  const offsets: number[] = [];
  for (let run = 0; run < runs; run++) {
    const recording = await target.record(['GPIO24']);
    await target.shell.check(`echo 1 > /sys/class/gpio/gpio${gpio}/value; usleep 10000; echo 0 > /sys/class/gpio/gpio${gpio}/value`);
    const { capture, crossCheck } = await recording.stop();
    const trace = capture.waveform.channels[0]!.edges;
    const events = crossCheck!.waveform.channels[0]!.edges;
    for (let i = 0; i < Math.min(trace.length, events.length); i++) offsets.push(events[i]! - trace[i]!);
  }
  console.log(row('qtest event time - MMIO trace time, same edge', offsets, 'us', 0));
  console.log(`  median |offset| ${median(offsets.map(Math.abs)).toFixed(0)} us`);
} finally {
  await target.close();
}
