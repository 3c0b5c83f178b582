/**
 * The pinrig checkout: where fixtures/, scenarios/ and .cache/ live. Found by walking up to pinrig's package.json, so
 * the same code works from the sources (tsx) and from the CLI's compiled bundle (.cache/cli/).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function findRoot(start: string): { root: string; version: string } {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    const manifest = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    if (manifest?.name === 'pinrig') return { root: dir, version: manifest.version };
    if (path.dirname(dir) === dir) throw new Error(`no pinrig package.json above ${start}`);
  }
}

const found = findRoot(import.meta.dirname);
export const REPO_ROOT = found.root;
/** pinrig's version, from its package.json. */
export const PINRIG_VERSION = found.version;
