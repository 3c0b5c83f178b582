import { test } from '../../../fixtures/index.js';

test('the worker process dies abruptly with a guest running', async ({ target }) => {
  await target.shell.check('true');
  process.kill(process.pid, 'SIGKILL');
});
