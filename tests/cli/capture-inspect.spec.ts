import { test, expect } from '@playwright/test';
import { pinrig as runPinrig } from '../support/pinrig-cli.js';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readCapture } from '../../harness/files/capture.js';
import { shellQuote } from '../../harness/links/ssh.js';
import { periods } from '../../harness/signals/measure.js';
import { CAPTURES } from '../files/support.js';

const PWM = path.join(CAPTURES, 'pwm_alsa_test_pwmtest_snippet.sr');

const pinrig = (...args: string[]) => runPinrig(args);

/** `start-end pwm-1: value` lines of a sigrok decoder run with --protocol-decoder-samplenum. */
async function sigrokAnnotations(file: string, decoder: string, annotation: string) {
  const { stdout, stderr } = await execa('sigrok-cli', ['-i', file, '-P', decoder, '--protocol-decoder-samplenum', '-A', annotation]);
  expect(stderr).toBe('');
  return stdout.split('\n').filter(Boolean).map((line) => {
    const m = /^(\d+)-(\d+) \S+: ([\d.]+)/.exec(line);
    if (!m) throw new Error(`unexpected sigrok line ${JSON.stringify(line)}`);
    return { start: Number(m[1]), end: Number(m[2]), value: Number(m[3]) };
  });
}

test.describe('against real captures', () => {
  test.skip(!existsSync(CAPTURES), `${CAPTURES} is not here (CI has it)`);

  test('PWM capture: every period and duty cycle equals what sigrok\'s pwm decoder reports', async () => {
    const { waveform } = await readCapture(PWM);
    const ours = periods(waveform, '4').periods;
    const duty = await sigrokAnnotations(PWM, 'pwm:data=4', 'pwm=duty-cycle');
    expect(duty.length).toBeGreaterThan(2000);
    // sigrok prints duty cycles to 6 decimals of a percent: compare at that precision, period by period.
    const round = (percent: number) => Math.round(percent * 1e6) / 1e6;
    const byStart = new Map(ours.map((p) => [p.startTick, p]));
    const mine = duty.map((d) => {
      const period = byStart.get(d.start);
      return period ? { start: period.startTick, end: period.endTick, value: round(period.dutyCycle * 100) } : { start: d.start, missing: true };
    });
    expect(mine).toEqual(duty.map((d) => ({ ...d, value: round(d.value) })));
    // sigrok's pwm decoder drops the last period; all others are the same periods.
    expect(ours.length - duty.length).toBeLessThanOrEqual(1);
  });

  test('PWM capture: high times equal sigrok\'s timing decoder between the same edges', async () => {
    const { waveform } = await readCapture(PWM);
    const ours = periods(waveform, '4').periods;
    const timing = await sigrokAnnotations(PWM, 'timing:data=4', 'timing=time');
    const intervals = new Map(timing.map((t) => [t.start, t.end - t.start]));
    expect(ours.map((p) => ({ start: p.startTick, high: intervals.get(p.startTick) }))).toEqual(ours.map((p) => ({ start: p.startTick, high: p.highTicks })));
  });

  test('`capture inspect --json` reports the PWM channel as sigrok measures it', async () => {
    const run = await pinrig('capture', 'inspect', '--json', PWM);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ samplerate: 24_000_000, samples: 1_048_576 });
    expect(report.channels).toHaveLength(8);
    const ch4 = report.channels.find((c: { name: string }) => c.name === '4');
    expect(ch4).toMatchObject({ edges: 5461, initial: 1 });
    const duty = await sigrokAnnotations(PWM, 'pwm:data=4', 'pwm=duty-cycle');
    const sigrokMean = duty.reduce((sum, d) => sum + d.value, 0) / duty.length / 100;
    expect(ch4.dutyCycle).toBeCloseTo(sigrokMean, 2);
    expect(ch4.frequency).toBeCloseTo(24e6 / ((duty.at(-1)!.end - duty[0]!.start) / duty.length), -1);
  });
});

test('`capture inspect` prints a table for a capture made by sigrok\'s demo device', async ({}, testInfo) => {
  const file = testInfo.outputPath('demo.sr');
  await mkdir(testInfo.outputDir, { recursive: true }); // sigrok-cli exits 0 even when it cannot write its output
  await execa('sigrok-cli', ['-d', 'demo', '--channels', 'D0,D1', '--config', 'samplerate=1m', '--samples', '10000', '-o', file]);
  const run = await pinrig('capture', 'inspect', file);
  expect(run.exitCode).toBe(0);
  expect(run.stdout).toMatch(/1MHz, 10000 samples, 10ms, 2 channel\(s\)/);
  expect(run.stdout).toMatch(/^ {2}channel +edges +initial +frequency +duty cycle +pulse width$/m);
  expect(run.stdout).toMatch(/^ {2}D0 +\d+ /m);
});

test('`npx pinrig` from the clone: --version, and --json alone on stdout (python3 -m json.tool parses it)', async ({}, testInfo) => {
  const root = path.resolve(import.meta.dirname, '../..');
  const version = await execa('npx', ['pinrig', '--version'], { cwd: root, stdin: 'ignore' });
  expect(version.stdout).toBe(JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).version);
  const file = testInfo.outputPath('mixed.sr');
  await mkdir(testInfo.outputDir, { recursive: true });
  await execa('sigrok-cli', ['-d', 'demo', '--channels', 'D0,D1,A0', '--samples', '2000', '-o', file]);
  const piped = await execa('sh', ['-c', `npx pinrig capture inspect ${shellQuote(file)} --json | python3 -m json.tool`], { cwd: root, stdin: 'ignore' });
  const report = JSON.parse(piped.stdout);
  expect(report.channels.map((c: { name: string }) => c.name)).toEqual(['D0', 'D1']);
  // Analog channels are named as not read, in JSON and in the table.
  expect(report.skipped).toEqual(['A0']);
  expect((await pinrig('capture', 'inspect', file)).stdout).toContain('analog channels not read: A0');
});
