/**
 * Board profiles: what hardware exists (GPIO controllers, register bases, header pins), how a logic analyzer is wired
 * to it and how to reach it, as validated YAML under fixtures/boards/. An invalid profile fails with the file, the line,
 * the field and what was expected.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';

const Controller = z.object({
  name: z.string().min(1).default('gpio'),
  model: z.enum(['bcm2835', 'bcm2711', 'pl061', 'tegra234']),
  base: z.number().int().nonnegative(),
  /** The gpiochip label the kernel gives it. */
  chip: z.string().min(1),
}).strict();

const Pin = z.object({
  header: z.number().int().min(1).max(40).optional(),
  /** Line on its controller (BCM GPIO number, PL061 line, Tegra line). */
  line: z.number().int().min(0),
  name: z.string().min(1),
  /** Which controller, by name; needed only where the board has several. */
  controller: z.string().optional(),
  function: z.string().optional(),
}).strict();

const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "an OpenSSH fingerprint like 'SHA256:' + 43 base64 characters");

const Ssh = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1),
  /** Private key file. */
  key: z.string().min(1),
  hostKey: fingerprint,
}).strict();

const Serial = z.object({ device: z.string().startsWith('/dev/'), baud: z.number().int().positive().default(115200) }).strict();

const Access = z.object({ ssh: Ssh.optional(), serial: Serial.optional() }).strict()
  .refine((a) => a.ssh || a.serial, 'give ssh or serial');

const Analyzer = z.object({
  /** A sigrok driver (fx2lafw, saleae-logic16, ...), or 'virtual' for the emulated analyzer. */
  driver: z.string().min(1),
  conn: z.string().optional(),
  samplerate: z.string().min(1),
  /** Analyzer channel → pin ('pin 15', 'PN.01', 'GPIO17'). */
  channels: z.record(z.string().regex(/^D\d+$/, 'channels are named D0, D1, ...'), z.string().min(1)),
}).strict();

const Profile = z.object({
  board: z.string().min(1),
  description: z.string().optional(),
  controller: Controller.optional(),
  controllers: z.array(Controller).min(1).optional(),
  pins: z.array(Pin).min(1),
  analyzer: Analyzer.optional(),
  /** How to reach the system under test. */
  access: Access.optional(),
  /** For a KVM guest with GPIO passthrough: how to reach the host (a rehearsal uses its guest), and the devices. */
  passthrough: z.object({ host: Access.optional(), devices: z.array(z.string().min(1)).min(1) }).strict().optional(),
  /**
   * Pins by the part they play in the shared scenarios ('blink', 'input', ...), so one scenario runs on every board:
   * role → pin ('GPIO17', 'pin 11').
   */
  roles: z.record(z.string(), z.string().min(1)).optional().superRefine((roles, ctx) => {
    for (const role of Object.keys(roles ?? {})) {
      if (!/^[a-z][a-z-]*$/.test(role)) ctx.addIssue({ code: 'custom', path: [role], message: 'roles are lower-case words' });
    }
  }),
  /** A profile that rehearses another on an emulated machine (e.g. orin-agx on qemu-virt). */
  rehearses: z.string().optional(),
}).strict().refine((p) => Boolean(p.controller) !== Boolean(p.controllers), 'give either controller or controllers');

type ParsedProfile = z.infer<typeof Profile>;
export type ControllerProfile = z.infer<typeof Controller>;
export type ProfilePin = z.infer<typeof Pin>;
export type SshAccess = z.infer<typeof Ssh>;

export type BoardProfile = Omit<ParsedProfile, 'controller' | 'controllers'> & {
  readonly controllers: readonly ControllerProfile[];
  /** The first controller: the one pins use unless they name another. */
  readonly controller: ControllerProfile;
};

/** A pin as a scenario names it: the line number, the profile's name ('GPIO17', 'PN.01'), or 'pin 11' for a header pin. */
export type PinRef = number | string;

export function loadBoardProfile(file: string): BoardProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, `cannot read the board profile: ${(error as Error).message}`);
  }
  return parseBoardProfile(text, file);
}

export function parseBoardProfile(text: string, file: string): BoardProfile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new InputError(`${file}:${e.linePos?.[0]?.line ?? '?'}`, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const result = Profile.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path as Array<string | number>;
    // The deepest node that exists names the line: a missing field points at its parent.
    let line: number | undefined;
    for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) line = lineCounter.linePos(node.range[0]).line;
    }
    const field = path.map(String).join('.') || '(top level)';
    throw new InputError(`${file}${line ? `:${line}` : ''}`, `${field}: ${issue.message}`);
  }
  const { controller, controllers, ...rest } = result.data;
  const list = controllers ?? [controller!];
  const profile: BoardProfile = { ...rest, controllers: list, controller: list[0]! };
  checkPins(profile, file);
  return profile;
}

function checkPins(profile: BoardProfile, file: string): void {
  const names = new Set(profile.controllers.map((c) => c.name));
  if (names.size !== profile.controllers.length) throw new InputError(file, 'controllers: two controllers have the same name');
  for (const [i, pin] of profile.pins.entries()) {
    if (pin.controller !== undefined && !names.has(pin.controller)) {
      throw new InputError(file, `pins.${i}.controller: no controller named ${JSON.stringify(pin.controller)} (have ${[...names].join(', ')})`);
    }
    if (pin.controller === undefined && profile.controllers.length > 1) {
      throw new InputError(file, `pins.${i}.controller: ${pin.name} must name its controller (the board has ${[...names].join(', ')})`);
    }
  }
  for (const key of ['name', 'header'] as const) {
    const seen = new Set<unknown>();
    for (const pin of profile.pins) {
      if (pin[key] === undefined) continue;
      if (seen.has(pin[key])) throw new InputError(file, `pins: ${key} ${pin[key]} appears twice`);
      seen.add(pin[key]);
    }
  }
  const lines = new Set<string>();
  for (const pin of profile.pins) {
    const key = `${pin.controller ?? profile.controller.name}:${pin.line}`;
    if (lines.has(key)) throw new InputError(file, `pins: line ${pin.line} of ${pin.controller ?? profile.controller.name} appears twice`);
    lines.add(key);
  }
  for (const [role, ref] of Object.entries(profile.roles ?? {})) {
    try {
      resolvePin(profile, ref);
    } catch (error) {
      throw new InputError(file, `roles.${role}: ${(error as InputError).problem}`);
    }
  }
  for (const [channel, ref] of Object.entries(profile.analyzer?.channels ?? {})) {
    try {
      resolvePin(profile, ref);
    } catch (error) {
      throw new InputError(file, `analyzer.channels.${channel}: ${(error as InputError).problem}`);
    }
  }
}

/** Resolves a pin reference against a profile; an unknown pin names the board and what it has. */
export function resolvePin(profile: BoardProfile, ref: PinRef): ProfilePin {
  const header = typeof ref === 'string' ? /^(?:pin|header)\s*(\d+)$/i.exec(ref.trim()) : null;
  const pin = typeof ref === 'number'
    ? profile.pins.find((p) => p.line === ref)
    : header
      ? profile.pins.find((p) => p.header === Number(header[1]))
      : profile.pins.find((p) => p.name.toLowerCase() === ref.toLowerCase());
  if (!pin) {
    throw new InputError(`board ${profile.board}`, `no pin ${JSON.stringify(ref)} (pins are named like ${profile.pins.slice(0, 3).map((p) => p.name).join(', ')}, or 'pin N' for header pin N)`);
  }
  return pin;
}

/** The pin that plays a role in the shared scenarios; a board without it says which role to add. */
export function rolePin(profile: BoardProfile, role: string): ProfilePin {
  const ref = profile.roles?.[role];
  if (ref === undefined) throw new InputError(`board ${profile.board}`, `no pin for the role ${JSON.stringify(role)}: add roles.${role} to the profile`);
  return resolvePin(profile, ref);
}

/** The controller a pin belongs to. */
export function controllerOf(profile: BoardProfile, pin: ProfilePin): ControllerProfile {
  return profile.controllers.find((c) => c.name === (pin.controller ?? profile.controller.name))!;
}
