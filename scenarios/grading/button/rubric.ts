/**
 * Assignment 3, button (statement.md): count presses of a bouncing push button on QEMU virt's PL061 with a GPIO
 * interrupt and a debounce, reported by /dev/pushbutton. The host presses the button through the timed-inputs plugin, so
 * every edge of a bounce lands on its planned nanosecond of the guest's clock, however busy the host is: what the
 * module sees, and its grade, are the same on every run. Each press test counts the change from the value before it,
 * so one broken criterion does not cascade, and shows the kernel's own interrupt count on the line beside it.
 */
import { pressTrain, type PressPlan } from '../../../harness/instruments/qemu/press-train.js';
import { checkLoads, healthProblems, interruptRow, type InterruptRow } from '../../../harness/grading/module-checks.js';
import { defineAssignment, fail, pass, type RubricContext, type Verdict } from '../../../harness/grading/rubric.js';
import { SubmissionEnded } from '../../../harness/grading/session.js';
import { random } from '../../../tests/support/random.js';

const DEVICE = '/dev/pushbutton';
/** The profile's role for the host-driven input (PL061 line 5 on qemu-virt). */
const ROLE = 'input';
/** After the last release: the longest debounce the statement allows (20 ms) and then some. */
const AFTER_TRAIN_MS = 60;

const BOUNCE = { edges: [5, 20], bounceMs: 2 } as const;
const CLEAN = { edges: [1, 1], bounceMs: 2 } as const;

interface Presses {
  readonly value: number | undefined;
  readonly said: string;
  /** The count came again and again: reads never reached end of file. */
  readonly repeated: boolean;
}

/** One read of the device, bounded: a read that never reaches end of file shows as the count repeated. */
async function readPresses(context: RubricContext): Promise<Presses> {
  const read = await context.run(`head -c 64 ${DEVICE}`, { timeoutMs: 3000, maxOutput: 256 });
  const value = read.status === 0 && /^\d+\n$/.test(read.output) ? Number(read.output) : undefined;
  const said = read.status === 0 ? JSON.stringify(read.output) : `an error (status ${read.status}): ${read.output.trim().slice(0, 200)}`;
  return { value, said, repeated: read.status === 0 && /^(\d+\n){2,}/.test(read.output) };
}

/** Presses the button as `plan` says and judges the rise of the count: one per press. */
async function presses(context: RubricContext, plan: PressPlan, seed: number, described: string): Promise<Verdict> {
  const want = `${described} raise the count in ${DEVICE} by ${plan.presses}`;
  const pin = context.target.role(ROLE);
  const before = await readPresses(context);
  if (before.value === undefined) return fail(want, `reading ${DEVICE} gave ${before.said}`);
  const takenBefore = (await interruptRow(context, context.target.role(ROLE).line))?.taken;
  const train = pressTrain(plan, random(seed));
  await context.target.driveChanges(pin.name, train.changes);
  await context.settle(AFTER_TRAIN_MS);
  const after = await readPresses(context);
  if (after.value === undefined) return fail(want, `reading ${DEVICE} gave ${after.said}`);
  const takenAfter = (await interruptRow(context, context.target.role(ROLE).line))?.taken;
  const delta = after.value - before.value;
  const edges = train.changes.length;
  const interrupts = takenBefore === undefined || takenAfter === undefined
    ? `no interrupt on PL061 line ${pin.line} in /proc/interrupts`
    : `the kernel took ${takenAfter - takenBefore} interrupts on PL061 line ${pin.line}`;
  const observed = `the count rose by ${delta}, from ${before.value} to ${after.value} (${edges} edges driven; ${interrupts})`;
  if (delta === plan.presses) return pass(want, observed);
  const bouncy = plan.edges[1] > 1;
  const note = takenBefore === undefined || takenAfter === undefined
    ? 'Request the interrupt of the GPIO given by the gpio parameter (gpio_to_irq or gpiod_to_irq).'
    : delta > plan.presses && bouncy
      ? `Each press and release bounced (${Math.min(...train.bounces)} to ${Math.max(...train.bounces)} edges within ${plan.bounceMs} ms), and more than one press was counted per press: count a press only once the line has stayed high for a while (a timer restarted on every edge, as the statement describes).`
      : delta > plan.presses
        ? 'Count presses only, not releases: a press is the line going high.'
        : `Presses were lost: with presses ${plan.periodMs} ms apart (held ${plan.holdMs} ms), the debounce must not ignore the button for longer than a press or a release lasts.`;
  return fail(want, observed, { note });
}

export default defineAssignment<Record<string, never>>({
  name: 'button',
  title: 'Debounce a push button with a GPIO interrupt',
  machine: 'qemu-virt',
  moduleName: 'pushbutton',
  timeLimitMs: 45_000,
  initialState: () => ({}),
  criteria: [
    {
      id: 'loads',
      name: 'loads without error',
      points: 10,
      check: async (context) => checkLoads(context, [`gpio=${await context.target.sysfsNumber(context.target.role(ROLE).name)}`]),
    },
    {
      id: 'device',
      name: `${DEVICE} reads the count: 0 before any press`,
      points: 10,
      requires: ['loads'],
      async check(context) {
        const want = `${DEVICE} is a character device; reading it gives "0\\n" and then end of file`;
        const kind = await context.run(`test -c ${DEVICE} && echo char || ls -l ${DEVICE} 2>&1`, { maxOutput: 512 });
        if (kind.output !== 'char\n') return fail(want, `${DEVICE} is not a character device: ${kind.output.trim().slice(0, 200)}`, { note: 'Register a misc device named "pushbutton" (misc_register).' });
        const read = await readPresses(context);
        if (read.value === 0) return pass(want, `it reads ${read.said}`);
        const endless = read.repeated ? { note: 'Every read returned the count again: return 0 (end of file) once the reader has had it (simple_read_from_buffer does this).' } : {};
        return fail(want, `reading its first 64 bytes gave ${read.said}`, endless);
      },
    },
    {
      id: 'clean-presses',
      name: '5 clean presses count 5',
      points: 15,
      requires: ['loads'],
      check: (context) => presses(context, { presses: 5, periodMs: 150, holdMs: 50, ...CLEAN }, 1, '5 clean presses (one edge each way, held 50 ms, 150 ms apart)'),
    },
    {
      id: 'bouncing-presses',
      name: '8 bouncing presses count 8',
      points: 25,
      requires: ['loads'],
      check: (context) => presses(context, { presses: 8, periodMs: 150, holdMs: 50, ...BOUNCE }, 2, '8 presses bouncing 5 to 19 edges within 2 ms on press and on release (held 50 ms, 150 ms apart)'),
    },
    {
      id: 'fast-presses',
      name: '10 bouncing presses 50 ms apart count 10',
      points: 20,
      requires: ['loads'],
      check: (context) => presses(context, { presses: 10, periodMs: 50, holdMs: 20, ...BOUNCE }, 3, '10 bouncing presses 50 ms apart (held 20 ms, released 30 ms)'),
    },
    {
      id: 'unload',
      name: 'unload frees the interrupt and the device',
      points: 20,
      requires: ['loads'],
      async check(context) {
        const line = context.target.role(ROLE).line;
        const want = `rmmod ${context.module.name} exits 0; /proc/interrupts reads without error and lists no handler on PL061 line ${line}; ${DEVICE} is gone; no kernel warning`;
        const removed = await context.run(`rmmod ${context.module.name}`);
        if (removed.status !== 0) return fail(want, `rmmod exited with status ${removed.status}: ${removed.output.trim().slice(0, 300)}`);
        let left: InterruptRow | undefined;
        try {
          left = await interruptRow(context, context.target.role(ROLE).line);
        } catch (error) {
          // The handler's name lives in the unloaded module's memory: listing it faults (grading.md). The console may
          // close (QEMU exits on the panic) before the fault is seen, so ask the session rather than the error.
          const reason = error instanceof SubmissionEnded ? error.reason : context.endReason();
          if (reason === undefined) throw error;
          throw new SubmissionEnded(`after rmmod, reading /proc/interrupts crashed the kernel, which means the interrupt handler was still registered (free_irq missing on unload): ${reason}`);
        }
        const device = await context.run(`test -e ${DEVICE} && echo present || echo gone`);
        const problems = [
          ...(left?.handlers.length ? [`/proc/interrupts still lists a handler on PL061 line ${line} (${left.handlers.join(', ')})`] : []),
          ...(device.output === 'gone\n' ? [] : [`${DEVICE} is still there (misc_deregister missing on unload)`]),
          ...[healthProblems(await context.kernelHealth())].filter((p): p is string => p !== undefined),
        ];
        return problems.length ? fail(want, problems.join('; ')) : pass(want, `rmmod exited 0; /proc/interrupts reads cleanly without line ${line}; ${DEVICE} is gone; kernel clean`);
      },
    },
  ],
});
