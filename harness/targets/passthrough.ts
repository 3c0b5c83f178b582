/**
 * Preflight of GPIO passthrough to a KVM guest (seeds/orin-gpio-passthrough.txt): on the host, each GPIO controller is
 * bound to vfio-platform, unsafe interrupts are allowed for vfio_iommu_type1, and the guest's QEMU runs with the
 * controllers passed through. Each check says what it found, so a failed preflight tells the engineer what to fix.
 */
import type { TargetShell } from './target.js';

export interface PreflightCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly found: string;
}

/** The host side: a shell on the KVM host, and where its sysfs is (a rehearsal stages one elsewhere). */
export interface PassthroughHost {
  readonly shell: TargetShell;
  readonly sysfs: string;
}

const SAFE = /^[\w.:-]+$/;

export async function preflight(host: PassthroughHost, devices: readonly string[]): Promise<PreflightCheck[]> {
  for (const name of [...devices, host.sysfs.replace(/\//g, '')]) {
    if (!SAFE.test(name)) throw new Error(`passthrough preflight: ${JSON.stringify(name)} is not a platform device or sysfs path name`);
  }
  const checks: PreflightCheck[] = [];
  for (const device of devices) {
    const node = `${host.sysfs}/bus/platform/devices/${device}`;
    const driver = (await host.shell.run(`readlink ${node}/driver`)).output.trim();
    const bound = driver.split('/').pop() ?? '';
    checks.push({ check: `${device} bound to vfio-platform`, ok: bound === 'vfio-platform', found: driver ? `driver ${bound}` : `no driver (${node}/driver missing)` });
    const override = (await host.shell.run(`cat ${node}/driver_override`)).output.trim();
    checks.push({ check: `${device} driver_override is vfio-platform`, ok: override === 'vfio-platform', found: override || 'nothing' });
  }
  const unsafe = (await host.shell.run(`cat ${host.sysfs}/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts`)).output.trim();
  checks.push({ check: 'vfio_iommu_type1 allow_unsafe_interrupts', ok: unsafe === 'Y', found: unsafe || 'vfio_iommu_type1 not loaded' });
  const processes = (await host.shell.run(`for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done`)).output.split('\n');
  const guest = processes.find((line) => line.includes('qemu-system-aarch64') && devices.every((d) => line.includes(`vfio-platform,host=${d}`)));
  checks.push({
    check: `a QEMU guest runs with ${devices.join(' and ')} passed through`,
    ok: Boolean(guest),
    found: guest ? guest.trim().slice(0, 300) : `no qemu-system-aarch64 with -device vfio-platform,host=… among ${processes.filter(Boolean).length} processes`,
  });
  return checks;
}

export function formatPreflight(checks: readonly PreflightCheck[]): string {
  return checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.check}: ${c.found}`).join('\n');
}
