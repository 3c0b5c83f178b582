/**
 * The logic analyzer a board profile describes, as a BoardAnalyzer: sigrok-cli with the profile's driver, connection
 * and sample rate, recording the channels the scenario's pins are wired to.
 */
import { SigrokAnalyzer } from '../instruments/sigrok/analyzer.js';
import type { BoardProfile } from './board-profile.js';
import type { BoardAnalyzer } from './board.js';

export function sigrokBoardAnalyzer(analyzer: NonNullable<BoardProfile['analyzer']>, where: string): BoardAnalyzer {
  if (analyzer.driver === 'virtual') throw new Error(`${where}: analyzer driver 'virtual' exists only on emulated targets and rehearsals`);
  const sigrok = new SigrokAnalyzer({
    device: { driver: analyzer.driver, ...(analyzer.conn ? { conn: analyzer.conn } : {}) },
    samplerate: analyzer.samplerate,
  });
  return { record: (channels) => sigrok.record(Object.fromEntries(channels.map((c) => [c.channel, c.pin.name]))) };
}
