import { expect } from '@playwright/test';
import { test } from '../../../fixtures/index.js';

test('a scenario that fails midway, leaving a pin exported, a file and a background job', async ({ target }) => {
  const gpio = await target.sysfsNumber('GPIO17');
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction; echo 1 > /sys/class/gpio/gpio${gpio}/value`);
  await target.shell.check('echo left-behind > /tmp/mark; (while :; do sleep 1; done) & echo started');
  expect(1, 'failing before any clean-up').toBe(2);
});

test('the next scenario finds none of it', async ({ target }) => {
  const gpio = await target.sysfsNumber('GPIO17');
  const left = await target.shell.check(`ls /sys/class/gpio/gpio${gpio} 2>/dev/null; cat /tmp/mark 2>/dev/null; ps | grep '[s]leep 1' || true`);
  expect(left, 'what the previous scenario left').toBe('');
});
