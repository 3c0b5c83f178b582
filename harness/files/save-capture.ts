/**
 * Writes a capture the ways people open it: .sr (PulseView, sigrok-cli), .vcd (GTKWave) and an .svg timing diagram.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Capture } from '../signals/capture.js';
import { waveformSvg, type SvgOptions } from '../signals/svg.js';
import { writeSr } from './sr.js';
import { writeVcd } from './vcd.js';

export async function saveCapture(capture: Capture, dir: string, name: string, svg: SvgOptions = {}): Promise<Capture> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, name.replace(/[^\w.-]+/g, '-'));
  const files = { sr: `${base}.sr`, vcd: `${base}.vcd`, svg: `${base}.svg` };
  await writeSr(files.sr, capture.waveform);
  await writeVcd(files.vcd, capture.waveform);
  await writeFile(files.svg, waveformSvg(capture.waveform, { title: name, ...svg }));
  return { ...capture, files };
}
