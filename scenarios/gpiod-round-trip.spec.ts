import { test, expect } from '../fixtures/index.js';

test('gpioset then gpioget: the guest reads back the level it set on GPIO22', async ({ target, analyzer }) => {
  const recording = await analyzer.record(['GPIO22'], 'gpioset');
  await test.step('gpioset GPIO22=1 held for 50 ms', () => target.shell.check('gpioset --mode=time --usec=50000 gpiochip0 22=1'));
  const capture = await recording.stop();
  expect(capture).toHavePulses('GPIO22', { level: 'high', count: 1, width: '50ms', tolerance: '20%' });

  await test.step('gpioset GPIO22=0, gpioget reads 0', async () => {
    await target.shell.check('gpioset gpiochip0 22=0');
    expect((await target.shell.check('gpioget gpiochip0 22')).trim()).toBe('0');
  });
  // Released lines return to input (pinctrl-bcm2835 frees them), so the model ends with GPIO22 an input.
  expect(target.model.direction(22)).toBe('in');
});
