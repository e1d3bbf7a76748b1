import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<
    string,
    {
      engines?: { node?: string } | string[];
      dev?: boolean;
      optional?: boolean;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    }
  >;
};

/** The lowest release of each supported Node line: what `engines` promises and CI runs (see .ci/run). */
const SUPPORTED = ['20.19.0', '22.13.0', '24.0.0'];

describe('supported Node versions', () => {
  it('package.json engines admits each supported line and refuses older ones', () => {
    for (const v of SUPPORTED) expect(semver.satisfies(v, pkg.engines.node), v).toBe(true);
    for (const v of ['18.20.0', '20.18.0', '21.7.0']) expect(semver.satisfies(v, pkg.engines.node), v).toBe(false);
  });

  it('no installed package requires a newer Node (npm ci gives no EBADENGINE warning on a supported version)', () => {
    const refused: string[] = [];
    for (const [path, meta] of Object.entries(lock.packages)) {
      const range = meta.engines && !Array.isArray(meta.engines) ? meta.engines.node : undefined;
      if (!path || !range) continue;
      for (const v of SUPPORTED) if (!semver.satisfies(v, range)) refused.push(`${path.replace(/^node_modules\//, '')} needs node ${range}, refuses ${v}`);
    }
    expect(refused).toEqual([]);
  });

  it('the README states the same versions', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(`Node ${pkg.engines.node}`);
  });
});

/**
 * The test of each dependency that ships native code (a compiled `.node` addon), run on Node 22
 * and 24 by .ci/otherNodes.sh. The test runner's own (vitest, tsx: rolldown, lightningcss,
 * esbuild) run with every test, so they need none.
 */
const NATIVE_TESTS: Record<string, string> = {
  '@duckdb/node-api': 'test/engine/readTable.test.ts',
  '@duckdb/node-bindings': 'test/engine/readTable.test.ts',
  'better-sqlite3': 'test/features/onlineStore.sqlite.test.ts',
  'onnxruntime-node': 'test/onnx/exportOnnx.test.ts',
};
const TEST_RUNNER = new Set(['vitest', 'tsx']);

/** Does the installed package hold a compiled addon (outside its own node_modules)? */
function hasAddon(dir: string, depth = 0): boolean {
  if (depth > 5 || !existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((e) =>
    e.isFile() ? e.name.endsWith('.node') || e.name === 'binding.gyp' : e.isDirectory() && e.name !== 'node_modules' && hasAddon(join(dir, e.name), depth + 1),
  );
}

/** A dependency and everything it installs (the lock's top-level copies). */
function closure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const meta = lock.packages[`node_modules/${name}`];
  for (const d of Object.keys({ ...meta?.dependencies, ...meta?.optionalDependencies })) closure(d, seen);
  return seen;
}

describe('the Node 22 and 24 runs (.ci/otherNodes.sh)', () => {
  const subset = [...(/SUBSET=\(([\s\S]*?)\)/.exec(readFileSync('.ci/otherNodes.sh', 'utf8'))?.[1] ?? '').matchAll(/test\/\S+\.test\.ts/g)].map((m) => m[0]);

  it('run a test of every dependency that ships native code', () => {
    const native = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter(
      (d) => !TEST_RUNNER.has(d) && [...closure(d)].some((p) => hasAddon(join('node_modules', p))),
    );
    expect(native.sort()).toEqual(Object.keys(NATIVE_TESTS).sort());
    for (const [dep, test] of Object.entries(NATIVE_TESTS)) {
      expect(subset, `${dep}: ${test}`).toContain(test);
      expect(readFileSync(test, 'utf8'), `${test} exercises ${dep}`).toMatch(
        dep === 'better-sqlite3' ? /sqlite/i : dep.startsWith('@duckdb/') ? /Engine/ : /onnx/,
      );
    }
  });

  it('list only test files that exist', () => {
    expect(subset.length).toBeGreaterThan(5);
    for (const t of subset) expect(existsSync(t), t).toBe(true);
  });
});
