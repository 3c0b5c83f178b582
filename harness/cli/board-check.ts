/** `pinrig board check FILE`: validates a board profile on its own, and says what it describes. */
import { loadBoardProfile } from '../targets/board-profile.js';
import { formatFrequency, parseFrequency } from '../signals/units.js';

/** One line on what the profile holds; a bad profile throws its ProfileError (every problem, file:line: field). */
export function checkBoard(file: string): string {
  const profile = loadBoardProfile(file);
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
  return `${file}: ok: ${parts.join(', ')}`;
}
