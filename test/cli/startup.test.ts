import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLUICE_BIN } from '../support/sluiceBin.js';

/**
 * Start-up stays fast because each command loads its heavy modules inside its action
 * (issue 19: `sluice --help` and `sluice flow validate` under 0.2 s). A module-loader hook
 * records every module the real CLI loads; a static import of DuckDB, Fastify, SQLite, the
 * feature stores or the pipeline runtime in any command file shows up here.
 */
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "import { writeSync } from 'node:fs'; export async function load(url, ctx, next) { writeSync(2, 'LOADED ' + url + '\\\\n'); return next(url, ctx); }"
));`)}`;

function loadedBy(
  args: string[],
  entry = ['--import', 'tsx', '--import', HOOK, `${process.cwd()}/src/cli/main.ts`],
): { code: number; stdout: string; modules: string[] } {
  const r = spawnSync(process.execPath, [...entry, ...args], {
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const modules = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(7));
  return { code: r.status ?? -1, stdout: r.stdout, modules };
}

const HEAVY = [
  '@duckdb',
  'fastify',
  'better-sqlite3',
  'ioredis',
  '@aws-sdk',
  'nodemailer',
  'chokidar',
  'pino',
  '/src/engine/Engine',
  '/src/pipeline/project/ProjectRuntime',
];
const heavyIn = (modules: string[]): string[] => modules.filter((m) => HEAVY.some((h) => m.includes(h)));

describe('CLI start-up loads only what the command needs', () => {
  it('sluice --help loads no database, server, store or pipeline module', () => {
    const r = loadedBy(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('flow');
    expect(r.modules.some((m) => m.includes('/src/cli/commands/flow.ts'))).toBe(true); // the hook sees the CLI's modules
    expect(heavyIn(r.modules)).toEqual([]);
    expect(r.modules.filter((m) => m.includes('node_modules/zod/'))).toEqual([]);
  });

  it('sluice flow validate (no --input) does not load DuckDB', () => {
    const r = loadedBy(['flow', 'validate', 'examples/diabetes/diabetes.flow.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
    expect(r.modules.some((m) => m.includes('/src/flow/loadFlow.ts'))).toBe(true);
    expect(heavyIn(r.modules)).toEqual([]);
  });

  it('the built command runs the bundle (scripts/bundleCli.mjs): Sluice, zod, yaml and commander in a few files, no heavy package', () => {
    const r = loadedBy(['flow', 'validate', 'examples/diabetes/diabetes.flow.yaml'], ['--import', HOOK, SLUICE_BIN]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
    const files = r.modules.filter((m) => m.startsWith('file:'));
    expect(files.some((m) => m.endsWith('/dist/bundle/main.js'))).toBe(true);
    expect(files.filter((m) => m.includes('/dist/cli/') || m.includes('/node_modules/'))).toEqual([]);
    expect(files.length).toBeLessThan(40);
    expect(heavyIn(r.modules)).toEqual([]);
  });

  it('every worker thread a module starts (spawnModuleWorker) has its entry in the bundle, beside main.js', () => {
    const calls = execFileSync('grep', ['-rhoE', "^[^*]*spawnModuleWorker\\(import\\.meta\\.url, '[A-Za-z]+'\\)", 'src'], { encoding: 'utf8' });
    const names = [...calls.matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1]!);
    expect(names).toEqual(expect.arrayContaining(['worker', 'quickModelWorker']));
    for (const name of names) expect(existsSync(join('dist', 'bundle', `${name}.js`)), name).toBe(true);
  });
});
