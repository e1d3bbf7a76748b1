#!/usr/bin/env node
// Entry point of the `sluice` command. Runs the bundled CLI (dist/bundle/main.js, made by
// `npm run build`, which `npm ci` runs via the `prepare` script) when it is at least as new as
// the compiled dist/ (a `tsc`-only rebuild is then not shadowed by an older bundle); else the
// compiled dist/cli/main.js; when dist/ is absent (a checkout without a build), the TypeScript
// sources through tsx.
import { statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

// V8's compile cache (Node 22.1+; absent on Node 20, where this is a no-op) keeps the compiled
// code of every module between runs, which shortens each later start.
module.enableCompileCache?.();
// A command's modules, schemas and tables live to its end: V8's young generation, started at
// 1 MB and doubled after each collection that finds most of it alive, was collected 8 times in
// `sluice flow run` (each copying what survived). Growing it to its full size (16 MB) at the
// first collection leaves 3. The factor is read at each growth, so setting it here takes effect.
setFlagsFromString('--semi-space-growth-factor=16');
// Stacks through the source maps, only when asked (parsing the maps costs start-up time).
if (process.env.SLUICE_DEBUG) process.setSourceMapsEnabled?.(true);

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const built = join(root, 'dist', 'cli', 'main.js');
const bundle = join(root, 'dist', 'bundle', 'main.js');
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const builtAt = mtime(built);
if (builtAt !== undefined) {
  const bundledAt = mtime(bundle);
  await import(pathToFileURL(bundledAt !== undefined && bundledAt >= builtAt ? bundle : built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
