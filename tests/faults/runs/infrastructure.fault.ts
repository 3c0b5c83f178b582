import { test } from '../../../fixtures/index.js';

test('a scenario whose machine cannot start', async ({ target }) => {
  await target.shell.check('true');
});
