/**
 * Board profiles: what hardware exists (GPIO controllers, register bases, header pins), how a logic analyzer is wired
 * to it and how to reach it, as validated YAML under fixtures/boards/. An invalid profile fails with the file, the line,
 * the field and what was expected.
 */
import { readFileSync, statSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseFrequency } from '../signals/units.js';

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

const Passthrough = z.object({ host: Access.optional(), devices: z.array(z.string().min(1)).min(1) }).strict();

const ProfileShape = z.object({
  board: z.string().min(1),
  description: z.string().optional(),
  controller: Controller.optional(),
  controllers: z.array(Controller).min(1).optional(),
  pins: z.array(Pin).min(1),
  analyzer: Analyzer.optional(),
  /** How to reach the system under test. */
  access: Access.optional(),
  /** For a KVM guest with GPIO passthrough: how to reach the host (a rehearsal uses its guest), and the devices. */
  passthrough: Passthrough.optional(),
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
}).strict();
const Profile = ProfileShape.refine((p) => Boolean(p.controller) !== Boolean(p.controllers), 'give either controller or controllers');

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

/**
 * A profile is a few kilobytes; the cap is checked before anything is read, so a huge or endless file is refused at
 * once (with memory bounded by the cap) instead of being parsed.
 */
export const MAX_PROFILE_BYTES = 256 * 1024;
/** YAML aliases a profile may use: enough for shared blocks, too few for an alias bomb's exponential expansion. */
const MAX_ALIASES = 100;

/** Analyzer channels each sigrok driver has; another driver may have up to 64 (libsigrok's widest logic unit). */
const DRIVER_CHANNELS: Record<string, number> = { fx2lafw: 16, 'saleae-logic16': 16, 'dreamsourcelab-dslogic': 16, demo: 8, virtual: 64 };
const MAX_CHANNELS = 64;

export function loadBoardProfile(file: string): BoardProfile {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_PROFILE_BYTES) {
      throw new InputError(file, `the board profile is ${size} bytes, more than the ${MAX_PROFILE_BYTES} a profile may have: is this the right file?`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `cannot read the board profile: ${(error as Error).message}`);
  }
  return parseBoardProfile(text, file);
}

/** One thing wrong in a profile: the field's path and what was expected. */
interface Problem {
  path: Array<string | number>;
  message: string;
}

/** Every problem a profile has, each as `file:line: field: message`, the first one also as `where`/`problem`. */
export class ProfileError extends InputError {
  override name = 'ProfileError';
  constructor(readonly problems: ReadonlyArray<{ where: string; problem: string }>) {
    super(problems[0]!.where, [problems[0]!.problem, ...problems.slice(1).map((p) => `${p.where}: ${p.problem}`)].join('\n'));
  }
}

export function parseBoardProfile(text: string, file: string): BoardProfile {
  if (text.length > MAX_PROFILE_BYTES) throw new InputError(file, `the board profile has ${text.length} characters, more than the ${MAX_PROFILE_BYTES} a profile may have`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new InputError(`${file}:${e.linePos?.[0]?.line ?? '?'}`, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // The yaml library refuses an alias bomb with a bare ReferenceError; say which file and what to do.
    throw new InputError(file, `YAML aliases expand too far (${(error as Error).message}): a profile may use at most ${MAX_ALIASES} alias expansions; write the values out`);
  }
  const located = (problems: Problem[]) => new ProfileError(problems.map((p) => ({ where: locate(doc, lineCounter, file, p.path), problem: `${p.path.map(String).join('.') || '(top level)'}: ${p.message}` })));
  const result = Profile.safeParse(data);
  if (!result.success) throw located(result.error.issues.map(schemaProblem));
  const { controller, controllers, ...rest } = result.data;
  const list = controllers ?? [controller!];
  const profile: BoardProfile = { ...rest, controllers: list, controller: list[0]! };
  const problems = checkPins(profile);
  if (problems.length) throw located(problems);
  return profile;
}

/** The line of the deepest node on the path that exists: a missing field points at its parent. */
function locate(doc: Document, lineCounter: LineCounter, file: string, path: Array<string | number>): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return `${file}:${lineCounter.linePos(node.range[0]).line}`;
  }
  return file;
}

/** A schema issue as a problem; an unknown key gets the known key it most likely meant. */
function schemaProblem(issue: z.core.$ZodIssue): Problem {
  const path = issue.path as Array<string | number>;
  if (issue.code !== 'unrecognized_keys') return { path, message: issue.message };
  const known = knownKeys(path);
  const hints = issue.keys.map((key) => {
    const near = known.length ? closest(key, known) : undefined;
    return near && distance(key.toLowerCase(), near.toLowerCase()) <= Math.max(2, near.length / 3) ? `${JSON.stringify(key)} (did you mean ${JSON.stringify(near)}?)` : JSON.stringify(key);
  });
  return { path: issue.keys.length === 1 ? [...path, issue.keys[0]!] : path, message: `unknown key ${hints.join(', ')}; known keys are ${known.join(', ')}` };
}

/** The keys the schema allows at a path of the parsed data. */
function knownKeys(path: Array<string | number>): string[] {
  const shapes: Record<string, z.ZodObject> = {
    '': ProfileShape, controller: Controller, 'controllers.*': Controller, 'pins.*': Pin, analyzer: Analyzer,
    access: Access, 'access.ssh': Ssh, 'access.serial': Serial, passthrough: Passthrough, 'passthrough.host': Access,
    'passthrough.host.ssh': Ssh, 'passthrough.host.serial': Serial,
  };
  const key = path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
  return Object.keys(shapes[key]?.shape ?? {});
}

function checkPins(profile: BoardProfile): Problem[] {
  const problems: Problem[] = [];
  const names = profile.controllers.map((c) => c.name);
  if (new Set(names).size !== names.length) problems.push({ path: ['controllers'], message: 'two controllers have the same name' });
  for (const [i, pin] of profile.pins.entries()) {
    if (pin.controller !== undefined && !names.includes(pin.controller)) {
      problems.push({ path: ['pins', i, 'controller'], message: `no controller named ${JSON.stringify(pin.controller)} (have ${names.join(', ')})` });
    }
    if (pin.controller === undefined && profile.controllers.length > 1) {
      problems.push({ path: ['pins', i, 'controller'], message: `${pin.name} must name its controller (the board has ${names.join(', ')})` });
    }
  }
  const firstOf = new Map<string, number>();
  for (const [i, pin] of profile.pins.entries()) {
    const keys = [
      ['name', pin.name.toLowerCase(), `name ${pin.name}`],
      ['header', pin.header, `header ${pin.header}`],
      ['line', `${pin.controller ?? profile.controller.name}:${pin.line}`, `line ${pin.line} of ${pin.controller ?? profile.controller.name}`],
    ] as const;
    for (const [field, value, shown] of keys) {
      if (value === undefined) continue;
      const seen = firstOf.get(`${field}=${value}`);
      if (seen === undefined) firstOf.set(`${field}=${value}`, i);
      else problems.push({ path: ['pins', i, field], message: `${shown} appears twice (also pins.${seen})` });
    }
  }
  for (const [role, ref] of Object.entries(profile.roles ?? {})) {
    const problem = pinProblem(profile, ref);
    if (problem) problems.push({ path: ['roles', role], message: problem });
  }
  const analyzer = profile.analyzer;
  if (analyzer) {
    try {
      const hertz = parseFrequency(analyzer.samplerate, 'samplerate');
      if (!Number.isInteger(hertz) || hertz < 1) {
        problems.push({ path: ['analyzer', 'samplerate'], message: `${JSON.stringify(analyzer.samplerate)} is ${hertz} Hz; a sample rate is a whole number of hertz such as '24MHz' (m is milli, M is mega)` });
      }
    } catch {
      problems.push({ path: ['analyzer', 'samplerate'], message: `cannot read ${JSON.stringify(analyzer.samplerate)} as a frequency: write a number and Hz with an optional prefix k, M or G, such as '24MHz', '500 kHz' or '1GHz'` });
    }
    const limit = DRIVER_CHANNELS[analyzer.driver] ?? MAX_CHANNELS;
    const wiredTo = new Map<string, string>();
    for (const [channel, ref] of Object.entries(analyzer.channels)) {
      if (Number(channel.slice(1)) >= limit) {
        problems.push({ path: ['analyzer', 'channels', channel], message: `${channel} is beyond the analyzer: ${analyzer.driver} has channels D0 to D${limit - 1}` });
      }
      const problem = pinProblem(profile, ref);
      if (problem) {
        problems.push({ path: ['analyzer', 'channels', channel], message: problem });
        continue;
      }
      const pin = resolvePin(profile, ref).name;
      const other = wiredTo.get(pin);
      if (other) problems.push({ path: ['analyzer', 'channels', channel], message: `${channel} and ${other} are both wired to ${pin}: one probe per pin` });
      else wiredTo.set(pin, channel);
    }
  }
  return problems;
}

/** Why a pin reference does not resolve, with the nearest pin name; undefined when it does. */
function pinProblem(profile: BoardProfile, ref: PinRef): string | undefined {
  try {
    resolvePin(profile, ref);
    return undefined;
  } catch (error) {
    if (typeof ref !== 'string') return (error as InputError).problem;
    const near = closest(ref, profile.pins.map((p) => p.name));
    const hint = distance(ref.toLowerCase(), near.toLowerCase()) <= 2 ? ` (did you mean ${near}?)` : '';
    return `${(error as InputError).problem}${hint}`;
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
