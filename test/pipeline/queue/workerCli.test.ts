import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { initProject } from '../../../src/pipeline/project/initProject.js';
import { loadProject } from '../../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../../src/pipeline/project/ProjectRuntime.js';
import { createDatabase, usePostgres } from '../../support/usePostgres.js';
import { queueProject, startSluice, until } from './queueProject.js';

const server = usePostgres();

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

const fresh = (name: string): Promise<string> => createDatabase(server, name);

describe('sluice worker: activities taken from the pg-boss queue (issue 17, point 2)', () => {
  it('refuses SQLite state, unknown queues and --no-work without PostgreSQL, clearly', async () => {
    const sqlite = mkdtempSync(join(tmpdir(), 'sluice-w-'));
    initProject(sqlite);
    const w = startSluice(['worker', '-p', sqlite]);
    expect((await w.exited).code).not.toBe(0);
    expect(w.out()).toContain('sluice worker needs the state on PostgreSQL (stores.state: postgres)');
    const s = startSluice(['serve', '-p', sqlite, '--no-work', '--port', '0']);
    expect((await s.exited).code).not.toBe(0);
    expect(s.out()).toContain('--no-work needs the state on PostgreSQL');

    const dir = queueProject(await fresh('unknownq'));
    const u = startSluice(['worker', '-p', dir, '--queues', 'train,nope']);
    expect((await u.exited).code).not.toBe(0);
    expect(u.out()).toContain('unknown queue "nope"');
    expect(u.out()).toMatch(/valid queues \(one per activity kind\): run_flow, report, notify, ingest_features, train, register_model, deploy, command/);
    const c = startSluice(['worker', '-p', dir, '--concurrency', '0']);
    expect((await c.exited).code).not.toBe(0);
    expect(c.out()).toContain('--concurrency is "0"');
  }, 120_000);

  it('a job whose worker is killed mid-activity is retried by another worker after its lease, and its effect happens once', async () => {
    const dir = queueProject(await fresh('killed'), { lease: '2s' });
    // This process orchestrates only (as `sluice serve --no-work`); the workers run the steps.
    const rt = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }), pollMs: 50 });
    try {
      await rt.start({ work: false });
      const ex = await rt.orchestrator.start({ n: 1 });
      const a = startSluice(['worker', '-p', dir, '--queues', 'command'], { SLEEP_MS: '4000' }, dir);
      await until('worker A starts the first step', () => lines(join(dir, 'started.txt')).length === 1);
      a.child.kill('SIGKILL');
      await a.exited;
      const killedAt = Date.now();
      const job = await rt.state.one<{ id: string }>(`SELECT id FROM sluice_queue.job WHERE name = 'command' AND state = 'active'`);
      expect(job).toBeDefined();
      const b = startSluice(['worker', '-p', dir, '--queues', 'command'], { SLEEP_MS: '10' }, dir);
      try {
        // The dead worker's lease (2 s) lapses and is swept (every 0.5 s); worker B takes the job again.
        await until('the job is claimed again', async () => {
          const r = await rt.state.one<{ state: string; started_on: Date }>('SELECT state, started_on FROM sluice_queue.job WHERE id = ?', [job!.id]);
          return r !== undefined && (r.state !== 'active' || r.started_on.getTime() > killedAt);
        });
        // The bound: lease + sweep interval + poll, with room for a loaded machine.
        expect(Date.now() - killedAt).toBeLessThan(2000 * 1.25 + 100 + 20_000);
        const done = await rt.orchestrator.waitFor(ex.id, { timeoutMs: 120_000 });
        expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
        expect(lines(join(dir, 'effects.txt')).sort()).toEqual([`${ex.id}:first`, `${ex.id}:second`]);
        const h = await rt.store.events(ex.id);
        const starts = h.filter((e) => e.type === 'ActivityStarted' && e.step === 'first');
        expect(starts.length).toBe(2);
        // The history names the process of each attempt: worker A (killed), then worker B.
        expect(starts.map((e) => String(e.data.by).split(':')[1])).toEqual([String(a.child.pid), String(b.child.pid)]);
        // Every store of this project is on this machine: the worker says so when it starts.
        expect(b.out()).toContain('these stores are on this machine only: stores.artifacts (local folder; use type s3)');
        expect(h.filter((e) => e.type === 'ActivitySucceeded' && e.step === 'first').length).toBe(1);
        expect(h.map((e) => e.seq)).toEqual(h.map((_, i) => i + 1));
      } finally {
        b.child.kill('SIGTERM');
        await b.exited;
      }
    } finally {
      await rt.close();
    }
  }, 300_000);
});
