/**
 * Building the guest image (harness/guest/image.ts finds it, and calls this when it is missing): Debian arm64 packages
 * downloaded and unpacked, pinrig's register-file module and tool built in the module build sandbox, the initramfs
 * written, all staged beside the target folder and published whole.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { buildModule, ensureBuildToolchain, type KernelHeaders } from '../grading/kbuild.js';
import { runInBuildSandbox } from '../grading/kbuild-sandbox.js';
import { REPO_ROOT } from '../repo-root.js';
import { GUEST_MODULES, GUEST_PROMPT, GUEST_USER, INITRAMFS_PACKAGES, initramfsBuilt, initramfsSkeleton, kernelFiles, RASPI4B_DISABLED_NODES, REGISTER_FILE } from './contents.js';
import { FILES, MANIFEST, readBuilt } from './image.js';
import { entriesFromTree, writeInitramfs, type InitramfsEntry } from './initramfs.js';
import { extractModules } from './modules.js';
import { downloadPackages, extractFiles, type DebianPackage, type Kernel, type Progress } from './packages.js';
import { makeGuestKeys, sshFingerprint } from './ssh-keys.js';

/**
 * Moves the finished image from `staged` to `dir` in one rename, so a reader, or another process building the same key
 * at the same time, sees all of one build or none of it: the SSH keys must match the initramfs they went into.
 */
async function publish(staged: string, dir: string, key: string): Promise<void> {
  try {
    await rename(staged, dir); // atomic where dir is missing or an empty folder
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  if (await readBuilt(dir, key)) return; // another process finished this key first: keep its build whole
  // A folder holding something else (--out pointed at an older image): replace the files, image.json last.
  await rm(path.join(dir, MANIFEST), { force: true });
  const names = (await readdir(staged)).filter((name) => name !== MANIFEST);
  for (const name of [...names, MANIFEST]) await rename(path.join(staged, name), path.join(dir, name));
}

/** Sets status = "disabled" on device tree nodes (fdtput, from device-tree-compiler). */
async function disableNodes(dtb: string, nodes: readonly string[]): Promise<void> {
  for (const node of nodes) {
    const result = await execa('fdtput', ['-t', 's', dtb, node, 'status', 'disabled'], { reject: false, timeout: 30_000 });
    if (result.exitCode !== 0) throw new Error(`${path.basename(dtb)}: cannot disable ${node} with fdtput (install device-tree-compiler): ${result.stderr || result.message}`);
  }
}

/** The register file's module, built for this kernel in the module build sandbox, as an initramfs entry. */
async function buildRegisterFile(kernel: Kernel, work: string, progress: Progress): Promise<Array<InitramfsEntry & { kind: 'file' }>> {
  const headers = await ensureBuildToolchain({ kernel, progress });
  progress(`building ${REGISTER_FILE.module}.ko (${REGISTER_FILE.device}) against ${headers.buildTree}, and ${path.basename(REGISTER_FILE.tool.path)}`);
  const built = await buildModule(path.join(REPO_ROOT, REGISTER_FILE.sourceDir), { moduleName: REGISTER_FILE.module, workDir: path.join(work, 'kbuild'), headers });
  if (!built.ok) throw new Error(`${REGISTER_FILE.sourceDir}/${REGISTER_FILE.module}.c did not build for ${kernel.release}:\n${built.errors}`);
  const at = `lib/modules/${kernel.release}/${REGISTER_FILE.installDir}/${REGISTER_FILE.module}.ko`;
  return [
    { kind: 'file', path: at, mode: 0o644, data: await readFile(built.module!) },
    { kind: 'file', path: REGISTER_FILE.tool.path, mode: 0o755, data: await buildRegisterTool(headers, path.join(work, 'tool')) },
  ];
}

/** The register file's guest tool, compiled with the kernel's cross compiler in the build sandbox. */
async function buildRegisterTool(headers: KernelHeaders, buildDir: string): Promise<Buffer> {
  const source = path.basename(REGISTER_FILE.tool.source);
  const program = path.basename(REGISTER_FILE.tool.path);
  await mkdir(buildDir);
  await copyFile(path.join(REPO_ROOT, REGISTER_FILE.tool.source), path.join(buildDir, source));
  const run = await runInBuildSandbox([headers.crossCompiler, ...REGISTER_FILE.tool.flags, '-o', program, source], { buildDir, headers, timeoutMs: 60_000 });
  if (run.exitCode !== 0) throw new Error(`${REGISTER_FILE.tool.source} did not build with ${headers.crossCompiler}: ${run.stopped ?? run.output.trim().slice(-2000)}`);
  return readFile(path.join(buildDir, program));
}

/** Builds in a scratch folder next to the target and publishes the result whole, so a crash never leaves a half image. */
export async function buildImage(dir: string, key: string, kernel: Kernel, packages: readonly DebianPackage[], progress: Progress): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  const work = await mkdtemp(`${dir}.partial-`);
  try {
    const staged = path.join(work, 'image');
    const kernelDir = path.join(work, 'kernel');
    const root = path.join(work, 'root');
    const keysDir = path.join(work, 'keys');
    await Promise.all([staged, keysDir].map((folder) => mkdir(folder)));
    const keys = await makeGuestKeys(keysDir, path.join(staged, FILES.sshPrivateKey), progress);

    const debs = await downloadPackages([kernel.package, ...packages], progress);
    const kernelDeb = debs.get(kernel.package.name)!;
    progress(`extracting ${kernel.package.name} and ${INITRAMFS_PACKAGES.length} packages`);
    const fromKernel = kernelFiles(kernel.release);
    await extractFiles(kernelDeb, kernelDir, [fromKernel.kernel, fromKernel.raspi3bDtb, fromKernel.raspi4bDtb]);
    await rename(path.join(kernelDir, fromKernel.kernel), path.join(staged, FILES.kernel));
    await rename(path.join(kernelDir, fromKernel.raspi3bDtb), path.join(staged, FILES.raspi3bDtb));
    await rename(path.join(kernelDir, fromKernel.raspi4bDtb), path.join(staged, FILES.raspi4bDtb));
    await disableNodes(path.join(staged, FILES.raspi4bDtb), RASPI4B_DISABLED_NODES);
    const modules = await extractModules(kernelDeb, kernel.release, GUEST_MODULES.map((m) => m.name), kernelDir);
    progress(`kernel modules in load order: ${modules.map((m) => m.name).join(', ')}`);
    const moduleFiles = await Promise.all(modules.map(async (m): Promise<InitramfsEntry> => (
      { kind: 'file', path: m.path, mode: 0o644, data: await readFile(path.join(kernelDir, m.path)) }
    )));

    const registerFile = await buildRegisterFile(kernel, work, progress);
    const registerModule = registerFile[0]!;

    for (const p of INITRAMFS_PACKAGES) await extractFiles(debs.get(p.name)!, root, p.initramfs);
    const entries = [
      ...initramfsSkeleton(),
      ...(await entriesFromTree(root)),
      ...moduleFiles,
      ...registerFile,
      ...initramfsBuilt(keys, [...modules.map((m) => m.path), registerModule.path]),
    ];
    const size = await writeInitramfs(path.join(staged, FILES.initrd), entries);
    progress(`initramfs ${(size / 1e6).toFixed(1)} MB`);

    const manifest = {
      key,
      kernelRelease: kernel.release,
      packages: Object.fromEntries([kernel.package, ...packages].map((p) => [p.name, p.version])),
      prompt: GUEST_PROMPT,
      files: FILES,
      modules: [...modules.map((m) => m.name), REGISTER_FILE.module],
      ssh: {
        user: GUEST_USER,
        privateKey: FILES.sshPrivateKey,
        hostPublicKey: keys.hostPublicKey,
        hostKeyFingerprint: sshFingerprint(keys.hostPublicKey),
      },
    };
    await writeFile(path.join(staged, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await publish(staged, dir, key);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

