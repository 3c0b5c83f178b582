/**
 * Board profiles with typos, impossible wiring and hostile YAML: each refused by `pinrig board check` (exit 2) with
 * every problem as file:line: field, quickly and with bounded memory.
 */
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_PROFILE_BYTES } from '../../harness/targets/board-profile.js';
import { pinrig } from '../support/pinrig-cli.js';
import { expect, test } from './fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

const VALID = `board: lab
controller: { model: bcm2835, base: 0x3f200000, chip: pinctrl-bcm2835 }
pins:
  - { header: 11, line: 17, name: GPIO17 }
  - { header: 13, line: 27, name: GPIO27 }
roles: { blink: GPIO17 }
analyzer:
  driver: fx2lafw
  samplerate: 24MHz
  channels: { D0: GPIO17, D1: GPIO27 }
`;

/** `pinrig board check` on this text; its exit status and what it printed. */
async function check(text: string) {
  const file = test.info().outputPath('lab.yaml');
  await writeFile(file, text);
  const run = await pinrig(['board', 'check', file]);
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr.replaceAll(file, 'lab.yaml') };
}

test('the valid profile passes and is described', async () => {
  const { exitCode, stdout } = await check(VALID);
  expect(exitCode).toBe(0);
  expect(stdout).toMatch(/lab\.yaml: ok: board lab, 1 controller\(s\) \(bcm2835\), 2 pins, 1 roles, analyzer fx2lafw at 24MHz on 2 channel\(s\)$/);
});

test('a sample rate spelled "24 Mhz" is read as the matchers read it, and said back in the usual spelling', async () => {
  const { exitCode, stdout, stderr } = await check(VALID.replace('24MHz', '24 Mhz'));
  expect(exitCode).toBe(0);
  expect(stderr).toBe('lab.yaml: note: analyzer.samplerate "24 Mhz" is read as 24MHz');
  expect(stdout).toContain('analyzer fx2lafw at 24MHz');
});

test('an unknown key: its line and the key it most likely meant', async () => {
  const { exitCode, stderr } = await check(VALID.replace('{ header: 13,', '{ haeder: 13,'));
  expect(exitCode).toBe(2);
  expect(stderr).toBe('pinrig: lab.yaml:5: pins.1.haeder: unknown key "haeder" (did you mean "header"?); known keys are header, line, name, controller, function');
});

test('an unknown pin in a role: its line and the nearest pin name', async () => {
  const { stderr } = await check(VALID.replace('blink: GPIO17', 'blink: GPIO71'));
  expect(stderr).toMatch(/^pinrig: lab\.yaml:6: roles\.blink: no pin "GPIO71" \(pins are named like GPIO17, GPIO27, or 'pin N' for header pin N\) \(did you mean GPIO17\?\)$/);
});

test('a sample rate in parsecs names the accepted spellings; 24 mhz (milli) is not a whole number of hertz', async () => {
  const parsecs = await check(VALID.replace('24MHz', '24 parsecs'));
  expect(parsecs.exitCode).toBe(2);
  expect(parsecs.stderr).toBe(`pinrig: lab.yaml:9: analyzer.samplerate: cannot read "24 parsecs" as a frequency: write a number and Hz with an optional prefix k, M or G, such as '24MHz', '500 kHz' or '1GHz'`);
  const milli = await check(VALID.replace('24MHz', '24 mhz'));
  expect(milli.stderr).toBe(`pinrig: lab.yaml:9: analyzer.samplerate: "24 mhz" is 0.024 Hz; a sample rate is a whole number of hertz such as '24MHz' (m is milli, M is mega)`);
});

test('a channel the analyzer does not have (D99 on a 16-channel fx2lafw)', async () => {
  const { stderr } = await check(VALID.replace('D1: GPIO27', 'D99: GPIO27'));
  expect(stderr).toBe('pinrig: lab.yaml:10: analyzer.channels.D99: D99 is beyond the analyzer: fx2lafw has channels D0 to D15');
});

test('two channels wired to one pin', async () => {
  const { stderr } = await check(VALID.replace('D1: GPIO27', 'D1: pin 11'));
  expect(stderr).toBe('pinrig: lab.yaml:10: analyzer.channels.D1: D1 and D0 are both wired to GPIO17: one probe per pin');
});

test('every problem is listed, each with its line, not only the first', async () => {
  const text = VALID.replace('{ header: 13, line: 27', '{ header: 11, line: 27').replace('blink: GPIO17', 'blink: GPIO99').replace('24MHz', 'fast');
  const { exitCode, stderr } = await check(text);
  expect(exitCode).toBe(2);
  expect(stderr.split('\n')).toEqual([
    'pinrig: lab.yaml:5: pins.1.header: header 11 appears twice (also pins.0)',
    expect.stringMatching(/^lab\.yaml:6: roles\.blink: no pin "GPIO99"/),
    expect.stringMatching(/^lab\.yaml:9: analyzer\.samplerate: cannot read "fast" as a frequency/),
  ]);
});

test('a YAML alias bomb is refused at once, naming the file, with bounded memory', async () => {
  const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
    const prev = String.fromCharCode(97 + i);
    bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const file = test.info().outputPath('bomb.yaml');
  await writeFile(file, bomb.join('\n') + '\n');
  const run = await pinrig(['board', 'check', file], { timeoutMs: 20_000 });
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toBe(`pinrig: ${file}: YAML aliases expand too far (Excessive alias count indicates a resource exhaustion attack): a profile may use at most 100 alias expansions; write the values out`);
});

test('a profile larger than the cap is refused before it is read', async () => {
  const file = test.info().outputPath('huge.yaml');
  await writeFile(file, VALID + `description: "${'x'.repeat(15 * 1024 * 1024)}"\n`);
  const run = await pinrig(['board', 'check', file], { timeoutMs: 20_000 });
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toMatch(new RegExp(`^pinrig: .*huge\\.yaml: the board profile is \\d+ bytes, more than the ${MAX_PROFILE_BYTES} a profile may have: is this the right file\\?$`));
});

test('a missing profile file, and a board project run without its profile variable', async () => {
  const missing = await pinrig(['board', 'check', '/nonexistent/board.yaml']);
  expect(missing.exitCode).toBe(2);
  expect(missing.stderr).toBe("pinrig: /nonexistent/board.yaml: cannot read the board profile: ENOENT: no such file or directory, stat '/nonexistent/board.yaml'");
  // The project's setup checks the profile once: one failure naming the variable, the scenarios do not run.
  const { PINRIG_RPI_PROFILE: _unset, ...env } = process.env;
  const run = await execa(path.join(ROOT, 'node_modules/.bin/playwright'), ['test', '--project=rpi', '--reporter=line'], {
    cwd: ROOT, env: { ...env, PINRIG_REPORTS: test.info().outputPath('reports') }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000,
  });
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toContain('Error: the rpi target needs a board profile: set PINRIG_RPI_PROFILE to its path (see fixtures/boards/)');
  expect(run.stdout).toMatch(/1 failed[\s\S]*\d+ did not run/);
});
