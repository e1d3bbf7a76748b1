import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../../src/pipeline/project/ProjectRuntime.js';
import { usePostgres } from '../../support/usePostgres.js';
import { queueProject, until } from './queueProject.js';

const server = usePostgres();

/** Open LISTEN connections of the job queue. */
async function listeners(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'sluice-queue-listen'`);
    return r.rows[0].n as number;
  } finally {
    await c.end();
  }
}

describe('job queue notifications (issue 17: polling no longer sets the pace of a state)', () => {
  it('a sent job wakes an idle worker and a finished one wakes the orchestrator, also after the LISTEN connection is lost', async () => {
    // Polls of ten minutes, for the worker and the orchestrator: only the notifications can move
    // these executions along within the test's time.
    const dir = queueProject(server.url, { poll: '10m' });
    const silent = pino({ level: 'silent' });
    const orchestrating = await ProjectRuntime.open(loadProject(dir), { logger: silent, pollMs: 600_000 });
    const working = await ProjectRuntime.open(loadProject(dir), { logger: silent });
    try {
      working.startWorker({ concurrency: 1 });
      await orchestrating.start({ work: false });
      await until('both processes listen', async () => (await listeners(server.url)) === 2);
      const first = await orchestrating.orchestrator.start({ n: 1 });
      const done = await orchestrating.orchestrator.waitFor(first.id, { timeoutMs: 240_000 });
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');

      // PostgreSQL drops the LISTEN connections (a restart, a proxy timeout): both listen again.
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sluice-queue-listen'`);
      await admin.end();
      await until('both processes listen again', async () => (await listeners(server.url)) === 2);
      const second = await orchestrating.orchestrator.start({ n: 2 });
      const again = await orchestrating.orchestrator.waitFor(second.id, { timeoutMs: 240_000 });
      expect(again.status, JSON.stringify(again.error)).toBe('succeeded');
      const steps = (await orchestrating.store.events(second.id)).filter((e) => e.type === 'ActivitySucceeded').map((e) => e.step);
      expect(steps).toEqual(['first', 'second']);
    } finally {
      await working.close();
      await orchestrating.close();
    }
  }, 600_000);
});
