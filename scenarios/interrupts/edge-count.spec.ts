import { test, expect } from '../../fixtures/index.js';
import { lacks, type Target } from '../../harness/targets/target.js';
import { latency } from '../../harness/signals/measure-latency.js';
import { formatTime } from '../../harness/signals/units.js';

test.beforeEach(({ target }) => {
  test.skip(lacks(target, 'interrupts') !== false, String(lacks(target, 'interrupts')));
});

/** Waits (bounded, 3 s) until something in the guest has requested the line's interrupt, e.g. gpiomon has started. */
async function armed(target: Target, line: number): Promise<void> {
  const listed = `grep -q '${target.profile.controller.chip} *${line} ' /proc/interrupts`;
  await target.shell.check(`i=0; while ! ${listed} && [ $i -lt 300 ]; do usleep 10000; i=$((i+1)); done; ${listed}`);
}

async function driveEdges(target: Target, pin: string, count: number, spacingMs: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await target.drive(pin, 1);
    await new Promise((r) => setTimeout(r, spacingMs / 2));
    await target.drive(pin, 0);
    await new Promise((r) => setTimeout(r, spacingMs / 2));
  }
}

test('the host drives 20 rising edges 10 ms apart and the guest counts 20 with gpiomon', async ({ target, analyzer }) => {
  const input = target.role('input');
  const line = input.line;
  await target.drive(input.name, 0);
  await test.step('gpiomon waits for 20 rising edges', async () => {
    await target.shell.check(`gpiomon --num-events=20 --rising-edge gpiochip0 ${line} > /tmp/events 2>&1 & echo $! > /tmp/gpiomon.pid`);
    await armed(target, line);
  });
  const recording = await analyzer.record([input.name], 'driven-edges');
  await test.step('host drives 20 edges', () => driveEdges(target, input.name, 20, 10));
  const capture = await recording.stop();
  expect(capture).toHaveEdgeCount(input.name, 20, { direction: 'rising' });

  const events = await test.step('gpiomon reported every edge and exited', async () => {
    await target.shell.check('i=0; while kill -0 $(cat /tmp/gpiomon.pid) 2>/dev/null && [ $i -lt 100 ]; do usleep 20000; i=$((i+1)); done');
    return (await target.shell.check('cat /tmp/events')).split('\n').filter((l) => l.includes('RISING EDGE'));
  });
  expect(events).toHaveLength(20);
});

test('latency from a host edge to the guest\'s answer on another pin', async ({ target, analyzer }) => {
  const [inputPin, answerPin] = [target.role('input'), target.role('answer')];
  const input = inputPin.line;
  const output = `/sys/class/gpio/gpio${await target.sysfsNumber(answerPin.name)}`;
  await target.drive(inputPin.name, 0);
  await target.shell.check(`echo ${await target.sysfsNumber(answerPin.name)} > /sys/class/gpio/export; echo out > ${output}/direction`);
  try {
    // Each rising edge on the input is answered by a pulse on the answer pin: gpiomon waits for one edge, then the
    // shell answers (gpiomon buffers its output into a pipe, so it is run once per edge rather than read line by
    // line). The loop runs until told to stop: arming gpiomon can report a stale edge at once, which then only adds an
    // answer before the first driven edge instead of leaving the last one unanswered.
    const answering = (await target.shell.check(
      `rm -f /tmp/answer-stop; (while [ ! -e /tmp/answer-stop ]; do gpiomon -n 1 -r gpiochip0 ${input} > /dev/null && { echo 1 > ${output}/value; echo 0 > ${output}/value; }; done) > /dev/null 2>&1 & echo $!`,
    )).trim();
    const recording = await analyzer.record([inputPin.name, answerPin.name], 'latency');
    for (let i = 0; i < 10; i++) {
      await armed(target, input);
      await driveEdges(target, inputPin.name, 1, 40);
    }
    await target.shell.check('touch /tmp/answer-stop; usleep 100000'); // the last answer comes within the bound
    const capture = await recording.stop();
    // One more edge, unrecorded, lets the loop's last gpiomon return and see the stop file.
    await armed(target, input);
    await driveEdges(target, inputPin.name, 1, 40);
    await target.shell.check(`i=0; while kill -0 ${answering} 2>/dev/null && [ $i -lt 100 ]; do usleep 20000; i=$((i+1)); done`);

    expect(capture).toHaveLatency(inputPin.name, answerPin.name, { fromEdge: 'rising', toEdge: 'rising', max: '40ms' });
    const measured = latency(capture.waveform, inputPin.name, answerPin.name, { fromEdge: 'rising', toEdge: 'rising' });
    expect(measured.count).toBe(10);
    test.info().annotations.push({ type: 'latency', description: `median ${formatTime(measured.median)}, max ${formatTime(measured.max)} over ${measured.count} edges` });
  } finally {
    await target.shell.check(`echo ${await target.sysfsNumber(answerPin.name)} > /sys/class/gpio/unexport`);
  }
});
