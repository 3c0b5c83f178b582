/**
 * What the guest is made of: which Debian arm64 packages, which of their files go into the initramfs, and the /init
 * that turns them into a shell on the console. Everything here feeds the image's cache key, so editing it rebuilds.
 */
import type { InitramfsEntry } from './initramfs.js';

export interface GuestPackage {
  /** Debian package name (arm64). */
  readonly name: string;
  /** Paths inside the package (tar wildcards allowed) copied into the initramfs; symlink targets must be listed too. */
  readonly initramfs: readonly string[];
}

/** The shell prompt on the guest console: short, and unlikely in command output. */
export const GUEST_PROMPT = 'pinrig# ';

/** Files taken from the kernel package, next to (not inside) the initramfs. */
export function kernelFiles(release: string): { kernel: string; raspi3bDtb: string } {
  return {
    kernel: `boot/vmlinuz-${release}`,
    raspi3bDtb: `usr/lib/linux-image-${release}/broadcom/bcm2837-rpi-3-b.dtb`,
  };
}

/**
 * The packages whose files go into the initramfs; add one here (dropbear-bin and its libraries, for SSH) to put it
 * into the guest. Kernel modules (bcm2835_wdt) come from the kernel package instead, whose name follows the release
 * (see kernelFiles).
 */
export const INITRAMFS_PACKAGES: readonly GuestPackage[] = [
  { name: 'busybox-static', initramfs: ['bin/busybox'] },
  {
    name: 'libc6',
    initramfs: ['lib/ld-linux-aarch64.so.1', 'lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', 'lib/aarch64-linux-gnu/libc.so.6'],
  },
  { name: 'libgpiod2', initramfs: ['usr/lib/aarch64-linux-gnu/libgpiod.so.2*'] },
  { name: 'gpiod', initramfs: ['usr/bin/gpio*'] },
];

/**
 * /init, run by busybox as PID 1. The console is whatever the kernel command line chose (ttyS1 on raspi3b, ttyAMA0 on
 * virt): cttyhack opens it as the controlling terminal so Ctrl-C and job control work, and the loop brings a new shell
 * back when one exits.
 */
const INIT_SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PS1='${GUEST_PROMPT}'
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
hostname pinrig
cd /root
while true; do
  setsid cttyhack sh
done
`;

/**
 * What the initramfs holds besides package files: the folders /init expects, the console node the kernel opens for
 * /init before devtmpfs is mounted, and /init itself.
 */
export function initramfsSkeleton(): InitramfsEntry[] {
  const dirs = ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'tmp', 'root', 'etc'];
  return [
    ...dirs.map((path): InitramfsEntry => ({ kind: 'dir', path })),
    { kind: 'chardev', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
    { kind: 'file', path: 'init', mode: 0o755, data: Buffer.from(INIT_SCRIPT) },
  ];
}
