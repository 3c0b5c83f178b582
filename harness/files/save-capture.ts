/**
 * Writes a capture the ways people open it: .sr (PulseView, sigrok-cli), .vcd with a .gtkw save file that shows
 * its channels (`gtkwave capture.gtkw`) and an .svg timing diagram.
 * The .vcd is exact on any timebase (it stores changes); the .sr stores every sample, so a capture on a fine timebase
 * (the QEMU probe's virtual nanoseconds) is written at the highest power-of-ten-lower rate that keeps it under
 * MAX_SR_SAMPLES, as an analyzer at that rate would have sampled it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Capture } from '../signals/capture.js';
import { formatGtkw } from '../signals/gtkw.js';
import { sampleAt } from '../signals/retime.js';
import { waveformSvg, type SvgOptions } from '../signals/svg.js';
import type { Waveform } from '../signals/waveform.js';
import { writeSr } from './sr.js';
import { writeVcd } from './vcd.js';

const MAX_SR_SAMPLES = 64 << 20;

function forSampleFile(waveform: Waveform): Waveform {
  let rate = waveform.rate;
  while (waveform.length * (rate / waveform.rate) > MAX_SR_SAMPLES && rate >= 10) rate /= 10;
  return rate === waveform.rate ? waveform : sampleAt(waveform, rate, 'capture for .sr');
}

export async function saveCapture(capture: Capture, dir: string, name: string, svg: SvgOptions = {}): Promise<Capture> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, name.replace(/[^\w.-]+/g, '-'));
  const files = { sr: `${base}.sr`, vcd: `${base}.vcd`, gtkw: `${base}.gtkw`, svg: `${base}.svg` };
  await writeSr(files.sr, forSampleFile(capture.waveform));
  await writeVcd(files.vcd, capture.waveform);
  await writeFile(files.gtkw, formatGtkw(capture.waveform, path.basename(files.vcd)));
  await writeFile(files.svg, waveformSvg(capture.waveform, { title: name, ...svg }));
  return { ...capture, files };
}
