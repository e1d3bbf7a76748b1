import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PgBossQueue } from '../../../src/pipeline/queue/PgBossQueue.js';
import { createDatabase, usePostgres } from '../../support/usePostgres.js';

const server = usePostgres();

const fresh = (name: string): Promise<string> => createDatabase(server, name);

const QUEUES = ['run_flow', 'report', 'notify', 'ingest_features', 'train', 'register_model', 'deploy', 'command'];

describe('PgBossQueue.open: processes starting together on a fresh database', () => {
  // `docker compose up`, systemd at boot, a test: serve and its workers start at the same moment.
  // Creating a queue is DDL (a partition of pg-boss's job table, foreign keys to its queue
  // table); two processes creating different queues at once deadlocked, and one exited with
  // QUEUE_UNAVAILABLE "deadlock detected".
  it('six processes opening the queue at once all start, and every queue exists once', async () => {
    for (const round of [1, 2, 3]) {
      const url = await fresh(`startup${round}`);
      const log = pino({ level: 'silent' });
      const opened = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          PgBossQueue.open(url, { queues: i % 2 ? [...QUEUES].reverse() : QUEUES, leaseMs: 5000, pollMs: 100, log, pool: 2 }),
        ),
      );
      const queues = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      try {
        expect(opened.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : 'ok'))).toEqual(opened.map(() => 'ok'));
        const db = new pg.Client({ connectionString: url });
        await db.connect();
        try {
          // pg-boss's own queues (`__pgboss__...`) aside.
          const { rows } = await db.query<{ name: string }>(`SELECT name FROM sluice_queue.queue WHERE name NOT LIKE '\\_\\_pgboss\\_\\_%' ORDER BY name`);
          expect(rows.map((r) => r.name)).toEqual([...QUEUES].sort());
        } finally {
          await db.end();
        }
        // And they work: a job sent by one is taken by another.
        const taken = new Promise<string>((resolve) =>
          queues[1]!.work(['train'], 1, async (job) => {
            resolve(job.executionId);
          }),
        );
        await queues[0]!.send('train', { executionId: 'ex-1', step: 'train', attempt: 1, run: 0 });
        expect(await taken).toBe('ex-1');
      } finally {
        await Promise.all(queues.map((q) => q.stop()));
      }
    }
  }, 300_000);
});
