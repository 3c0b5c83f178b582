/**
 * apt's candidate versions are kept on disk while nothing apt reads has changed (an apt-cache call costs about a
 * second, paid by every Playwright worker and every `pinrig` command that needs the image or the kernel headers).
 */
import { expect, test } from '@playwright/test';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { APT_ANSWERS, aptStateKey, resolvePackages } from '../../harness/guest/packages.js';

const NAMES = ['busybox-static'];

test('the candidates come from apt once, then from the kept answer while apt is unchanged', async () => {
  // resolvePackages asks for the kernel's meta package before the names.
  const kept = path.join(APT_ANSWERS, `${await aptStateKey(['linux-image-arm64', ...NAMES])}.json`);
  await rm(kept, { force: true });
  try {
    const asked = await resolvePackages(NAMES, () => {});
    expect(asked.packages[0]!.version).toMatch(/^\d/);
    const answer = JSON.parse(await readFile(kept, 'utf8')) as Array<[string, Array<[string, string]>]>;
    expect(answer.map(([name]) => name).sort()).toEqual(['busybox-static', 'linux-image-arm64']);
    expect(await resolvePackages(NAMES, () => {}), 'the kept answer gives what apt gave').toEqual(asked);
    // A kept answer is what is read: a version written into it comes back.
    const marked = answer.map(([name, fields]) => [name, fields.map(([k, v]) => [k, name === 'busybox-static' && k === 'Version' ? '1:kept' : v])]);
    await writeFile(kept, JSON.stringify(marked));
    expect((await resolvePackages(NAMES, () => {})).packages[0]!.version).toBe('1:kept');
  } finally {
    await rm(kept, { force: true });
  }
});

test('a change to any file apt reads (its size or time) gives another key', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-apt-'));
  try {
    const list = path.join(dir, 'deb.debian.org_debian_dists_bookworm_main_binary-arm64_Packages');
    await writeFile(list, 'Package: a\n');
    const state = [dir, path.join(dir, 'missing-preferences')];
    const before = await aptStateKey(NAMES, state);
    expect(await aptStateKey(NAMES, state), 'the same state, the same key').toBe(before);
    await utimes(list, new Date(0), new Date(1_000_000));
    const touched = await aptStateKey(NAMES, state);
    expect(touched).not.toBe(before);
    await writeFile(list, 'Package: a\nVersion: 2\n');
    expect(await aptStateKey(NAMES, state)).not.toBe(touched);
    expect(await aptStateKey(['another'], state), 'other names, another key').not.toBe(await aptStateKey(NAMES, state));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
