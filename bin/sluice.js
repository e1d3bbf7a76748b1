#!/usr/bin/env node
// Entry point of the `sluice` command. Runs the compiled CLI from dist/ (built by `npm ci` via
// the `prepare` script); when dist/ is absent (a checkout without a build), it falls back to
// running the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

// V8's compile cache (Node 22.1+; absent on Node 20, where this is a no-op) keeps the compiled
// code of every module between runs, which shortens each later start.
module.enableCompileCache?.();

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const built = join(root, 'dist', 'cli', 'main.js');
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
