import { test, expect, requires } from '../../fixtures/index.js';
import { latency } from '../../harness/signals/measure-latency.js';
import { edges } from '../../harness/signals/measure.js';
import { formatTime } from '../../harness/signals/units.js';

requires('interrupts');

test('the host drives 20 rising edges 10 ms apart and the guest sees each, when it happened', async ({ target, gpio, analyzer }) => {
  const button = await gpio.input('input');
  await target.drive(button.name, 0);
  const watch = await button.watch({ edge: 'rising', count: 20 });
  const recording = await analyzer.record([button], 'driven-edges');
  await test.step('host drives 20 pulses, one per 10 ms of guest time', () => target.drivePulses!(button.name, 20, 10));
  const capture = await recording.stop();
  expect(capture).toHaveEdgeCount(button.name, 20, { direction: 'rising' });

  const seen = await test.step('the guest saw 20 rising edges', () => watch.edges());
  expect(seen.map((e) => e.edge)).toEqual(Array(20).fill('rising'));
  // The guest's own timestamps space the edges as the analyzer did, within its interrupt latency.
  const [guest, driven] = [seen.map((e) => e.ns / 1e9), edges(capture.waveform, button.name, { direction: 'rising' }).map((e) => e.seconds)];
  const spacing = (times: readonly number[], i: number) => times[i + 1]! - times[i]!;
  for (let i = 0; i < 19; i++) expect(Math.abs(spacing(guest, i) - spacing(driven, i)), `spacing ${i + 1} (s)`).toBeLessThan(0.001);
});

test('latency from a host edge to the guest\'s answer on another pin', async ({ target, gpio, analyzer }) => {
  const [input, answer] = [await gpio.input('input'), await gpio.output('answer')];
  await target.drive(input.name, 0);
  const answering = await gpio.answer(input, answer, { edge: 'rising' });
  const recording = await analyzer.record([input, answer], 'latency');
  for (let i = 0; i < 10; i++) {
    await answering.armed();
    await target.drivePulses!(input.name, 1, 40);
  }
  await answering.armed(); // the last edge answered too: the guest runs only while the host waits on it
  const capture = await recording.stop();
  expect(await answering.stop(), 'edges the guest answered').toBe(10);

  expect(capture).toHaveLatency(input.name, answer.name, { fromEdge: 'rising', toEdge: 'rising', max: '40ms' });
  const measured = latency(capture.waveform, input.name, answer.name, { fromEdge: 'rising', toEdge: 'rising' });
  expect(measured.count).toBe(10);
  test.info().annotations.push({ type: 'latency', description: `median ${formatTime(measured.median)}, max ${formatTime(measured.max)} over ${measured.count} edges` });
});
