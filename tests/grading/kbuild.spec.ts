/**
 * Building student kernel modules for the guest kernel: real headers, the real cross compiler, the real bubblewrap
 * sandbox. Each test writes its submissions into a fresh temp folder; the hostile ones try what a student could try
 * through the compiler and check that nothing of the host leaks into the feedback.
 */
import { test, expect } from '@playwright/test';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildModule, ensureBuildToolchain, type KernelHeaders, type ModuleBuild } from '../../harness/grading/kbuild.js';
import { hostToolsFor, type HeadersDepends } from '../../harness/grading/kbuild-host-tools.js';
import { runInBuildSandbox, SANDBOX_LIMITS } from '../../harness/grading/kbuild-sandbox.js';
import { ensureGuestImage } from '../../harness/guest/image.js';
import { downloadPackages, extractFiles } from '../../harness/guest/packages.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const LOG_BOUND = (SANDBOX_LIMITS.logHeadBytes + SANDBOX_LIMITS.logTailBytes) + 4096; // plus pinrig's notes

const HELLO = `#include <linux/module.h>
#include <linux/init.h>

static int __init hello_init(void)
{
	pr_info("hello\\n");
	return 0;
}

static void __exit hello_exit(void)
{
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
`;

let headers: KernelHeaders;
let root: string;

test.beforeAll(async () => {
  test.setTimeout(10 * 60_000); // the first run downloads about 12 MB of headers (and the guest image, if missing)
  headers = await ensureBuildToolchain();
  root = await mkdtemp(path.join(os.tmpdir(), 'pinrig-kbuild-'));
});

test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Writes one submission folder under the test's temp root and returns its path. */
async function submission(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, 'submissions', name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  return dir;
}

const build = (dir: string, moduleName: string, timeoutMs?: number): Promise<ModuleBuild> =>
  buildModule(dir, { moduleName, workDir: path.join(root, 'work', moduleName), headers, ...(timeoutMs ? { timeoutMs } : {}) });

/** The key=value strings of a .ko's .modinfo section (the cross objcopy reads arm64 ELF on any host). */
async function modinfo(ko: string): Promise<Map<string, string>> {
  const out = path.join(root, `${path.basename(ko)}.${randomBytes(4).toString('hex')}.modinfo`);
  await execa('aarch64-linux-gnu-objcopy', ['-O', 'binary', '--only-section=.modinfo', ko, out], { timeout: 30_000 });
  const fields = (await readFile(out, 'latin1')).split('\0').filter(Boolean);
  return new Map(fields.map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
}

/** Nothing that names the host: the temp folder, the repository, home folders, the headers cache. */
function expectNoHostPaths(result: ModuleBuild): void {
  for (const text of [result.errors, result.log]) {
    for (const hostPath of [root, REPO_ROOT, os.tmpdir() + '/', '/work/', '/root/', '.cache', headers.srcDir]) {
      expect(text, `feedback names ${hostPath}`).not.toContain(hostPath);
    }
  }
}

/** Command lines of live processes matching `pattern` (pgrep -f). */
async function processesMatching(pattern: string): Promise<string[]> {
  const result = await execa('pgrep', ['-a', '-f', '--', pattern], { reject: false, timeout: 10_000 });
  return result.stdout.split('\n').filter(Boolean);
}

test('a minimal module builds against the guest kernel: its vermagic is that of the guest kernel\'s own modules', async () => {
  test.setTimeout(5 * 60_000); // reads a guest module out of the 60 MB kernel package
  const image = await ensureGuestImage({ progress: () => {} });
  expect(headers.release).toBe(image.kernelRelease);

  const result = await build(await submission('hello', { 'hello.c': HELLO }), 'hello');
  expect(result.errors).toBe('');
  expect(result.ok).toBe(true);
  expect(result.module).toMatch(/\/hello\.ko$/);
  expect(result.log).toContain('LD [M]  submission/hello.ko');
  expectNoHostPaths(result);
  test.info().annotations.push({ type: 'build', description: `${result.ms.toFixed(0)} ms` });

  const kernelPackage = { name: `linux-image-${image.kernelRelease}`, version: image.packages[`linux-image-${image.kernelRelease}`]! };
  const deb = (await downloadPackages([kernelPackage], () => {})).get(kernelPackage.name)!;
  const guestModules = path.join(root, 'guest-modules');
  const gpioDrivers = `lib/modules/${image.kernelRelease}/kernel/drivers/gpio`;
  await extractFiles(deb, guestModules, [`${gpioDrivers}/gpio-*.ko`]);
  const [shipped] = await readdir(path.join(guestModules, gpioDrivers));
  const guestVermagic = (await modinfo(path.join(guestModules, gpioDrivers, shipped!))).get('vermagic');
  expect(guestVermagic).toMatch(new RegExp(`^${image.kernelRelease} SMP`));

  const info = await modinfo(result.module!);
  expect(info.get('vermagic')).toBe(guestVermagic);
  expect(info.get('name')).toBe('hello');
  expect(info.get('license')).toBe('GPL');
});

test('two .c files and a header link into one module named by the rubric, with pinrig\'s -objs Kbuild', async () => {
  const dir = await submission('two-files', {
    'blink.h': 'void blink_toggle(int times);\n',
    'blink_io.c': '#include <linux/kernel.h>\n#include "blink.h"\nvoid blink_toggle(int times) { pr_info("toggle %d\\n", times); }\n',
    'blink_main.c': HELLO.replace('pr_info("hello\\n");', 'blink_toggle(3);').replace('#include <linux/init.h>', '#include <linux/init.h>\n#include "blink.h"'),
  });
  const result = await build(dir, 'blink');
  expect(result.errors).toBe('');
  expect(result.ok).toBe(true);
  expect(await readFile(path.join(path.dirname(result.module!), 'Kbuild'), 'utf8')).toBe('obj-m := blink.o\nblink-objs := blink_io.o blink_main.o\n');
  expect((await modinfo(result.module!)).get('name')).toBe('blink');
  const symbols = await execa('aarch64-linux-gnu-nm', [result.module!], { timeout: 30_000 });
  expect(symbols.stdout).toMatch(/ T blink_toggle$/m);
  expect(symbols.stdout).toMatch(/ t hello_init$/m);
});

test('a module of several files cannot also have NAME.c: the student is told to rename it', async () => {
  const result = await build(await submission('clash', { 'clash.c': HELLO, 'extra.c': 'int extra;\n' }), 'clash');
  expect(result.ok).toBe(false);
  expect(result.errors).toContain('cannot have one named clash.c');
});

test('a compile error fails the build with the first error at submission/x.c:LINE and no host path anywhere', async () => {
  const broken = HELLO.replace('return 0;', 'return undefined_thing;');
  const line = broken.split('\n').findIndex((l) => l.includes('undefined_thing')) + 1;
  const result = await build(await submission('broken', { 'x.c': broken }), 'broken');
  expect(result.ok).toBe(false);
  expect(result.module).toBeUndefined();
  expect(result.errors).toMatch(new RegExp(`^submission/x\\.c:${line}:\\d+: error: 'undefined_thing' undeclared`, 'm'));
  expect(result.errors.split('\n').length).toBeLessThanOrEqual(40);
  expect(result.log).toContain(`submission/x.c:${line}`);
  expectNoHostPaths(result);
});

test('a Makefile, a Kbuild, a script and a symlink in the submission are left behind: pinrig\'s own Kbuild builds', async () => {
  const marker = `/tmp/pwned-${randomBytes(6).toString('hex')}`;
  const dir = await submission('hostile-make', {
    'hello.c': HELLO,
    Makefile: `$(shell touch ${marker}-parse)\nall:\n\ttouch ${marker}\n`,
    Kbuild: `$(shell touch $(M)/pwned-kbuild)\nobj-m := evil.o\n`,
    'build.sh': `#!/bin/sh\ntouch ${marker}-script\n`,
  });
  await execa('ln', ['-s', '/etc/passwd', path.join(dir, 'passwd.h')]);
  const result = await build(dir, 'hello');
  expect(result.ok).toBe(true);
  for (const suffix of ['', '-parse', '-script']) expect(existsSync(`${marker}${suffix}`), `${marker}${suffix}`).toBe(false);
  const buildDir = path.dirname(result.module!);
  const built = await readdir(buildDir);
  expect(built).not.toContain('pwned-kbuild');
  expect(built).not.toContain('Makefile');
  expect(built).not.toContain('build.sh');
  expect(built).not.toContain('passwd.h');
  expect(await readFile(path.join(buildDir, 'Kbuild'), 'utf8')).toBe('obj-m := hello.o\n');
  expect(result.log).toContain('Makefile (not a .c or .h file)');
  expect(result.log).toContain('passwd.h (a symbolic link)');
});

test('#include of a sibling submission fails (relative or absolute path) and its secret stays out of the feedback', async () => {
  const token = `SECRET_${randomBytes(8).toString('hex')}`;
  const bob = await submission('bob', { 'secret.c': `const char *answer = "${token}";\n` });
  for (const [name, include] of [['alice_rel', '../bob/secret.c'], ['alice_abs', path.join(bob, 'secret.c')]] as const) {
    const alice = await submission(name, { 'main.c': `#include "${include}"\n${HELLO}` });
    expect(existsSync(path.resolve(alice, include)), 'the file is there on the host').toBe(true);
    const result = await build(alice, name);
    expect(result.ok).toBe(false);
    expect(result.errors).toMatch(/^submission\/main\.c:1:10: fatal error: .*: No such file or directory$/m);
    expect(result.errors + result.log).not.toContain(token);
    expectNoHostPaths(result);
  }
});

test('#include of host files (/etc/shadow, the repository) fails: they are not in the sandbox', async () => {
  const targets = ['/etc/shadow', '/etc/hostname', path.join(REPO_ROOT, 'package.json')].filter((file) => existsSync(file));
  expect(targets.length).toBeGreaterThanOrEqual(2);
  for (const [i, target] of targets.entries()) {
    const name = `host_file_${i}`;
    const result = await build(await submission(name, { 'main.c': `#include "${target}"\n${HELLO}` }), name);
    expect(result.ok).toBe(false);
    expect(result.errors).toMatch(/^submission\/main\.c:1:10: fatal error: .*: No such file or directory$/m);
    expect(result.log).not.toContain('"name": "pinrig"');
    expect(result.log).not.toMatch(/root:[^:]*:\d+:/);
    expectNoHostPaths(result);
  }
});

test('a build that never ends is killed at the time limit with every sandboxed process gone', async () => {
  // Each inclusion includes the file twice more: 2^40 inclusions, minutes of cc1 before its memory limit.
  const name = `forever_${randomBytes(4).toString('hex')}`;
  const dir = await submission(name, { 'forever.c': '#if __INCLUDE_LEVEL__ < 40\n#include __FILE__\n#include __FILE__\n#endif\n' });
  const building = build(dir, name, 4_000);

  // The patterns must see the live build (bwrap's arguments name the work folder; cc1's carry KBUILD_MODNAME).
  const workDir = path.join(root, 'work', name);
  const seen = { sandbox: false, compiler: false };
  const deadline = performance.now() + 3_500;
  while (performance.now() < deadline && !(seen.sandbox && seen.compiler)) {
    seen.sandbox ||= (await processesMatching(workDir)).length > 0;
    seen.compiler ||= (await processesMatching(`cc1 .*${name}`)).length > 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(seen).toEqual({ sandbox: true, compiler: true });

  const result = await building;
  expect(result.ok).toBe(false);
  expect(result.errors).toContain('build took longer than 4 s');
  expect(result.ms).toBeGreaterThanOrEqual(4_000);
  expect(result.ms).toBeLessThan(9_000);
  expect(await processesMatching(workDir)).toEqual([]);
  expect(await processesMatching(name)).toEqual([]);
});

test('an output flood is cut off: the build is stopped and the log keeps its start and end, bounded', async () => {
  // 2^17 #warning lines, each under an include chain up to 16 deep: far beyond the output limit.
  const flood = '#if __INCLUDE_LEVEL__ < 16\n#include __FILE__\n#include __FILE__\n#endif\n#warning flooding the build log\n';
  const result = await build(await submission('flood', { 'flood.c': flood }), 'flood');
  expect(result.ok).toBe(false);
  expect(result.errors).toContain(`build output exceeded ${SANDBOX_LIMITS.outputBytes >> 20} MiB`);
  expect(result.log.length).toBeLessThanOrEqual(LOG_BOUND);
  expect(result.log).toMatch(/\[\.\.\. \d+ bytes of output left out \.\.\.\]/);
  expect(result.log).toContain('pinrig: sources flood.c');
  expect(result.log).toContain('warning: #warning flooding the build log');
});

test('the sandbox has no network, an empty environment and sees none of the host\'s folders', async () => {
  const buildDir = await mkdtemp(path.join(root, 'sandbox-'));
  const run = (command: string[]) => runInBuildSandbox(command, { buildDir, headers, timeoutMs: 10_000 });
  const interfaces = (text: string) => [...text.matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1]);

  const host = await execa('ip', ['-o', 'link'], { timeout: 10_000 });
  expect(interfaces(host.stdout).length, 'the host has a network interface besides lo').toBeGreaterThan(1);
  const links = await run(['ip', '-o', 'link']);
  expect(links.exitCode).toBe(0);
  expect(interfaces(links.output)).toEqual(['lo']);

  const env = await run(['env']);
  expect(env.output.trim().split('\n').sort()).toEqual(['LC_ALL=C', 'PATH=/usr/bin:/bin', 'PWD=/submission']);

  const top = await run(['ls', '-A', '/', '/etc']);
  expect(top.exitCode).toBe(0);
  const [rootList, etcList] = top.output.split('\n\n');
  const rootEntries = rootList!.split('\n').slice(1);
  expect(rootEntries).toEqual(expect.arrayContaining(['usr', 'submission', 'tmp', 'dev']));
  for (const hidden of ['work', 'root', 'home', 'proc', 'sys', 'var']) expect(rootEntries).not.toContain(hidden);
  expect(etcList!.trim().split('\n').slice(1)).toEqual(['alternatives']);
});

test('the host tool check passes for what the headers need and names a package that is missing or too old', async () => {
  const { depends } = JSON.parse(await readFile(path.join(headers.srcDir, 'headers.json'), 'utf8')) as { depends: HeadersDepends };
  expect(await hostToolsFor(depends).missingPackages()).toEqual([]);
  const newer = { ...depends, gccMajor: '99', kbuild: { ...depends.kbuild, minVersion: `${depends.kbuild.minVersion}+99` } };
  expect(await hostToolsFor(newer).missingPackages()).toEqual(['gcc-99-aarch64-linux-gnu', `linux-kbuild-${depends.kbuild.series}`]);
});
