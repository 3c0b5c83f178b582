/**
 * A train of host-driven pulses on an input pin, paced in the guest's virtual time: each edge is applied at a fence
 * (exact virtual time), and the next one waits until the guest's clock has moved on by half a period. The host's pace
 * is only approximate (virtual time runs at the guest's speed and skips idle stretches); what is recorded is exact.
 */
import { NANOSECONDS } from '../../signals/waveform.js';
import type { Level } from '../../models/types.js';

export interface PulseDriver {
  /** Applies a level at a fence; resolves to its virtual time in ns. */
  drive(level: Level): Promise<number>;
  /** Resolves once the guest's virtual clock has reached `ns` (bounded in wall time). */
  until(ns: number): Promise<void>;
}

/** Drives `count` pulses (high, then low); returns the virtual times of the rising edges, in ns. */
export async function drivePulseTrain(driver: PulseDriver, count: number, periodS: number): Promise<number[]> {
  const half = Math.round((periodS * NANOSECONDS) / 2);
  const rises: number[] = [];
  let last: number | undefined;
  for (let i = 0; i < count; i++) {
    if (last !== undefined) await driver.until(last + half);
    const rose = await driver.drive(1);
    rises.push(rose);
    await driver.until(rose + half);
    last = await driver.drive(0);
  }
  return rises;
}
