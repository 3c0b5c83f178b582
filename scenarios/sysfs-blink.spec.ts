import { test, expect } from '../fixtures/index.js';

// usleep is a process of its own: under TCG its start-up adds a few milliseconds to each pulse (and now and then a
// slow start adds twenty), hence 100 ms pulses judged on the median with a 15% tolerance (on a real Pi the overhead
// is well under 1%).
test('blink through sysfs: 10 pulses of 100 ms', async ({ target, analyzer }) => {
  const led = target.role('blink').name;
  const gpio = await target.sysfsNumber(led);
  const pin = `/sys/class/gpio/gpio${gpio}`;
  await test.step(`export ${led} as an output`, () => target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > ${pin}/direction`));
  try {
    const recording = await analyzer.record([led], 'blink');
    await test.step('blink 10 times', () =>
      target.shell.check(`i=0; while [ $i -lt 10 ]; do echo 1 > ${pin}/value; usleep 100000; echo 0 > ${pin}/value; usleep 100000; i=$((i+1)); done`, { timeoutMs: 10_000 }));
    const capture = await recording.stop();

    expect(capture).toHavePulses(led, { level: 'high', count: 10, width: '100ms', tolerance: '15%', judge: 'median' });
    expect(capture).toHaveFrequency(led, '5Hz', { tolerance: '15%' });
    expect(capture).toHaveDutyCycle(led, '50%', { tolerance: '5%' });
  } finally {
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/unexport`);
  }
});
