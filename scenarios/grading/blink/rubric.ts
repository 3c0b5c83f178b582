/**
 * Assignment 1, blink (statement.md): /dev/blink toggles BCM GPIO17 by driving the BCM2835 registers directly.
 * The pin is observed by the QEMU probe (every store the guest makes to the GPIO block, in virtual time, through the
 * register model), so what counts is what the module wrote to the hardware, not what it claims.
 */
import { checkLoads, healthProblems } from '../../../harness/grading/module-checks.js';
import { judgeSquareWave, judgeStoppedLow } from '../../../harness/grading/pin-checks.js';
import { defineAssignment, fail, pass, type RubricContext, type Verdict } from '../../../harness/grading/rubric.js';
import type { Waveform } from '../../../harness/signals/waveform.js';

const PIN = 'GPIO17';
const DEVICE = '/dev/blink';
const TOLERANCE = 0.1;

interface BlinkState {
  /** Whether GPIO17 was ever seen toggling: stopping is only shown on a pin that ran. */
  toggled: boolean;
}

/** Writes `text` + newline to /dev/blink; the failure, in the student's terms, if the write was refused. */
async function write(context: RubricContext, value: number): Promise<string | undefined> {
  const result = await context.run(`echo ${value} > ${DEVICE}`);
  return result.status === 0 ? undefined : `writing "${value}\\n" to ${DEVICE} failed (status ${result.status}): ${result.output.trim().slice(0, 300)}`;
}

/** Records GPIO17 for `ms` and returns what it did. */
async function record(context: RubricContext, ms: number): Promise<Waveform> {
  const recording = await context.target.record([PIN]);
  await context.settle(ms);
  return (await recording.stop()).capture.waveform;
}

/** Why the pin may stay silent, from the register model: the function GPFSEL gives it. */
function silentBecause(context: RubricContext): string | undefined {
  const line = context.target.pin(PIN).line;
  const direction = context.target.model.direction(line);
  return direction === 'out' ? undefined : `${PIN} is ${direction === 'in' ? 'an input' : 'set to an alternate function'} (GPFSEL1 bits 21-23), so the GPSET/GPCLR writes cannot reach it`;
}

function halfPeriodCriterion(id: string, points: number, halfPeriodMs: number, recordMs: number) {
  return {
    id,
    name: `half-period ${halfPeriodMs} ms within ±10% over at least 10 periods`,
    points,
    requires: ['device'],
    async check(context: RubricContext, state: BlinkState): Promise<Verdict> {
      const refused = await write(context, halfPeriodMs);
      if (refused) return fail(`${PIN} toggling every ${halfPeriodMs} ms`, refused);
      await context.settle(Math.max(60, 2 * halfPeriodMs)); // past the first, partial half-period
      const waveform = await record(context, recordMs);
      const edges = waveform.channels[0]!.edges.length;
      state.toggled ||= edges >= 2;
      const title = `${PIN} after "echo ${halfPeriodMs} > ${DEVICE}": observed (solid) vs ${halfPeriodMs} ms half-period (dashed)`;
      const because = silentBecause(context);
      return judgeSquareWave(waveform, { channel: PIN, halfPeriodMs, tolerance: TOLERANCE, minHalfPeriods: 20, ...(because ? { silentBecause: because } : {}) }, title);
    },
  };
}

export default defineAssignment<BlinkState>({
  name: 'blink',
  title: 'Blink GPIO17 from a character device',
  machine: 'qemu-raspi3b',
  moduleName: 'blink',
  timeLimitMs: 60_000,
  initialState: () => ({ toggled: false }),
  criteria: [
    {
      id: 'loads',
      name: 'loads without error',
      points: 10,
      check: (context) => checkLoads(context),
    },
    {
      id: 'device',
      name: `${DEVICE} exists`,
      points: 10,
      requires: ['loads'],
      async check(context) {
        const want = `${DEVICE}, a character device`;
        const found = await context.run(`if [ -c ${DEVICE} ]; then echo char; elif [ -e ${DEVICE} ]; then echo other; else echo none; fi`);
        const kind = found.output.trim();
        if (kind === 'char') return pass(want, `${DEVICE} is a character device`);
        return fail(want, kind === 'other' ? `${DEVICE} exists but is not a character device` : `there is no ${DEVICE} (register a misc device named "blink")`);
      },
    },
    halfPeriodCriterion('half-period-50', 30, 50, 1300),
    halfPeriodCriterion('half-period-10', 20, 10, 500),
    {
      id: 'stop',
      name: 'writing 0 stops with the pin low',
      points: 10,
      requires: ['device'],
      async check(context, state) {
        const want = `after "echo 0 > ${DEVICE}", ${PIN} stays low with no edges`;
        // Runs after the timing tests, which leave the pin toggling: stopping is only shown on a pin that ran.
        if (!state.toggled) return fail(want, `${PIN} never toggled in the tests before, so stopping it could not be shown`);
        const refused = await write(context, 0);
        if (refused) return fail(want, refused);
        await context.settle(150); // a half-period in flight may still end
        const waveform = await record(context, 500);
        const level = context.target.model.level(context.target.pin(PIN).line);
        return judgeStoppedLow(waveform, PIN, level, `${PIN} from 150 ms after "echo 0 > ${DEVICE}": observed (solid) vs stopped low (dashed)`);
      },
    },
    {
      id: 'read',
      name: 'reading returns the value written',
      points: 5,
      requires: ['device'],
      async check(context) {
        const seen: string[] = [];
        for (const value of [50, 10, 0]) {
          const refused = await write(context, value);
          if (refused) return fail(`reading ${DEVICE} after writing ${value} gives "${value}\\n"`, refused);
          const read = await context.run(`head -c 64 ${DEVICE}`, { timeoutMs: 3000 });
          seen.push(JSON.stringify(read.output));
          if (read.status !== 0 || read.output !== `${value}\n`) {
            return fail(`reading ${DEVICE} after writing ${value} gives "${value}\\n"`, `it gave ${JSON.stringify(read.output)}${read.status ? ` (status ${read.status})` : ''}`);
          }
        }
        return pass('reading gives back each value written, as decimal text and a newline', `after 50, 10, 0: ${seen.join(', ')}`);
      },
    },
    {
      id: 'unload',
      name: 'unload leaves GPIO17 an input and the kernel without warnings',
      points: 15,
      requires: ['loads'],
      async check(context) {
        const want = `rmmod ${context.module.name} exits 0; ${PIN} stops and is an input; no kernel warning`;
        const refused = await write(context, 10);
        if (refused) return fail(want, refused);
        const removed = await context.run(`rmmod ${context.module.name}`, { timeoutMs: 5000 });
        if (removed.status !== 0) return fail(want, `rmmod exited with status ${removed.status}: ${removed.output.trim().slice(0, 300)}`);
        const waveform = await record(context, 300);
        const edges = waveform.channels[0]!.edges.length;
        const direction = context.target.model.direction(context.target.pin(PIN).line);
        const problems = [
          ...(edges ? [`${PIN} still toggled after unload (${edges} edges in 300 ms)`] : []),
          ...(direction !== 'in' ? [`${PIN} is left ${direction === 'out' ? 'an output' : 'an alternate function'} (GPFSEL1 bits 21-23 should be 000)`] : []),
          ...[healthProblems(await context.kernelHealth())].filter((p): p is string => p !== undefined),
        ];
        const evidence = [{ title: `${PIN} after rmmod`, observed: waveform }];
        return problems.length ? fail(want, problems.join('; '), { evidence }) : pass(want, `rmmod exited 0; ${PIN} is an input and silent; kernel clean`, { evidence });
      },
    },
  ],
});
