/**
 * Assignments live as folders under scenarios/grading/<name>/: rubric.ts (default export: an Assignment),
 * statement.md for the students, reference/ with the solution the rubric must grade at full marks.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';
import type { Assignment } from './rubric.js';
import { REPO_ROOT } from '../repo-root.js';

export const ASSIGNMENTS_DIR = path.join(REPO_ROOT, 'scenarios/grading');

export interface LoadedAssignment {
  readonly assignment: Assignment<unknown>;
  readonly dir: string;
  /** Hash of the rubric's TypeScript: a changed rubric regrades everyone. */
  readonly rubricHash: string;
}

export async function listAssignments(): Promise<string[]> {
  const names: string[] = [];
  for (const name of await readdir(ASSIGNMENTS_DIR)) {
    if (await stat(path.join(ASSIGNMENTS_DIR, name, 'rubric.ts')).then(() => true, () => false)) names.push(name);
  }
  return names.sort();
}

export async function loadAssignment(name: string): Promise<LoadedAssignment> {
  const known = await listAssignments();
  if (!known.includes(name)) throw new InputError('--assignment', `no assignment ${JSON.stringify(name)} (there are: ${known.join(', ')})`);
  const dir = path.join(ASSIGNMENTS_DIR, name);
  const module = (await import(pathToFileURL(path.join(dir, 'rubric.ts')).href)) as { default?: Assignment<unknown> };
  const assignment = module.default;
  if (!assignment?.criteria || assignment.name !== name) throw new Error(`${dir}/rubric.ts must default-export the assignment named ${name}`);
  const hash = createHash('sha256');
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort()) hash.update(`${file}\0`).update(await readFile(path.join(dir, file)));
  return { assignment, dir, rubricHash: hash.digest('hex') };
}
