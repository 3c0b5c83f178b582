/**
 * What the guest is made of: which Debian arm64 packages and kernel modules, which of their files go into the
 * initramfs, and the /init that turns them into a shell on the console and an SSH server on the network. Everything
 * here but the SSH keys (made per build) feeds the image's cache key, so editing it rebuilds.
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
export function kernelFiles(release: string): { kernel: string; raspi3bDtb: string; raspi4bDtb: string } {
  return {
    kernel: `boot/vmlinuz-${release}`,
    raspi3bDtb: `usr/lib/linux-image-${release}/broadcom/bcm2837-rpi-3-b.dtb`,
    raspi4bDtb: `usr/lib/linux-image-${release}/broadcom/bcm2711-rpi-4-b.dtb`,
  };
}

/**
 * Nodes of Debian's bcm2711-rpi-4-b.dtb disabled for QEMU's raspi4b (qemu.md): QEMU leaves these blocks unmapped, and
 * the kernel panics probing them (the clock block in clk_disable_unused); the Bluetooth serdev would take the PL011
 * that carries the console.
 */
export const RASPI4B_DISABLED_NODES = [
  '/soc/interrupt-controller@7ef00100', '/soc/i2c@7ef04500', '/soc/i2c@7ef09500', '/soc/hdmi@7ef00700',
  '/soc/hdmi@7ef05700', '/soc/clock@7ef00000', '/soc/serial@7e201000/bluetooth',
] as const;

/**
 * The packages whose files go into the initramfs; add one here to put it into the guest. Libraries are listed by the
 * .so files their users need (readelf -d: NEEDED), not whole packages.
 */
export const INITRAMFS_PACKAGES: readonly GuestPackage[] = [
  { name: 'busybox-static', initramfs: ['bin/busybox'] },
  {
    name: 'libc6',
    initramfs: ['lib/ld-linux-aarch64.so.1', 'lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', 'lib/aarch64-linux-gnu/libc.so.6'],
  },
  { name: 'libgpiod2', initramfs: ['usr/lib/aarch64-linux-gnu/libgpiod.so.2*'] },
  { name: 'gpiod', initramfs: ['usr/bin/gpio*'] },
  // The SSH server for targets reached over the network (qemu-virt), and the libraries it and libtomcrypt load.
  { name: 'dropbear-bin', initramfs: ['usr/sbin/dropbear'] },
  { name: 'libcrypt1', initramfs: ['lib/aarch64-linux-gnu/libcrypt.so.1*'] },
  { name: 'libtomcrypt1', initramfs: ['usr/lib/aarch64-linux-gnu/libtomcrypt.so.1*'] },
  { name: 'libtommath1', initramfs: ['usr/lib/aarch64-linux-gnu/libtommath.so.1*'] },
  { name: 'libgmp10', initramfs: ['usr/lib/aarch64-linux-gnu/libgmp.so.10*'] },
  { name: 'zlib1g', initramfs: ['lib/aarch64-linux-gnu/libz.so.1*'] },
];

export interface GuestModule {
  /** Module name as lsmod shows it; its dependencies are found in the kernel package and loaded first. */
  readonly name: string;
  /** What the guest needs it for. */
  readonly why: string;
}

/**
 * Kernel modules /init loads, from the kernel package. A module for a device the machine lacks loads and waits
 * harmlessly (virtio on raspi3b), so one image serves every machine.
 */
export const GUEST_MODULES: readonly GuestModule[] = [
  { name: 'virtio_mmio', why: 'virt: the bus QEMU virt puts its virtio devices on' },
  { name: 'virtio_net', why: 'virt: the network card SSH comes in through (QEMU user networking)' },
];

/**
 * pinrig's own module, built from source with the grading build sandbox (harness/grading/kbuild.ts) and loaded by
 * /init after GUEST_MODULES: the GPIO controller's registers as the file `device`, whose offsets are the registers
 * (the `registers` fixture uses it). Its source feeds the image's key.
 */
export const REGISTER_FILE = {
  module: 'pinrig_regs',
  device: '/dev/gpio-regs',
  /** The folder holding pinrig_regs.c, from the repository root. */
  sourceDir: 'harness/guest/register-file',
  /** Where it lies in the initramfs, under lib/modules/<release>/. */
  installDir: 'extra',
  /**
   * The guest program that makes a list of accesses to the file in one process (harness/targets/register-file.ts), and
   * where its source is. Its source feeds the image's key too.
   */
  tool: {
    path: 'usr/bin/pinrig-regs',
    source: 'harness/guest/register-tool/pinrig-regs.c',
    /** Static and freestanding: the guest has no libc to build against, and the tool needs none. */
    flags: ['-Os', '-static', '-nostdlib', '-ffreestanding', '-fno-builtin', '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-s', '-Wall', '-Wextra', '-Werror'],
  },
} as const;

/** Where the build puts what it makes (inside the initramfs). */
export const GUEST_PATHS = {
  /** The resolved modules, one absolute path a line, in load order. */
  moduleList: 'etc/pinrig/modules',
  hostKey: 'etc/dropbear/dropbear_ed25519_host_key',
  authorizedKeys: 'root/.ssh/authorized_keys',
} as const;

/** The user pinrig logs in as over SSH: GPIO character devices, sysfs and insmod need root. */
export const GUEST_USER = 'root';

/**
 * /init, run by busybox as PID 1. The console is whatever the kernel command line chose (ttyS1 on raspi3b, ttyAMA0 on
 * virt): cttyhack opens it as the controlling terminal so Ctrl-C and job control work, and the loop brings a new shell
 * back when one exits. Where there is a network card (virt), it gets QEMU user networking's fixed addresses (guest
 * 10.0.2.15, host side 10.0.2.2) and dropbear listens on port 22 with the baked host key, public keys only.
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
while read -r module; do
  insmod "$module"
done < /${GUEST_PATHS.moduleList}
ip link set lo up
if [ -e /sys/class/net/eth0 ] && ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up &&
  ip route add default via 10.0.2.2; then
  dropbear -r /${GUEST_PATHS.hostKey} -s -p 22
fi
cd /root
while true; do
  setsid cttyhack sh
done
`;

/**
 * What the initramfs holds besides package files and what the build makes: the folders /init expects, the console
 * node the kernel opens for /init before devtmpfs is mounted, root's passwd entry (dropbear logs in only users it
 * finds there, with a shell listed in /etc/shells), and /init itself.
 */
export function initramfsSkeleton(): InitramfsEntry[] {
  const dirs = ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'tmp', 'root', 'root/.ssh', 'etc'];
  const text = (path: string, content: string): InitramfsEntry => ({ kind: 'file', path, mode: 0o644, data: Buffer.from(content) });
  return [
    ...dirs.map((path): InitramfsEntry => ({ kind: 'dir', path })),
    { kind: 'chardev', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
    text('etc/passwd', `${GUEST_USER}:x:0:0:${GUEST_USER}:/root:/bin/sh\n`),
    text('etc/group', `${GUEST_USER}:x:0:\n`),
    text('etc/shells', '/bin/sh\n'),
    { kind: 'file', path: 'init', mode: 0o755, data: Buffer.from(INIT_SCRIPT) },
  ];
}

/** What the build makes for the initramfs: the SSH host key, pinrig's authorized key and the module load list. */
export function initramfsBuilt(keys: { hostKey: Buffer; clientPublicKey: string }, modulePaths: readonly string[]): InitramfsEntry[] {
  return [
    { kind: 'file', path: GUEST_PATHS.hostKey, mode: 0o600, data: keys.hostKey },
    { kind: 'file', path: GUEST_PATHS.authorizedKeys, mode: 0o600, data: Buffer.from(`${keys.clientPublicKey}\n`) },
    { kind: 'file', path: GUEST_PATHS.moduleList, mode: 0o644, data: Buffer.from(modulePaths.map((p) => `/${p}\n`).join('')) },
  ];
}
