/**
 * A GTKWave save file (.gtkw) beside a .vcd pinrig writes, so `gtkwave capture.gtkw` opens the capture with every
 * channel already on screen (a bare .vcd opens with an empty wave pane). The dump file is named relative to the save
 * file, which GTKWave resolves from the save file's folder, so the pair can be moved together.
 */
import type { Waveform } from './waveform.js';

/** The scope pinrig's VCD writer puts its signals in (formatVcd). */
export const VCD_SCOPE = 'pinrig';

/** GTKWave's trace flags for a 1-bit signal shown as a binary waveform, right-justified (TR_BIN | TR_RJUSTIFY). */
const BINARY_TRACE = '@28';

export function formatGtkw(waveform: Waveform, vcdName: string): string {
  return [
    '[*] written by pinrig: open with gtkwave FILE.gtkw',
    `[dumpfile] "${vcdName}"`,
    `[timestart] 0`,
    BINARY_TRACE,
    ...waveform.channels.map((ch) => `${VCD_SCOPE}.${ch.name}`),
    '',
  ].join('\n');
}
