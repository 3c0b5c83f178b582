/**
 * Real captures from real analyzers (sigrok-dumps): pinrig reads the same edges that sigrok-cli reads.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { readSr } from '../../harness/files/sr.js';
import { CAPTURES, expectSameWaveform, sigrokWaveform } from './support.js';

const captures = existsSync(CAPTURES) ? readdirSync(CAPTURES).filter((name) => name.endsWith('.sr')) : [];

test.describe('real captures', () => {
  test.skip(captures.length === 0, `no captures in ${CAPTURES}`);

  for (const name of captures) {
    test(`${name}: edges per channel equal sigrok-cli's`, async () => {
      const path = join(CAPTURES, name);
      const { waveform } = await readSr(path);
      expect(waveform.channels.reduce((n, ch) => n + ch.edges.length, 0), 'a capture with no edges proves nothing').toBeGreaterThan(0);
      expectSameWaveform(waveform, await sigrokWaveform(['-i', path], waveform.rate));
    });
  }

  test('a 16-probe capture with unitsize 4 keeps its probe names and bits', async () => {
    const name = captures.find((n) => n.includes('unitsize4'));
    test.skip(!name, 'the unitsize 4 capture is not there');
    const { metadata, waveform } = await readSr(join(CAPTURES, name!));
    expect(metadata.unitsize).toBe(4);
    expect(metadata.totalProbes).toBe(16);
    expect(waveform.channels.map((c) => c.name)).toEqual(['A0', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'B0', 'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7']);
  });

  test('a version 1 file (one "logic-1" member, "key = value" metadata) gives its rate and all 40M samples', async () => {
    const name = captures.find((n) => n.includes('led_strip'));
    test.skip(!name, 'the version 1 capture is not there');
    const { metadata, waveform } = await readSr(join(CAPTURES, name!));
    expect(metadata).toMatchObject({ samplerate: 4_000_000, unitsize: 1, capturefile: 'logic-1' });
    expect(waveform.length).toBe(40_000_000);
  });
});
