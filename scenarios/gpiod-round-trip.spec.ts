import { test, expect } from '../fixtures/index.js';

test('a 50 ms pulse, and the guest reads back each level it sets', async ({ gpio, analyzer }) => {
  const pin = await gpio.output('gpiod');
  const recording = await analyzer.record([pin], 'pulse');
  await test.step(`pulse ${pin.name} high for 50 ms`, () => pin.pulse('50ms'));
  const capture = await recording.stop();
  // 50 ms plus the start of the `sleep` that times it (a few ms on an emulated core).
  expect(capture).toHavePulses(pin.name, { level: 'high', count: 1, width: '50ms', tolerance: '20ms' });

  for (const level of [1, 0] as const) {
    await test.step(`set ${level}, read ${level}`, async () => {
      await pin.set(level);
      expect(await pin.get()).toBe(level);
    });
  }
});
