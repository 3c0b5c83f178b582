/**
 * Board profiles: what hardware exists (controller, register base, header pins), as validated YAML under
 * fixtures/boards/. An invalid profile fails with the file, the line, the field and what was expected.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';

const Pin = z.object({
  header: z.number().int().min(1).max(40).optional(),
  line: z.number().int().min(0),
  name: z.string().min(1),
  function: z.string().optional(),
}).strict();

const Profile = z.object({
  board: z.string().min(1),
  description: z.string().optional(),
  controller: z.object({
    model: z.enum(['bcm2835', 'bcm2711', 'pl061', 'tegra234']),
    base: z.number().int().nonnegative(),
    chip: z.string().min(1),
  }).strict(),
  pins: z.array(Pin).min(1),
}).strict();

export type BoardProfile = z.infer<typeof Profile>;
export type ProfilePin = z.infer<typeof Pin>;

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
    const node = doc.getIn(issue.path as Array<string | number>, true) as { range?: [number, number, number] } | undefined;
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    const field = issue.path.map(String).join('.') || '(top level)';
    throw new InputError(`${file}${line ? `:${line}` : ''}`, `${field}: ${issue.message}`);
  }
  checkUnique(result.data, file);
  return result.data;
}

function checkUnique(profile: BoardProfile, file: string): void {
  for (const key of ['name', 'line', 'header'] as const) {
    const seen = new Set<unknown>();
    for (const pin of profile.pins) {
      if (pin[key] === undefined) continue;
      if (seen.has(pin[key])) throw new InputError(file, `pins: ${key} ${pin[key]} appears twice`);
      seen.add(pin[key]);
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
