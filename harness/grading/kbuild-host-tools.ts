/**
 * The host packages a module build runs, named from what the kernel headers package depends on: the cross gcc of the
 * major version the kernel was built with, the host kbuild of the headers' upstream series (its prebuilt fixdep and
 * modpost), make, and bubblewrap for the sandbox.
 */
import { access, constants } from 'node:fs/promises';
import { execa } from 'execa';
import type { DebianPackage } from '../guest/packages.js';

/** What the linux-headers-<release> package depends on. */
export interface HeadersDepends {
  /** linux-headers-<abi>-common at the exact same version. */
  readonly common: DebianPackage;
  /** linux-kbuild-<series> at `minVersion` or newer. */
  readonly kbuild: { readonly series: string; readonly minVersion: string };
  /** The gcc major version the kernel was built with (the headers' Makefile calls `$(CROSS_COMPILE)gcc-<major>`). */
  readonly gccMajor: string;
}

export interface HostTools {
  /** Installed kbuild folder, e.g. /usr/lib/linux-kbuild-6.1. */
  readonly kbuildDir: string;
  /** Packages whose file is missing (or, for kbuild, older than the headers require). */
  missingPackages(): Promise<string[]>;
}

const isExecutable = (file: string): Promise<boolean> => access(file, constants.X_OK).then(() => true, () => false);

/** True when the installed version of `pkg` is at least `min` (dpkg's own version comparison). */
async function installedAtLeast(pkg: string, min: string): Promise<boolean> {
  const query = await execa('dpkg-query', ['--show', '--showformat=${Version}', pkg], { reject: false, timeout: 30_000 });
  if (query.exitCode !== 0 || query.stdout === '') return false;
  const compare = await execa('dpkg', ['--compare-versions', query.stdout, 'ge', min], { reject: false, timeout: 30_000 });
  return compare.exitCode === 0;
}

export function hostToolsFor(depends: HeadersDepends): HostTools {
  const kbuildPackage = `linux-kbuild-${depends.kbuild.series}`;
  const kbuildDir = `/usr/lib/${kbuildPackage}`;
  // One file per package proves it is installed; all under /usr, the only system folder the sandbox sees.
  const needs = [
    { pkg: `gcc-${depends.gccMajor}-aarch64-linux-gnu`, file: `/usr/bin/aarch64-linux-gnu-gcc-${depends.gccMajor}` },
    { pkg: kbuildPackage, file: `${kbuildDir}/scripts/mod/modpost` },
    { pkg: 'make', file: '/usr/bin/make' },
    { pkg: 'bubblewrap', file: '/usr/bin/bwrap' },
  ];
  return {
    kbuildDir,
    async missingPackages() {
      const missing: string[] = [];
      for (const { pkg, file } of needs) {
        const present = (await isExecutable(file)) && (pkg !== kbuildPackage || (await installedAtLeast(pkg, depends.kbuild.minVersion)));
        if (!present) missing.push(pkg);
      }
      return missing;
    },
  };
}
