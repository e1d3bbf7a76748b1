import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `entry` (a name without extension) beside the module
 * whose `import.meta.url` is `base`. In the built package that is the compiled `entry.js`. Run
 * from sources (vitest, tsx) it is `entry.ts`, which a worker can only load once tsx's hooks are
 * registered in that thread: `execArgv: ['--import', 'tsx']` does not do it on Node 20.20 (the
 * entry loads before the hooks, "Unknown file extension .ts"), so a small bootstrap registers
 * them through tsx's API first and then imports the entry.
 *
 * @example
 * const worker = spawnModuleWorker(import.meta.url, 'worker');
 */
export function spawnModuleWorker(base: string, entry: string): Worker {
  return base.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(tsxApi())}).then((m) => { m.register(); return import(${JSON.stringify(new URL(`./${entry}.ts`, base).href)}); });`, {
        eval: true,
      })
    : new Worker(new URL(`./${entry}.js`, base));
}

/** The ESM entry of tsx's API (`tsx/esm/api`), resolved from this file. */
function tsxApi(): string {
  try {
    // The CommonJS entry resolves here; its ESM sibling is the one that works in a worker.
    const mjs = createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs');
    if (existsSync(mjs)) return pathToFileURL(mjs).href;
  } catch {
    // fall through to the bare specifier, resolved from the working directory
  }
  return 'tsx/esm/api';
}
