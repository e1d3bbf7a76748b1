import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../src/models/ModelRegistry.js';
import { loadProject } from '../../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../../src/pipeline/project/ProjectRuntime.js';
import { DIABETES } from '../../support/data.js';
import { approvePending, expectFeatureRowsOnce, expectSucceededOnce, expectVersionsOnce, seededRandom } from '../../support/faults.js';
import { usePostgres } from '../../support/usePostgres.js';
import { type SluiceChild, startSluice } from './queueProject.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const N = 20;
const LEASE_MS = 3000;

const server = usePostgres();

function project(url: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-wfault-'));
  copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(dir, 'diabetes.flow.yaml'));
  writeFileSync(
    join(dir, 'sluice.yaml'),
    `name: wfault
flow: diabetes.flow.yaml
target: readmitted
concurrency: 8
featureGroup: { name: encounters, recordIdentifier: record_id, eventTime: event_time }
model: { name: readmission, timeLimit: 5, learners: [logistic], maxCandidates: 1, ensemble: false }
approvers: [{ name: ana, role: approver }]
stores:
  state: { type: postgres, url: "${url}" }
queue: { lease: ${LEASE_MS}ms, poll: 200ms, concurrency: 1, maxStarts: 1000 }
`,
  );
  const lines = readFileSync(DIABETES, 'utf8').split('\n');
  for (let i = 0; i < N; i++) writeFileSync(join(dir, `b${i}.csv`), `${[lines[0], ...lines.slice(1 + i * 200, 1 + (i + 1) * 200)].join('\n')}\n`);
  return dir;
}

/** Retries a step of the test's own that meets PostgreSQL restarting. */
async function tolerant<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

describe('fault test across processes: three sluice workers, PostgreSQL, kills (issue 17, point 5)', () => {
  it(`${N} executions finish with exactly-once effects while workers are SIGKILLed and PostgreSQL restarts`, async () => {
    const dir = project(server.url);
    const rt = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }) });
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push((await rt.orchestrator.startFile(join(dir, `b${i}.csv`))).id);
    // The orchestration runs in `sluice serve --no-work`; the three workers run every activity.
    const serve = startSluice(['serve', '-p', dir, '--no-work', '--no-watch', '--port', '0'], {}, dir);
    const workers: SluiceChild[] = [0, 1, 2].map(() => startSluice(['worker', '-p', dir], {}, dir));
    const rand = seededRandom(11);
    let kills = 0;
    let restarted = false;
    let worstOverdueMs = 0;
    const deadline = Date.now() + 1_500_000;
    let nextKill = Date.now() + 2000 + rand() * 3000;
    try {
      for (;;) {
        if (Date.now() > deadline) throw new Error(`the executions did not finish in time; sluice serve said:\n${serve.out().slice(-4000)}`);
        // The orchestrator is never killed here: its exit is a failure to report now, with its words.
        if (serve.child.exitCode !== null || serve.child.signalCode !== null)
          throw new Error(`sluice serve exited (${serve.child.exitCode ?? serve.child.signalCode}):\n${serve.out().slice(-4000)}`);
        const execs = (await tolerant(() => rt.store.list({ limit: 1000 }))) ?? [];
        await tolerant(() => approvePending(rt.store));
        // No job stays claimed past its lease longer than the sweep (a quarter lease) and a poll, with room for load.
        const overdue = await tolerant(() =>
          rt.state.one<{ ms: number | null }>(
            `SELECT MAX(EXTRACT(EPOCH FROM (now() - (started_on + expire_in))) * 1000)::float AS ms FROM sluice_queue.job WHERE state = 'active'`,
          ),
        );
        worstOverdueMs = Math.max(worstOverdueMs, overdue?.ms ?? 0);
        if (execs.length === N && execs.every((e) => e.status === 'succeeded' || e.status === 'failed')) break;
        if (kills < 8 && Date.now() > nextKill) {
          const i = Math.floor(rand() * workers.length);
          workers[i]!.child.kill('SIGKILL');
          await workers[i]!.exited;
          kills++;
          workers[i] = startSluice(['worker', '-p', dir], {}, dir);
          nextKill = Date.now() + 2000 + rand() * 3000;
          if (kills === 3 && !restarted) {
            server.restart();
            restarted = true;
          }
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(restarted).toBe(true);
      expect(worstOverdueMs).toBeLessThan(LEASE_MS / 4 + 200 + 15_000);

      const finished = await expectSucceededOnce(rt.store, N);
      // One result per step: a run taken over after a kill recorded no second one.
      for (const f of finished) {
        const results = f.history.filter((x) => x.type === 'ActivitySucceeded').map((x) => `${x.step}:${x.data.attempt}`);
        expect(new Set(results).size).toBe(results.length);
      }
      // Feature rows: each batch exactly once (the feature registry is in the state PostgreSQL, as the workers wrote it).
      await expectFeatureRowsOnce({ projectDir: dir, state: rt.state }, 'encounters', finished);
      const reg = await ModelRegistry.open(dir, undefined, { state: rt.state });
      try {
        await expectVersionsOnce(reg, 'readmission', ids, finished);
      } finally {
        await reg.close();
      }
      // Nothing is left claimed.
      const active = await rt.state.one<{ n: number }>(`SELECT COUNT(*) AS n FROM sluice_queue.job WHERE state = 'active'`);
      expect(active?.n).toBe(0);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      serve.child.kill('SIGTERM');
      await Promise.all([...workers.map((w) => w.exited), serve.exited]);
      await rt.close();
    }
  }, 1_800_000);
});
