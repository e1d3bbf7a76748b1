import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { expectCleanError, sluice } from '../cli/run.js';
import { cli } from '../state/liveProject.js';
import { type EndpointProcess, startEndpoint } from '../support/endpointProcess.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** A real artifact (gbdt over age, color, score): registered twice to have a promotion to follow. */
const ARTIFACT = resolve('test/fixtures/artifacts/train-v1/model');

/** A project (`sluice init`) logging every prediction, with versions 1 and 2 approved and 1 champion. */
async function project(): Promise<{ dir: string; db: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-workers-'));
  const init = await cli(dir, ['init', '.']);
  if (init.code !== 0) throw new Error(init.stderr);
  const yaml = readFileSync(join(dir, 'sluice.yaml'), 'utf8');
  // Replaces the key init writes (sampleRate: 0): every request is logged.
  const logged = yaml.replace(/^(\s*)sampleRate: 0\b/m, '$1sampleRate: 1');
  expect(logged).not.toBe(yaml);
  writeFileSync(join(dir, 'sluice.yaml'), logged);
  const p = loadProject(dir);
  const registry = await ModelRegistry.open(p.root, p.paths.stateDir);
  for (let i = 0; i < 2; i++) await registry.register(ARTIFACT, { name: 'readmission', status: 'approved', by: 'test' });
  await registry.promote('readmission', 1, 'champion', 'test');
  await registry.close();
  return { dir, db: join(p.paths.stateDir, 'sluice.db') };
}

/** `sluice serve --role endpoint --workers N --port 0`, once every worker listens. */
function serve(dir: string, workers: number): Promise<EndpointProcess> {
  return startEndpoint(dir, ['--workers', String(workers)]);
}

const CSV = 'age,color,score\n20,red,6.99\n51,green,2.4\n';

async function invoke(base: string): Promise<{ status: number; version: string | null }> {
  const r = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: CSV });
  await r.arrayBuffer();
  return { status: r.status, version: r.headers.get('x-sluice-model-version') };
}

/** `n` requests, `concurrency` at a time (so several connections, spread over the workers). */
async function load(base: string, n: number, concurrency: number): Promise<Array<{ status: number; version: string | null }>> {
  const out: Array<{ status: number; version: string | null }> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        out.push(await invoke(base));
      }
    }),
  );
  return out;
}

describe('sluice serve --role endpoint --workers N (several processes on one port)', () => {
  it('serves from every worker, follows a promotion in each, and logs every prediction through SIGTERM', async () => {
    const { dir, db } = await project();
    const s = await serve(dir, 2);
    try {
      // Two workers listen, each its own process.
      const listening = s.lines.filter((l) => String(l.msg).startsWith('Server listening'));
      expect(new Set(listening.map((l) => l.pid)).size).toBe(2);
      expect(listening.every((l) => l.pid !== s.pid)).toBe(true);

      const first = await load(s.base, 400, 16);
      expect(first.every((r) => r.status === 200 && r.version === '1')).toBe(true);

      // A promotion made elsewhere (here the registry itself; the CLI or the main server alike).
      const p = loadProject(dir);
      const registry = await ModelRegistry.open(p.root, p.paths.stateDir);
      await registry.promote('readmission', 2, 'champion', 'test');
      await registry.close();
      // Every worker follows (they poll the registry each second): 100 answers in a row from version 2.
      let streak = 0;
      const deadline = Date.now() + 20_000;
      while (streak < 100 && Date.now() < deadline) {
        const batch = await load(s.base, 50, 10);
        streak = batch.every((r) => r.version === '2') ? streak + batch.length : 0;
      }
      expect(streak).toBeGreaterThanOrEqual(100);

      // Load, then SIGTERM at once: what is queued in each worker's prediction log is written.
      const last = await load(s.base, 1000, 32);
      expect(last.every((r) => r.status === 200)).toBe(true);
      process.kill(s.pid, 'SIGTERM');
      expect(await s.exited).toBe(0);
      const answered = 400 + streak + last.length;
      const state = new Database(db, { readonly: true });
      const rows = state.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT request_id) AS requests FROM predictions').get() as { n: number; requests: number };
      state.close();
      // Every request was logged, both records of each (the requests of the promotion wait included).
      expect(rows.requests).toBeGreaterThanOrEqual(answered);
      expect(rows.n).toBe(rows.requests * 2);
      expect(s.lines.filter((l) => l.msg === 'shutting down the endpoint')).toHaveLength(2);
    } finally {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        // already stopped
      }
    }
  }, 120_000);

  it('refuses --workers without --role endpoint, and bad values, with a clean error', async () => {
    expectCleanError(await sluice(['serve', '--workers', '2', '--project', '/nonexistent']), 'CLI_BAD_OPTION');
    expectCleanError(await sluice(['serve', '--role', 'endpoint', '--workers', '0', '--project', '/nonexistent']), 'CLI_BAD_OPTION');
    expectCleanError(await sluice(['serve', '--role', 'orchestrator', '--project', '/nonexistent']), 'CLI_BAD_OPTION');
  });
});
