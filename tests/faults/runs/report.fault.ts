import { test, expect } from '../../../fixtures/index.js';

// Scenarios that fail on purpose so that their report pages can be looked at (tests/report/report-pages.spec.ts).

test('blink: pulses of a width the guest does not make', async ({ target, analyzer }) => {
  const led = target.role('blink').name;
  const gpio = await target.sysfsNumber(led);
  const pin = `/sys/class/gpio/gpio${gpio}`;
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > ${pin}/direction`);
  const recording = await analyzer.record([led], 'blink');
  await target.shell.check(`for i in 1 2 3 4 5; do echo 1 > ${pin}/value; usleep 20000; echo 0 > ${pin}/value; usleep 20000; done`);
  const capture = await recording.stop();
  expect(capture).toHavePulses(led, { level: 'high', count: 5, width: '10ms', tolerance: '5%' });
});

test('latency: an answer slower than allowed', async ({ target, analyzer }) => {
  const [a, b] = [target.role('blink').name, target.role('toggle').name];
  const [ga, gb] = [await target.sysfsNumber(a), await target.sysfsNumber(b)];
  await target.shell.check(`for g in ${ga} ${gb}; do echo $g > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio$g/direction; done`);
  const recording = await analyzer.record([a, b], 'stimulus-and-answer');
  await target.shell.check(`for i in 1 2 3; do echo 1 > /sys/class/gpio/gpio${ga}/value; echo 1 > /sys/class/gpio/gpio${gb}/value; echo 0 > /sys/class/gpio/gpio${ga}/value; echo 0 > /sys/class/gpio/gpio${gb}/value; done`);
  const capture = await recording.stop();
  expect(capture).toHaveLatency(a, b, { max: '1us' });
});
