import { test, expect, requires } from '../fixtures/index.js';

requires('registerLog');

test('the waveform the model predicts from the guest\'s stores matches QEMU\'s own output events', async ({ gpio, analyzer }) => {
  const out = await gpio.output('prediction');
  const recording = await analyzer.record([out], 'prediction');
  await test.step('5 pulses of 20 ms', () => out.train({ count: 5, width: '20ms' }));
  const capture = await recording.stop();
  expect(capture).toHaveEdgeCount(out.name, 10);
  // QEMU's own output events (undated in virtual time) must report the same levels in the same order.
  expect(capture.qemuEvents![out.name]).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
});

// About libgpiod's own order of writes, so it runs gpioset itself rather than the gpio verbs.
test.describe(() => {
  test.skip(({ hardware }) => !hardware.name.startsWith('qemu-raspi'), 'a quirk of QEMU\'s BCM2835 model: its PL061 raises the event');
  test('gpioset drives a pin high where QEMU raises no output event, and the model still sees it', async ({ target, analyzer }) => {
    const pin = target.role('gpioset');
    const recording = await analyzer.record([pin.name], 'gpioset-unseen-by-qtest');
    // libgpiod writes the level before the function (GPCLR/GPSET, then GPFSEL), so QEMU never sees a level change.
    await target.shell.check(`gpioset --mode=time --usec=30000 ${target.profile.controller.chip} ${pin.line}=1`);
    const capture = await recording.stop();
    expect(capture).toHavePulses(pin.name, { level: 'high', count: 1, width: '30ms', tolerance: '30%' });
    expect(capture.qemuEvents![pin.name]).toEqual([]);
    expect(capture.registerLog.map((e) => e.description)).toContainEqual(expect.stringMatching(new RegExp(`GPFSEL\\d ← .*${pin.name} → output`)));
  });
});
