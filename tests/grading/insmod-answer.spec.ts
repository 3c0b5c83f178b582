/**
 * The answer to grading's insmod poll, read from a console the guest kernel shares with it: a module's printk can land
 * before the status line (the fake-markers sample did, and a correct answer was taken for a hung insmod).
 */
import { expect, test } from '@playwright/test';
import { insmodAnswer } from '../../harness/grading/session.js';

test('the status line is found wherever the kernel\'s messages put it, and what insmod printed follows it', () => {
  expect(insmodAnswer('status=0 initstate=live\n')).toEqual({ status: 0, initstate: 'live', output: '' });
  expect(insmodAnswer('__PRBdeadbeefdeadbeef\nall tests passed\npinrig# \nstatus=0 initstate=live\n')).toEqual({ status: 0, initstate: 'live', output: '' });
  expect(insmodAnswer('status=1 initstate=\ninsmod: ERROR: could not insert module: Invalid parameters\n')).toEqual({
    status: 1, initstate: undefined, output: 'insmod: ERROR: could not insert module: Invalid parameters',
  });
});

test('no status yet is an insmod still running, with its initstate if the kernel has one', () => {
  expect(insmodAnswer('status= initstate=coming\n')).toEqual({ status: undefined, initstate: 'coming', output: '' });
  expect(insmodAnswer('a kernel line\nstatus= initstate=\n')).toEqual({ status: undefined, initstate: undefined, output: '' });
  // Text that only contains the words is not the answer.
  expect(insmodAnswer('echo status=0 initstate=live\n').status).toBeUndefined();
});
