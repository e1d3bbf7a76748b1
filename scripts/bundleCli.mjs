// `npm run build`, after tsc: the `sluice` command as one start-up file, dist/bundle/main.js.
// Node resolves, reads and compiles each ES module separately: the compiled CLI loads about 200
// files for `sluice flow validate` (95 of them zod's), and that, not the work, is most of its
// start-up. esbuild (the compiler tsx and Vite use) joins Sluice and its small pure-JavaScript
// dependencies into a few files; what a command imports lazily stays a separate chunk loaded
// when the command runs, and packages with native code or large trees stay ordinary imports.
// bin/sluice.js runs the bundle when it is at least as new as dist/cli/main.js, else dist/.
// Source maps sit beside each file (SLUICE_DEBUG=1 prints stacks through them).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/bundle';
/**
 * Dependencies joined into the bundle: pure JavaScript, loaded by nearly every command, and
 * DuckDB's JavaScript API (about 180 CommonJS files: reading and compiling them one by one was
 * about 0.1 s of every command that opens a database; its native bindings stay a package).
 */
const INLINE = new Set(['commander', 'yaml', 'zod', '@duckdb/node-api']);

/**
 * An esbuild plugin that replaces one exact piece of text in the files `filter` matches, and fails
 * the build when a file no longer holds it (a dependency or source changed under the patch).
 */
function replaceOnce(name, filter, text, replacement, loader) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(text)) throw new Error(`${args.path} no longer contains ${text}: update scripts/bundleCli.mjs`);
        return { contents: source.replace(text, replacement), loader };
      });
    },
  };
}

/**
 * src/engine/Engine.ts loads @duckdb/node-api with createRequire (from ES modules, Node would
 * lex its files for named exports first): a call esbuild cannot follow. In the bundle it becomes
 * a plain require(), which esbuild resolves and joins in.
 */
const DUCKDB_REQUIRE = "createRequire(import.meta.url)('@duckdb/node-api')";
const duckdbInline = replaceOnce('duckdb-inline', /[\\/]src[\\/]engine[\\/]Engine\.ts$/, DUCKDB_REQUIRE, "require('@duckdb/node-api')", 'ts');

/**
 * zod's namespace object re-exports its 60-odd message translations (`z.locales`, also
 * `core.locales`); as Sluice uses `z.` as a namespace, esbuild cannot drop them, and they were a
 * third of what `sluice flow validate` compiled. Sluice sets no locale (English stays the default,
 * imported by zod's schemas directly), so the bundle replaces those two re-exports with an empty
 * object.
 */
const ZOD_LOCALES = 'export * as locales from "../locales/index.js";';
const zodWithoutLocales = replaceOnce(
  'zod-without-locales',
  /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/,
  ZOD_LOCALES,
  'export const locales = {};',
  'js',
);

/**
 * commander requires node:child_process at load, for subcommands that are executables of their
 * own (Sluice has none): loading it (and what it loads) was about 3 ms of every command's start.
 * The bundle requires it when commander spawns, which it never does here.
 */
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const commanderLazyChildProcess = replaceOnce(
  'commander-lazy-child-process',
  /[\\/]commander[\\/]lib[\\/]command\.js$/,
  COMMANDER_CHILD_PROCESS,
  "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };",
  'js',
);

/**
 * The worker threads' entries: each `spawnModuleWorker(import.meta.url, 'NAME')` starts NAME.js
 * beside the calling module, which in the bundle is beside main.js; so each becomes an entry.
 */
function workerEntries() {
  const entries = new Map();
  const visit = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, e.name);
      if (e.isDirectory()) visit(file);
      else if (e.name.endsWith('.ts'))
        for (const [, name] of readFileSync(file, 'utf8').matchAll(/^(?!\s*(?:\*|\/\/)).*spawnModuleWorker\(import\.meta\.url, '(\w+)'\)/gm)) {
          const entry = join(dirname(file), `${name}.ts`);
          if (entries.has(name) && entries.get(name) !== entry) throw new Error(`two worker entries are named ${name}: ${entries.get(name)} and ${entry}`);
          entries.set(name, entry);
        }
    }
  };
  visit('src');
  return [...entries].map(([out, entry]) => ({ in: entry, out }));
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)].filter((d) => !INLINE.has(d));
rmSync(OUT, { recursive: true, force: true });
await build({
  // Two levels under the root like src/<area>/, so paths made from import.meta.url
  // (../../package.json, ../../examples/) hold; the workers' entries sit beside main.js.
  entryPoints: [{ in: 'src/cli/main.ts', out: 'main' }, ...workerEntries()],
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  sourcemap: true,
  // Bundled CommonJS (yaml, commander) calls require() for Node's own modules.
  banner: { js: "import { createRequire as __sluiceRequire } from 'node:module'; const require = __sluiceRequire(import.meta.url);" },
  plugins: [duckdbInline, zodWithoutLocales, commanderLazyChildProcess],
  logLevel: 'warning',
});
