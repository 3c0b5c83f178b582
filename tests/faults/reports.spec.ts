/** The report folder: a run refuses one it cannot write or that another run is writing, before any test starts. */
import { execa } from 'execa';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLAYWRIGHT = path.join(ROOT, 'node_modules/.bin/playwright');

/** A real run of the harness project's quick model tests, writing its reports to `reports`; `prefix` wraps the command. */
function run(reports: string, prefix: string[] = []) {
  const command = [...prefix, PLAYWRIGHT, 'test', '--project=harness', 'tests/models/factory.spec.ts'];
  return execa(command[0]!, command.slice(1), { cwd: ROOT, env: { PINRIG_REPORTS: reports }, reject: false, stdin: 'ignore', timeout: 60_000, all: true });
}

test('a read-only report folder is refused before any test runs, saying what to do', async () => {
  const reports = test.info().outputPath('reports');
  await mkdir(reports);
  // A read-only bind mount in a namespace of its own (we may be root, for whom permission bits do not count).
  const result = await run(reports, ['bwrap', '--dev-bind', '/', '/', '--ro-bind', reports, reports, '--']);
  expect(result.exitCode).toBe(1);
  expect(result.all).toContain(`the report folder ${reports} is not writable (EROFS); set PINRIG_REPORTS to a folder you can write`);
  expect(result.all).not.toMatch(/passed|Running \d+ test/);
});

test('a second run on the same report folder is refused, naming the run that holds it; a stale claim is taken over', async () => {
  const reports = test.info().outputPath('reports');
  await mkdir(reports);
  await writeFile(path.join(reports, '.run.lock'), `${process.pid}\n`);
  const busy = await run(reports);
  expect(busy.exitCode).toBe(1);
  expect(busy.all).toContain(`another run (pid ${process.pid}) is writing ${reports}; wait for it to finish, or give this run its own folder with PINRIG_REPORTS=reports-2`);
  // A claim left by a run that was killed (its pid is gone) does not block the next run, which releases it at the end.
  await writeFile(path.join(reports, '.run.lock'), '2147483646\n');
  const next = await run(reports);
  expect(next.all).toMatch(/\d+ passed/);
  expect(next.exitCode).toBe(0);
  await expect(readFile(path.join(reports, '.run.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  expect(JSON.parse(await readFile(path.join(reports, 'results.json'), 'utf8')).stats.expected).toBeGreaterThan(0);
});

test('a listing run writes nothing: the last run\'s reports stay as they were', async () => {
  const reports = test.info().outputPath('reports');
  const first = await run(reports);
  expect(first.exitCode, first.all).toBe(0);
  const before = await snapshot(reports);
  const listing = await execa(PLAYWRIGHT, ['test', '--list'], { cwd: ROOT, env: { PINRIG_REPORTS: reports }, reject: false, stdin: 'ignore', timeout: 60_000, all: true });
  expect(listing.exitCode).toBe(0);
  expect(listing.all).toMatch(/Total: \d+ tests in \d+ files/);
  expect(await snapshot(reports)).toEqual(before);
});

test('a bare run leaves board projects out, saying so in one line; naming one or setting its profile brings it in', async () => {
  const env = { PINRIG_REPORTS: test.info().outputPath('reports') };
  const list = (args: string[], extra: Record<string, string> = {}) =>
    execa(PLAYWRIGHT, ['test', '--list', ...args], { cwd: ROOT, env: { ...env, ...extra }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });
  const { PATH } = process.env;
  const bare = await list([], { PATH: PATH! });
  expect(bare.stderr.split('\n').filter((l) => l.startsWith('pinrig: board projects'))).toEqual([
    'pinrig: board projects not run (rpi, orin-passthrough): set PINRIG_RPI_PROFILE or PINRIG_ORIN_PROFILE to a board profile (fixtures/boards/), or name one with --project',
  ]);
  expect(bare.stdout).toMatch(/\[harness\]/);
  expect(bare.stdout).toMatch(/\[qemu-virt\]/);
  expect(bare.stdout).not.toMatch(/\[(rpi|orin-passthrough)( profile)?\]/);
  const named = await list(['--project=rpi'], { PATH: PATH! });
  expect(named.stdout).toMatch(/\[rpi profile\] .* rpi: the board profile in PINRIG_RPI_PROFILE/);
  const withProfile = await list([], { PATH: PATH!, PINRIG_ORIN_PROFILE: 'fixtures/boards/orin-rehearsal.yaml' });
  expect(withProfile.stdout).toMatch(/\[orin-passthrough\]/);
  expect(withProfile.stderr).toContain('pinrig: board projects not run (rpi): set PINRIG_RPI_PROFILE');
});

/** Every file under `dir` with its size and modification time. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(dir, { recursive: true })) {
    const info = await stat(path.join(dir, name));
    files[name] = `${info.size} ${info.mtimeMs}`;
  }
  return files;
}
