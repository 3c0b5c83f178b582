/**
 * A real board (or a KVM guest on one) as a Target: reached over SSH or a serial console as its profile says, pins
 * named by its profile, observed by the logic analyzer wired per the profile, and the register model of its controller
 * for describing what register dumps mean. How the board is reached (link), what it is (profile) and how it is watched
 * (analyzer) are given separately, so a rehearsal can swap the analyzer and the address and keep everything else.
 */
import os from 'node:os';
import { SerialConsole } from '../links/serial.js';
import { Shell } from '../links/shell.js';
import { SshLink, type SshOptions } from '../links/ssh.js';
import { SshShell } from '../links/ssh-shell.js';
import { modelFor } from '../models/index.js';
import type { RegisterModel } from '../models/types.js';
import { controllerOf, resolvePin, rolePin, type BoardProfile, type PinRef, type ProfilePin, type SshAccess } from './board-profile.js';
import { gpiochipBase } from './gpio-sysfs.js';
import type { Capabilities, Recording, Target, TargetShell } from './target.js';
import type { PassthroughHost } from './passthrough.js';

/** A logic analyzer as a board sees it: records pins by the analyzer channel they are wired to. */
export interface BoardAnalyzer {
  record(channels: ReadonlyArray<{ channel: string; pin: ProfilePin }>): Promise<Recording>;
  close?(): Promise<void>;
}

export interface BoardOptions {
  /** The analyzer per the profile's wiring (sigrok), or a stand-in that rehearses it. */
  readonly analyzer?: BoardAnalyzer;
  /** Overrides of the profile's SSH access (a rehearsal's forwarded port and guest key). */
  readonly ssh?: Partial<SshOptions>;
  readonly name?: string;
  /** The KVM host of a passthrough guest, where the profile has no SSH access for it (a rehearsal). */
  readonly passthroughHost?: PassthroughHost;
}

/** Every board: its inputs are not driven by pinrig, its guest gets edge interrupts, its register writes are unseen. */
export const BOARD_CAPABILITIES: Capabilities = { inputs: false, interrupts: true, registerLog: false };

export class BoardTarget implements Target {
  readonly capabilities = BOARD_CAPABILITIES;
  readonly model: RegisterModel;
  private readonly bases = new Map<string, number>();

  private constructor(
    readonly name: string,
    readonly profile: BoardProfile,
    readonly shell: TargetShell,
    private readonly analyzer: BoardAnalyzer | undefined,
    private readonly closeLink: () => Promise<void>,
    private readonly transcript: () => string,
    /** The SSH link, where the board is reached over SSH. */
    readonly ssh: SshLink | undefined,
    /** For a KVM guest with GPIO passthrough: its host. */
    readonly passthroughHost: PassthroughHost | undefined,
  ) {
    const c = profile.controller;
    this.model = modelFor(c.model, { base: c.base, ...(c.model === 'tegra234' ? { controller: c.name as 'main' | 'aon' } : {}) });
  }

  static async connect(profile: BoardProfile, options: BoardOptions = {}): Promise<BoardTarget> {
    const name = options.name ?? `board:${profile.board}`;
    const access = profile.access;
    const hostAccess = profile.passthrough?.host?.ssh;
    const hostSsh = hostAccess && !options.passthroughHost ? await SshLink.connect(sshOptions(hostAccess, undefined, `${name} host`)) : undefined;
    const passthroughHost = options.passthroughHost ?? (hostSsh ? { shell: new SshShell(hostSsh), sysfs: '/sys' } : undefined);
    try {
      if (access?.ssh || options.ssh) {
        const ssh = await SshLink.connect(sshOptions(access?.ssh, options.ssh, name));
        const shell = new SshShell(ssh);
        const close = async () => {
          await ssh.close();
          await hostSsh?.close();
        };
        return new BoardTarget(name, profile, shell, options.analyzer, close, () => shell.transcript(), ssh, passthroughHost);
      }
      if (access?.serial) {
        const serial = await SerialConsole.open(access.serial.device, access.serial.baud);
        const shell = new Shell(serial);
        try {
          await shell.sync();
        } catch (error) {
          await serial.close();
          throw error;
        }
        const close = async () => {
          await serial.close();
          await hostSsh?.close();
        };
        return new BoardTarget(name, profile, shell, options.analyzer, close, () => shell.log.contents(), undefined, passthroughHost);
      }
    } catch (error) {
      await hostSsh?.close();
      throw error;
    }
    await hostSsh?.close();
    throw new Error(`${name}: the profile says neither access.ssh nor access.serial: there is no way to reach the board`);
  }

  pin(ref: PinRef): ProfilePin {
    return resolvePin(this.profile, ref);
  }

  role(role: string): ProfilePin {
    return rolePin(this.profile, role);
  }

  async sysfsNumber(ref: PinRef): Promise<number> {
    const pin = this.pin(ref);
    const chip = controllerOf(this.profile, pin).chip;
    if (!this.bases.has(chip)) this.bases.set(chip, await gpiochipBase(this.shell, chip));
    return this.bases.get(chip)! + pin.line;
  }

  async drive(ref: PinRef): Promise<void> {
    throw new Error(`${this.name}: cannot drive ${this.pin(ref).name} from outside: the profile wires the analyzer to watch pins, not to drive them`);
  }

  async record(pins: readonly PinRef[]): Promise<Recording> {
    if (!this.analyzer) throw new Error(`${this.name}: no logic analyzer configured (profile analyzer: ${this.profile.analyzer?.driver ?? 'none'})`);
    const wiring = Object.entries(this.profile.analyzer?.channels ?? {}).map(([channel, ref]) => ({ channel, pin: this.pin(ref) }));
    const channels = pins.map((ref) => {
      const pin = this.pin(ref);
      const wired = wiring.find((w) => w.pin.name === pin.name);
      if (!wired) {
        const known = wiring.map((w) => `${w.channel} → ${w.pin.name}${w.pin.header ? ` (pin ${w.pin.header})` : ''}`).join(', ') || 'nothing';
        throw new Error(`${this.name}: ${pin.name} is not wired to the analyzer (wired: ${known})`);
      }
      return wired;
    });
    return this.analyzer.record(channels);
  }

  /** A board's time is the host's. */
  elapse(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async health(): Promise<void> {
    await this.shell.check('true', { timeoutMs: 5000 });
  }

  consoleLog(): string {
    return this.transcript();
  }

  async close(): Promise<void> {
    try {
      await this.analyzer?.close?.();
    } finally {
      await this.closeLink();
    }
  }
}

/** SSH options from a profile's access, with overrides; `~` in the key path is the user's home. */
export function sshOptions(access: SshAccess | undefined, override: Partial<SshOptions> | undefined, name: string): SshOptions {
  const merged = {
    ...(access ? { host: access.host, port: access.port, user: access.user, privateKey: access.key.replace(/^~(?=\/)/, os.homedir()), hostKey: access.hostKey } : {}),
    ...override,
  };
  if (!merged.host || !merged.user || !merged.hostKey) throw new Error(`${name}: SSH access needs host, user and hostKey`);
  return merged as SshOptions;
}
