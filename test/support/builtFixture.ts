import { mkdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
// Inside node_modules, so the bundle's package imports (pino, better-sqlite3, ...) resolve.
const OUT = join(ROOT, 'node_modules', '.cache', 'sluice-test-fixtures');

/** Every import of a file under src/ becomes an import of its compiled twin under dist/. */
const srcFromDist: Plugin = {
  name: 'src-from-dist',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!target.startsWith(`${SRC}/`)) return undefined;
      return { path: join(DIST, relative(SRC, target)).replace(/\.ts$/, '.js'), external: true };
    });
  },
};

/**
 * A TypeScript fixture that a test runs as a child process, compiled to one JavaScript file that
 * `node FILE` starts without tsx: the fixture and the test helpers it imports are bundled, and
 * Sluice itself is the built dist/ (which the test setup keeps current, test/setup/systemDeps.ts),
 * as the `sluice` command runs it. A child started through tsx spends about 1.3 s of CPU compiling
 * and resolving before its first line; this one about 0.4 s, and its training workers run the
 * compiled worker.js instead of registering tsx in every thread.
 *
 * @example const WORKER = await builtFixture(join(import.meta.dirname, 'fixtures', 'crashWorker.ts'));
 *          spawnSync(process.execPath, [WORKER], { env });
 */
export async function builtFixture(entry: string): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  // One file per test process: parallel test files never write the same output.
  const outfile = join(OUT, `${basename(entry, '.ts')}-${process.pid}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    plugins: [srcFromDist],
    logLevel: 'error',
  });
  return outfile;
}
