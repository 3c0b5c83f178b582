/** `pinrig board check FILE`: validates a board profile on its own, and says what it describes. */
import { loadBoardProfile } from '../targets/board-profile.js';
import { formatFrequency, parseFrequency } from '../signals/units.js';

/**
 * One line on what the profile holds, and notes on what was read leniently; a bad profile throws its ProfileError
 * (every problem, file:line: field).
 */
export function checkBoard(file: string): { summary: string; notes: string[] } {
  const profile = loadBoardProfile(file);
  const notes: string[] = [];
  const rate = profile.analyzer?.samplerate;
  // Units are read as the matchers read them ('Mhz' and 'mhz' differ by the prefix's case: mega, milli); a spelling
  // other than the usual one is accepted, and said back in the usual one.
  if (rate !== undefined && !/^\d+(?:\.\d+)?\s?[kMG]?Hz$/.test(rate)) {
    notes.push(`${file}: note: analyzer.samplerate ${JSON.stringify(rate)} is read as ${formatFrequency(parseFrequency(rate))}`);
  }
  const parts = [
    `board ${profile.board}`,
    `${profile.controllers.length} controller(s) (${profile.controllers.map((c) => c.model).join(', ')})`,
    `${profile.pins.length} pins`,
    `${Object.keys(profile.roles ?? {}).length} roles`,
  ];
  if (profile.analyzer) {
    const channels = Object.keys(profile.analyzer.channels).length;
    parts.push(`analyzer ${profile.analyzer.driver} at ${formatFrequency(parseFrequency(profile.analyzer.samplerate))} on ${channels} channel(s)`);
  }
  if (profile.rehearses) parts.push(`rehearses ${profile.rehearses}`);
  return { summary: `${file}: ok: ${parts.join(', ')}`, notes };
}
