import { test, expect } from '../../fixtures/index.js';
import { pressTrain } from '../../harness/instruments/qemu/press-train.js';
import type { QemuTarget } from '../../harness/targets/qemu-target.js';
import { random } from '../support/random.js';

// Input changes at exact virtual times on the virt machine's PL061 (the timed-inputs plugin), as the guest kernel
// stamps them, and the press trains the button assignment drives with them.
test.use({ targetName: 'qemu-virt' });

/**
 * 7 edges at least 300 us apart, ending high: room for the guest's gpiomon to report each edge on its own (its kernel
 * side masks the line until its thread has read the level, so closer edges merge into one event).
 */
const SPACED = [0, 300_000, 700_000, 1_000_000, 1_500_000, 1_800_000, 2_400_000].map((afterNs, i) => ({ afterNs, level: (i % 2 ? 0 : 1) as 0 | 1 }));

test('timed changes land on their planned nanoseconds, and the guest kernel stamps each edge that far apart', async ({ target, gpio }) => {
  const qemu = target as QemuTarget;
  const input = await gpio.input('input');
  await qemu.drive(input.name, 0);
  const watch = await input.watch({ edge: 'both', count: SPACED.length });
  // The guest is paused the moment the host has its answer, often still busy: let it go idle, as it is at the later
  // edges, so that the first edge takes the same interrupt path as they do.
  await qemu.elapse(5);
  const times = await qemu.driveChanges(input.name, SPACED);
  expect(times.map((t) => t - times[0]!)).toEqual(SPACED.map((c) => c.afterNs));
  const seen = await watch.edges();
  expect(seen.map((e) => e.edge)).toEqual(['rising', 'falling', 'rising', 'falling', 'rising', 'falling', 'rising']);
  // Each edge's kernel stamp follows it by the same interrupt path, so the stamps keep the spacing within 5 us.
  seen.forEach((edge, i) => expect(Math.abs(edge.ns - seen[0]!.ns - SPACED[i]!.afterNs), `edge ${i + 1}`).toBeLessThan(5_000));
  expect(await input.get()).toBe(1);
});

test('a dense bounce (19 edges 30 us apart) lands on its planned nanoseconds, and the model follows it', async ({ target, gpio }) => {
  const qemu = target as QemuTarget;
  const input = await gpio.input('input');
  await qemu.drive(input.name, 0);
  const bounce = Array.from({ length: 19 }, (_, i) => ({ afterNs: i * 30_000, level: (i % 2 ? 0 : 1) as 0 | 1 }));
  const times = await qemu.driveChanges(input.name, bounce);
  expect(times.map((t) => t - times[0]!)).toEqual(bounce.map((c) => c.afterNs));
  expect(qemu.model.level(input.pin.line), 'the model follows the timed changes').toBe(1);
  expect(await input.get()).toBe(1);
});

test('changes that do not start at offset 0 or do not increase are refused, naming the fault', async ({ target, gpio }) => {
  const qemu = target as QemuTarget;
  const input = await gpio.input('input');
  await expect(qemu.driveChanges(input.name, [{ afterNs: 5, level: 1 }])).rejects.toThrow(/starting at offset 0, got 5 ns/);
  await expect(qemu.driveChanges(input.name, [{ afterNs: 0, level: 1 }, { afterNs: 100, level: 0 }, { afterNs: 100, level: 1 }]))
    .rejects.toThrow(/change 2 at 100 ns must be a whole number of ns after 100 ns/);
});

test('a press train: odd bounces within their span, tens to hundreds of microseconds apart, the same for a seed', () => {
  const plan = { presses: 6, periodMs: 50, holdMs: 20, edges: [5, 20] as const, bounceMs: 2 };
  const { changes, bounces } = pressTrain(plan, random(7));
  expect(pressTrain(plan, random(7)).changes).toEqual(changes);
  expect(bounces).toHaveLength(12);
  expect(bounces.every((n) => n % 2 === 1 && n >= 5 && n <= 19)).toBe(true);
  expect(changes).toHaveLength(bounces.reduce((a, b) => a + b, 0));
  let index = 0;
  bounces.forEach((edges, b) => {
    const burst = changes.slice(index, index + edges);
    index += edges;
    const start = Math.floor(b / 2) * 50e6 + (b % 2) * 20e6;
    expect(burst[0]!.afterNs, `bounce ${b + 1} starts on time`).toBe(start);
    expect(burst[edges - 1]!.afterNs - start, `bounce ${b + 1} ends within 2 ms`).toBeLessThanOrEqual(2e6);
    expect(burst[edges - 1]!.level, `bounce ${b + 1} ends ${b % 2 ? 'released' : 'pressed'}`).toBe(b % 2 ? 0 : 1);
    const gaps = burst.slice(1).map((c, i) => c.afterNs - burst[i]!.afterNs);
    expect(Math.min(...gaps), `bounce ${b + 1}'s closest edges`).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...gaps), `bounce ${b + 1}'s farthest edges`).toBeLessThanOrEqual(250_000);
  });
  expect(() => pressTrain({ ...plan, holdMs: 1 }, random(1))).toThrow(/must end before the release/);
  expect(pressTrain({ ...plan, edges: [1, 1] }, random(1)).changes.map((c) => c.level)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
});
