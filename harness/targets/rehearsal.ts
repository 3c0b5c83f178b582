/**
 * A board rehearsed on the QEMU virt guest: the board path (SSH link with a pinned host key, profile pin names, sysfs
 * and libgpiod in the guest) runs for real against the guest, and the QEMU probe stands in for the USB analyzer.
 * SSH is forwarded on 127.0.0.1 only.
 */
import net from 'node:net';
import { freeLoopbackPort } from '../links/free-port.js';
import type { GuestImage } from '../guest/image.js';
import type { BoardProfile } from './board-profile.js';
import { SshLink, type SshOptions } from '../links/ssh.js';
import type { QemuTarget } from './qemu-target.js';
import { SshShell } from '../links/ssh-shell.js';
import { BoardTarget } from './board.js';
import { bootVirt } from './qemu-virt.js';

/** The virt guest with its SSH server forwarded to 127.0.0.1, ready (banner seen), and how to log in to it. */
export async function bootVirtWithSsh(image: GuestImage, profile?: BoardProfile): Promise<{ machine: QemuTarget; ssh: SshOptions }> {
  const port = await freeLoopbackPort();
  const machine = await bootVirt({
    image,
    ...(profile ? { profile } : {}),
    extraArgs: ['-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-device,netdev=n0'],
  });
  try {
    // Reached over the network, the guest must answer whenever the host writes: it runs for as long as it lives.
    await machine.run.hold();
    await sshBanner(port, 20_000);
  } catch (error) {
    await machine.close();
    throw error;
  }
  return { machine, ssh: { host: '127.0.0.1', port, user: image.ssh.user, privateKey: image.ssh.privateKey, hostKey: image.ssh.hostKeyFingerprint } };
}

export async function rehearseOnVirt(profile: BoardProfile, image: GuestImage, name: string): Promise<BoardTarget> {
  const { machine, ssh } = await bootVirtWithSsh(image, profile);
  let hostSsh: SshLink | undefined;
  try {
    // The KVM host's part is played by the guest itself, on a connection of its own as the real host has.
    hostSsh = await SshLink.connect(ssh);
    const host = { shell: new SshShell(hostSsh), sysfs: STAGED_SYSFS };
    await stageHost(host.shell, profile.passthrough?.devices ?? []);
    const link = hostSsh;
    return await BoardTarget.connect(profile, {
      name,
      ssh,
      passthroughHost: host,
      analyzer: {
        record: (channels) => machine.record(channels.map((c) => c.pin.name)),
        close: async () => {
          await link.close();
          await machine.close();
        },
      },
    });
  } catch (error) {
    await hostSsh?.close();
    await machine.close();
    throw error;
  }
}

const STAGED_SYSFS = '/tmp/kvm-host/sys';

/**
 * Debian's kernel has no VFIO_PLATFORM, so no machine here can bind a GPIO controller to vfio-platform: the rehearsal
 * stages what the Orin host shows after the procedure's binding steps (sysfs under STAGED_SYSFS, and a process whose
 * command line is the guest's QEMU), and the preflight runs its real commands against it over SSH.
 */
async function stageHost(shell: SshShell, devices: readonly string[]): Promise<void> {
  for (const device of devices) if (!/^[\w.:-]+$/.test(device)) throw new Error(`rehearsal: ${JSON.stringify(device)} is not a platform device name`);
  const root = STAGED_SYSFS;
  const lines = [
    `mkdir -p ${root}/bus/platform/drivers/vfio-platform ${root}/module/vfio_iommu_type1/parameters`,
    `echo Y > ${root}/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts`,
    ...devices.flatMap((d) => [
      `mkdir -p ${root}/bus/platform/devices/${d}`,
      `ln -sfn ../../drivers/vfio-platform ${root}/bus/platform/devices/${d}/driver`,
      `echo vfio-platform > ${root}/bus/platform/devices/${d}/driver_override`,
    ]),
    `(sh -c 'while :; do sleep 3600; done' qemu-system-aarch64 -machine virt,accel=kvm ${devices.map((d) => `-device vfio-platform,host=${d}`).join(' ')} > /dev/null 2>&1 &)`,
  ];
  await shell.check(lines.join(' && '));
}


/**
 * Waits until the guest's SSH server greets. The shell prompt comes first, and QEMU accepts on the forwarded port
 * before dropbear listens (then drops the connection), so only the banner says SSH is ready.
 */
async function sshBanner(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = net.createConnection({ host: '127.0.0.1', port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('data', (chunk) => done(chunk.toString().startsWith('SSH-')));
      socket.once('error', () => done(false));
      socket.once('close', () => done(false));
    });
    if (greeted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the guest's SSH server on 127.0.0.1:${port} did not greet within ${timeoutMs} ms`);
}
