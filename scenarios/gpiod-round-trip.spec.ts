import { test, expect } from '../fixtures/index.js';
import { controllerOf } from '../harness/targets/board-profile.js';

test('gpioset then gpioget: a 50 ms pulse, and the guest reads back the level it set', async ({ target, analyzer }) => {
  const pin = target.role('gpiod');
  const line = `${controllerOf(target.profile, pin).chip} ${pin.line}`;
  const recording = await analyzer.record([pin.name], 'gpioset');
  // The pulse ends when gpioset releases the line (a BCM2835 pin returns to input) or when the second gpioset drives
  // it low (a PL061 line stays an output): 50 ms, plus that process's start (tens of ms on an emulated core).
  await test.step(`gpioset ${pin.name}=1 held for 50 ms, then 0`, () => target.shell.check(`gpioset --mode=time --usec=50000 ${line}=1 && gpioset ${line}=0`));
  const capture = await recording.stop();
  expect(capture).toHavePulses(pin.name, { level: 'high', count: 1, width: '100ms', tolerance: '50ms' });

  await test.step('gpioget reads 0 after gpioset 0', async () => {
    expect((await target.shell.check(`gpioget ${line}`)).trim()).toBe('0');
  });
});
