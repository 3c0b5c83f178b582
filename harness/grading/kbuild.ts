/**
 * Builds one submission's kernel module for the guest kernel, on the host, without running anything the student wrote
 * or chose: only the submission's top-level .c and .h files are copied into a fresh build folder, pinrig writes the
 * Kbuild, and make runs in a bubblewrap sandbox against Debian's headers for the exact guest kernel. The student sees
 * the compiler's first errors with paths as `submission/x.c:LINE`, never a host path.
 */
import { lstat, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { firstErrors, sanitize, SANDBOX_BUILD_DIR } from './kbuild-output.js';
import { runInBuildSandbox } from './kbuild-sandbox.js';
import { copySources, kbuildText } from './kbuild-sources.js';
import { ensureBuildToolchain, type KernelHeaders } from './kernel-headers.js';
import { hostPathScrubber } from './scrub.js';

export interface ModuleBuild {
  readonly ok: boolean;
  /** The built .ko, in the build folder under workDir (outside the sandbox). */
  readonly module?: string;
  /** Why it failed: the compiler's first errors (up to 40 lines) or the limit it hit; empty when ok. */
  readonly errors: string;
  /** The whole build output, bounded (about 64 KiB, its start and end), sanitized like `errors`. */
  readonly log: string;
  /** Copying and building, without preparing the toolchain. */
  readonly ms: number;
}

export interface BuildOptions {
  /** The module's name (NAME.ko), a C identifier: the rubric loads it under this name. */
  readonly moduleName: string;
  /** A fresh build folder is made under it; the caller removes it when done with the .ko. */
  readonly workDir: string;
  /** Kills the build after this long; 60 s by default (a module builds in about 2 s). */
  readonly timeoutMs?: number;
  /** The headers to build against; by default ensureBuildToolchain() for the current guest kernel. */
  readonly headers?: KernelHeaders;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,55}$/;
const FALLBACK_LINES = 20;

export { ensureBuildToolchain, type KernelHeaders };

export async function buildModule(submissionDir: string, options: BuildOptions): Promise<ModuleBuild> {
  const name = options.moduleName;
  if (!MODULE_NAME.test(name)) throw new Error(`module name ${JSON.stringify(name)} is not a C identifier of up to 56 characters`);
  const headers = options.headers ?? (await ensureBuildToolchain());
  const started = performance.now();
  await mkdir(options.workDir, { recursive: true });
  const buildDir = await mkdtemp(path.join(options.workDir, `${name}-`));
  const hostPaths = hostPathScrubber({
    [path.resolve(options.workDir)]: '<host path>',
    [path.resolve(submissionDir)]: 'submission',
    [buildDir]: 'submission',
    [headers.srcDir]: 'kernel-headers',
  });
  const finish = (ok: boolean, errors: string, log: string): ModuleBuild => ({
    ok,
    ...(ok ? { module: path.join(buildDir, `${name}.ko`) } : {}),
    errors: sanitize(errors, hostPaths),
    log: sanitize(log, hostPaths),
    ms: performance.now() - started,
  });

  const copied = await copySources(submissionDir, buildDir);
  const notes = [
    `pinrig: sources ${copied.sources.join(' ') || '(none)'}`,
    ...(copied.ignored.length > 0 ? [`pinrig: not used: ${copied.ignored.join(', ')}`] : []),
  ].join('\n');
  if (copied.problem) return finish(false, copied.problem, `${notes}\n${copied.problem}\n`);
  const kbuild = kbuildText(name, copied.sources);
  if ('problem' in kbuild) return finish(false, kbuild.problem, `${notes}\n${kbuild.problem}\n`);
  await writeFile(path.join(buildDir, 'Kbuild'), kbuild.text, { flag: 'wx' });

  const make = ['make', '-C', `/usr/src/${headers.buildTree}`, `M=${SANDBOX_BUILD_DIR}`, 'ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-', 'modules'];
  const run = await runInBuildSandbox(make, { buildDir, headers, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  const log = `${notes}\npinrig: Kbuild ${kbuild.text.trim().split('\n').join('; ')}\n${run.output}`;
  const module = path.join(buildDir, `${name}.ko`);
  if (run.exitCode === 0 && (await lstat(module).then((s) => s.isFile(), () => false))) {
    // The guest gets the module over its console: without its debug information it is about a tenth of the size.
    // Stripped in the sandbox too: binutils reading a student's object is still the student's input.
    const strip = await runInBuildSandbox(['aarch64-linux-gnu-strip', '--strip-debug', `${name}.ko`], { buildDir, headers, timeoutMs: 30_000 });
    if (strip.exitCode === 0) return finish(true, '', log);
    return finish(false, `the module built but its debug information could not be stripped: ${strip.stopped ?? strip.output.trim().slice(-500)}`, `${log}
${strip.output}`);
  }

  const sanitizedLog = sanitize(log, hostPaths);
  const compiler = firstErrors(sanitizedLog);
  const reason = run.stopped ?? (run.exitCode === 0 ? `make succeeded but left no ${name}.ko` : compiler ? '' : `make failed (exit ${run.exitCode})`);
  const tail = compiler || run.stopped ? '' : sanitizedLog.trimEnd().split('\n').slice(-FALLBACK_LINES).join('\n');
  return finish(false, [reason, compiler, tail].filter(Boolean).join('\n'), log);
}
