/**
 * Feedback shows no host paths: every folder of the grading machine that could reach a message (the submissions
 * folder, the scratch folders, the repository, the home folder) is replaced by a neutral name. Guest paths
 * (/dev/blink, /proc/interrupts) stay: they are what the student's module sees.
 */
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.js';


export type Scrub = (text: string) => string;

/** Replaces each given host folder (longest first) and the machine's fixed ones. */
export function hostPathScrubber(folders: Readonly<Record<string, string>>): Scrub {
  const pairs: Array<[string, string]> = [
    ...Object.entries(folders),
    [REPO_ROOT, '<grader>'],
    [os.homedir(), '<home>'],
    [path.join(os.tmpdir(), 'pinrig-'), '<scratch>/pinrig-'],
  ];
  const ordered = pairs.filter(([from]) => from.length > 1).sort((a, b) => b[0].length - a[0].length);
  return (text) => ordered.reduce((clean, [from, to]) => clean.split(from).join(to), text);
}
