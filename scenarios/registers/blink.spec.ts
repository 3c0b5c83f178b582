import { test, expect, requiresBcmRegisters } from '../../fixtures/index.js';

requiresBcmRegisters('the procedure is written for the BCM2835/BCM2711 registers (GPFSEL, GPSET, GPCLR, GPLEV)');

// The seed's way: no GPIO driver, only the controller's registers. The pulses are timed in the guest (usleep): a high
// pulse is the 20 ms wait plus the GPLEV read and the GPCLR0 access, about 5 ms on an emulated core (25.0 ms
// measured on raspi3b and raspi4b), well under 1 ms on a board.
test('blink by register access alone: GPFSEL to output, 5 pulses by GPSET/GPCLR, GPLEV read at each level', async ({ target, registers, analyzer }) => {
  const led = target.role('blink');
  const bit = 1 << led.line;
  await test.step(`GPFSEL: ${led.name} becomes an output, latch low`, async () => {
    await registers.set('GPCLR0', bit);
    await registers.selectFunction(led.name, 'output');
  });

  const recording = await analyzer.record([led.name], 'register-blink');
  const levels = await test.step('5 times: GPSET0, read GPLEV0, wait 20 ms, GPCLR0, read GPLEV0, wait 20 ms', () =>
    registers.batch((b) => {
      for (let pulse = 0; pulse < 5; pulse++) {
        b.set('GPSET0', bit);
        b.read('GPLEV0');
        b.wait('20ms');
        b.set('GPCLR0', bit);
        b.read('GPLEV0');
        b.wait('20ms');
      }
    }));
  const capture = await recording.stop();

  // What the guest read back, what the model predicts from the writes, and what the analyzer captured agree.
  expect(levels.map((value) => (value >>> led.line) & 1)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
  expect(registers.predicted(led.name).slice(-10)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
  expect(capture).toHaveEdgeCount(led.name, 10);
  expect(capture).toHavePulses(led.name, { level: 'high', count: 5, width: '25ms', tolerance: '5ms', judge: 'median' });
  if (capture.qemuEvents) expect(capture.qemuEvents[led.name]).toEqual(registers.predicted(led.name).slice(-10));
  // Every write the scenario made reached the controller as written, in order (the analyzer's own register log).
  if (capture.registerLog.length) expect(capture.registerLog.map((e) => e.description)).toEqual(registers.writes.slice(-10));
  expect(registers.warnings).toEqual([]);
});
