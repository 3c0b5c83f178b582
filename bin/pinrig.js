#!/usr/bin/env node
// The pinrig command: runs the CLI as one compiled bundle (.cache/cli/), with plain node. The bundle is rebuilt first
// whenever a source under harness/ is newer than it, so it is never stale against the sources.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const bundle = path.join(root, '.cache', 'cli', 'pinrig.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

let built = 0;
try {
  built = statSync(bundle).mtimeMs;
} catch {
  // not built yet
}
if (built < newestSource(path.join(root, 'harness'))) {
  const { buildCli } = await import('./build-cli.js');
  await buildCli(root);
}
await import(pathToFileURL(bundle).href);
