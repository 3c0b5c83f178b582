import { test, expect } from '../fixtures/index.js';

// Each pause is a `sleep` of its own: under TCG its start adds a few milliseconds to a pulse (now and then twenty),
// hence 100 ms pulses judged on the median with a 15% tolerance (on a real Pi the overhead is well under 1%).
test('blink: 10 pulses of 100 ms, timed by the guest', async ({ gpio, analyzer }) => {
  const led = await gpio.output('blink');
  const recording = await analyzer.record([led], 'blink');
  await test.step('blink 10 times', () => led.train({ count: 10, width: '100ms' }));
  const capture = await recording.stop();

  expect(capture).toHavePulses(led.name, { level: 'high', count: 10, width: '100ms', tolerance: '15%', judge: 'median' });
  expect(capture).toHaveFrequency(led.name, '5Hz', { tolerance: '15%' });
  expect(capture).toHaveDutyCycle(led.name, '50%', { tolerance: '5%' });
});
