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
  const line = target.pin('GPIO5').line;
  await target.drive('GPIO5', 0);
  await test.step('gpiomon waits for 20 rising edges', async () => {
    await target.shell.check(`gpiomon --num-events=20 --rising-edge gpiochip0 ${line} > /tmp/events 2>&1 & echo $! > /tmp/gpiomon.pid`);
    await armed(target, line);
  });
  const recording = await analyzer.record(['GPIO5'], 'driven-edges');
  await test.step('host drives 20 edges', () => driveEdges(target, 'GPIO5', 20, 10));
  const capture = await recording.stop();
  expect(capture).toHaveEdgeCount('GPIO5', 20, { direction: 'rising' });

  const events = await test.step('gpiomon reported every edge and exited', async () => {
    await target.shell.check('i=0; while kill -0 $(cat /tmp/gpiomon.pid) 2>/dev/null && [ $i -lt 100 ]; do usleep 20000; i=$((i+1)); done');
    return (await target.shell.check('cat /tmp/events')).split('\n').filter((l) => l.includes('RISING EDGE'));
  });
  expect(events).toHaveLength(20);
});

test('latency from a host edge to the guest\'s answer on another pin', async ({ target, analyzer }) => {
  const input = target.pin('GPIO5').line;
  const output = `/sys/class/gpio/gpio${await target.sysfsNumber('GPIO0')}`;
  await target.drive('GPIO5', 0);
  await target.shell.check(`echo ${await target.sysfsNumber('GPIO0')} > /sys/class/gpio/export; echo out > ${output}/direction`);
  try {
    // Each rising edge on GPIO5 is answered by a pulse on GPIO0: gpiomon waits for one edge, then the shell answers.
    // (gpiomon buffers its output into a pipe, so it is run once per edge rather than read line by line.)
    await target.shell.check(
      `(i=0; while [ $i -lt 10 ]; do gpiomon -n 1 -r gpiochip0 ${input} > /dev/null && { echo 1 > ${output}/value; echo 0 > ${output}/value; }; i=$((i+1)); done) > /dev/null 2>&1 &`,
    );
    const recording = await analyzer.record(['GPIO5', 'GPIO0'], 'latency');
    for (let i = 0; i < 10; i++) {
      await armed(target, input);
      await driveEdges(target, 'GPIO5', 1, 40);
    }
    const capture = await recording.stop();
    expect(capture).toHaveEdgeCount('GPIO0', 20);
    expect(capture).toHaveLatency('GPIO5', 'GPIO0', { fromEdge: 'rising', toEdge: 'rising', max: '40ms' });
    const measured = latency(capture.waveform, 'GPIO5', 'GPIO0', { fromEdge: 'rising', toEdge: 'rising' });
    test.info().annotations.push({ type: 'latency', description: `median ${formatTime(measured.median)}, max ${formatTime(measured.max)} over ${measured.count} edges` });
  } finally {
    await target.shell.check(`echo ${await target.sysfsNumber('GPIO0')} > /sys/class/gpio/unexport`);
  }
});
