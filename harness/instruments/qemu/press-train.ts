/**
 * Button presses as level changes in virtual time, for the timed-inputs plugin: each press goes high and each release
 * low, either cleanly (one edge) or bouncing like a real contact (an odd number of edges packed into a short span,
 * 30 to 250 microseconds apart, closer when many must fit). The shape is drawn from a given random sequence, so a seed gives the same
 * presses on every run.
 */
import type { LevelChange } from './timed-inputs.js';

export interface PressPlan {
  readonly presses: number;
  /** From one press's first edge to the next one's. */
  readonly periodMs: number;
  /** From a press's first edge to its release's first edge. */
  readonly holdMs: number;
  /** Edges per press or release, drawn from [min, max] and made odd (it must end at the other level); [1, 1] is clean. */
  readonly edges: readonly [min: number, max: number];
  /** Every edge of one bounce falls within this span after its first. */
  readonly bounceMs: number;
}

export interface PressTrain {
  /** Offsets from the first press's first edge (which is 0, going high). */
  readonly changes: readonly LevelChange[];
  /** Edges per press and per release, in order: what a driver counting every edge would see. */
  readonly bounces: readonly number[];
}

const NS_PER_MS = 1e6;

/** The level changes of `plan.presses` presses; the line must be low before the first. */
export function pressTrain(plan: PressPlan, random: () => number): PressTrain {
  const [min, max] = plan.edges;
  if (!Number.isInteger(plan.presses) || plan.presses < 1) throw new Error(`press train: ${plan.presses} presses; give at least 1`);
  if (!Number.isInteger(min) || min < 1 || max < min || (min === max && min % 2 === 0)) throw new Error(`press train: edges [${min}, ${max}] holds no odd count`);
  if (!(plan.bounceMs > 0 && plan.holdMs > plan.bounceMs && plan.periodMs - plan.holdMs > plan.bounceMs)) {
    throw new Error(`press train: a ${plan.bounceMs} ms bounce must end before the release (${plan.holdMs} ms) and before the next press (${plan.periodMs} ms)`);
  }
  const changes: LevelChange[] = [];
  const bounces: number[] = [];
  const bounce = (startNs: number, to: 0 | 1) => {
    const drawn = min + Math.floor(random() * (max - min + 1));
    const edges = drawn % 2 ? drawn : drawn < max ? drawn + 1 : drawn - 1;
    bounces.push(edges);
    // Gaps of 30 to 250 us, squeezed together when they would not fit the bounce span.
    const gaps = Array.from({ length: edges - 1 }, () => (30 + 220 * random()) * 1000);
    const squeeze = Math.min(1, (plan.bounceMs * NS_PER_MS) / gaps.reduce((sum, gap) => sum + gap, 0));
    let at = startNs;
    let level = to;
    for (let i = 0; i < edges; i++) {
      if (i) at += Math.max(1, Math.floor(gaps[i - 1]! * squeeze));
      changes.push({ afterNs: at, level });
      level = level ? 0 : 1;
    }
  };
  for (let press = 0; press < plan.presses; press++) {
    const start = Math.round(press * plan.periodMs * NS_PER_MS);
    bounce(start, 1);
    bounce(start + Math.round(plan.holdMs * NS_PER_MS), 0);
  }
  return { changes, bounces };
}
