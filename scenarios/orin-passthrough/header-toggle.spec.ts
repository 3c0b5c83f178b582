import { test, expect } from '../../fixtures/index.js';
import { controllerOf } from '../../harness/targets/board-profile.js';
import type { Target } from '../../harness/targets/target.js';

// seeds/orin-gpio-passthrough.txt, step 13: in the guest, export PN.01 and PBB.01, make them outputs, pulse each for
// 100 ms in turn, unexport; the analyzer on header pins 15 and 16 must see one pulse on each, in that order.
const PADS = ['PN.01', 'PBB.01'];
// A pulse lasts the requested 100 ms plus the start of the process that ends it (sleep, a second gpioset): about 1 ms
// on the Orin, tens of ms on an emulated core. So: at least 100 ms, at most 200 ms.
const PULSE = { level: 'high', count: 1, width: '150ms', tolerance: '50ms' } as const;

/** Exports the pads as outputs; returns each one's sysfs folder (named by pad on L4T kernels, gpioN elsewhere). */
async function exportOutputs(target: Target): Promise<string[]> {
  const folders: string[] = [];
  for (const pad of PADS) {
    const n = await target.sysfsNumber(pad);
    const folder = (await target.shell.check(`echo ${n} > /sys/class/gpio/export; d=/sys/class/gpio/${pad}; [ -d $d ] || d=/sys/class/gpio/gpio${n}; echo out > $d/direction; echo $d`)).trim();
    folders.push(folder);
  }
  return folders;
}

async function unexport(target: Target): Promise<void> {
  for (const pad of PADS) await target.shell.run(`echo ${await target.sysfsNumber(pad)} > /sys/class/gpio/unexport`);
}

test('sysfs: PN.01 then PBB.01 pulse 100 ms each, seen on header pins 15 and 16 in that order', async ({ target, analyzer }) => {
  try {
    const folders = await test.step('export PN.01 and PBB.01 as outputs', () => exportOutputs(target));
    const recording = await analyzer.record(PADS, 'sysfs-toggle');
    await test.step('toggle each pin for 100 ms', async () => {
      for (const folder of folders) await target.shell.check(`echo 1 > ${folder}/value; sleep 0.1; echo 0 > ${folder}/value`);
    });
    const capture = await recording.stop();
    for (const pad of PADS) expect(capture).toHavePulses(pad, PULSE);
    // PBB.01 rises only after PN.01 has fallen: the right order, and no crossed wiring.
    expect(capture).toHaveLatency('PN.01', 'PBB.01', { fromEdge: 'falling', toEdge: 'rising', max: '500ms' });
  } finally {
    await unexport(target);
  }
});

test('libgpiod: each pad pulses 100 ms on its own chip and line, in order', async ({ target, analyzer }) => {
  const recording = await analyzer.record(PADS, 'gpiod-toggle');
  for (const pad of PADS) {
    const pin = target.pin(pad);
    await test.step(`gpioset ${pad}`, () =>
      target.shell.check(`gpioset --mode=time --usec=100000 ${controllerOf(target.profile, pin).chip} ${pin.line}=1 && gpioset ${controllerOf(target.profile, pin).chip} ${pin.line}=0`));
  }
  const capture = await recording.stop();
  for (const pad of PADS) expect(capture).toHavePulses(pad, PULSE);
  expect(capture).toHaveLatency('PN.01', 'PBB.01', { fromEdge: 'falling', toEdge: 'rising', max: '500ms' });
});
