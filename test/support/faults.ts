// biome-ignore-all lint/suspicious/noExplicitAny: activity outputs are untyped JSON in the history; a wrong shape fails the assertions
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { FeatureStore, type FeatureStoreOptions } from '../../src/features/FeatureStore.js';
import type { ModelRegistry } from '../../src/models/ModelRegistry.js';
import type { ModelVersion } from '../../src/models/types.js';
import { decideApproval, pendingApproval } from '../../src/pipeline/approvals/decideApproval.js';
import type { ExecutionEvent } from '../../src/pipeline/events.js';
import type { ExecutionStore } from '../../src/pipeline/store/ExecutionStore.js';

/**
 * What the fault tests (test/pipeline/faultReal.test.ts, test/pipeline/queue/workerFaults.test.ts,
 * test/pipeline/crash.test.ts)
 * share: killing processes at seeded random moments, approving what waits, and checking that
 * executions run through kills have had each of their effects exactly once.
 */

/** A seeded pseudo-random number in [0, 1) per call: a failure can be replayed with the same seed. */
export function seededRandom(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/**
 * Runs `node ARGS` (stdout ignored) until it exits or, with `killAfterMs`, until it is SIGKILLed
 * that long after it started; its exit code or signal and its stderr.
 */
export async function runOrKill(
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
  killAfterMs?: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const r = await exited;
  clearTimeout(timer);
  return { ...r, stderr };
}

/** Approves, as `ana` (approver), every waiting execution with an approval pending; how many. */
export async function approvePending(store: ExecutionStore): Promise<number> {
  let approved = 0;
  for (const ex of await store.list({ limit: 1000 })) {
    if (ex.status === 'waiting' && pendingApproval(await store.events(ex.id))) {
      await decideApproval(store, { executionId: ex.id, approver: { name: 'ana', role: 'approver' }, decision: 'approve', comment: 'fault test' });
      approved++;
    }
  }
  return approved;
}

/** An execution that succeeded: its history and each step's output (by the step's last name). */
export interface Finished {
  id: string;
  history: ExecutionEvent[];
  outputs: Record<string, any>;
}

/** All `n` executions succeeded, each once, with a dense history (seq 1, 2, ...). */
export async function expectSucceededOnce(store: ExecutionStore, n: number): Promise<Finished[]> {
  const execs = await store.list({ limit: 1000 });
  expect(execs).toHaveLength(n);
  const finished: Finished[] = [];
  for (const e of execs) {
    expect(e.status, `${e.id}: ${JSON.stringify(e.error)}`).toBe('succeeded');
    const h = await store.events(e.id);
    expect(h.map((x) => x.seq)).toEqual(h.map((_, i) => i + 1));
    expect(h.filter((x) => x.type === 'ExecutionSucceeded')).toHaveLength(1);
    const outputs: Record<string, any> = {};
    for (const x of h) if (x.type === 'ActivitySucceeded' && x.step) outputs[x.step.split('/').pop()!] = x.data.output;
    finished.push({ id: e.id, history: h, outputs });
  }
  return finished;
}

/**
 * The feature group `group` holds each execution's batch exactly once, offline: one batch per
 * execution, and every transformed row once (a record id repeated within a batch keeps its
 * latest event), as counted by the group and by a query. `store` opens the feature store.
 */
export async function expectFeatureRowsOnce(store: FeatureStoreOptions, group: string, finished: readonly Finished[]): Promise<void> {
  const fs = await FeatureStore.open(store);
  try {
    const g = await fs.describeGroup(group);
    expect(g.offline.batches).toBe(finished.length);
    const expected = finished.reduce((n, f) => n + (f.outputs.run_flow.rows as number) - (f.outputs.ingest_features.duplicatesDropped as number), 0);
    expect(g.offline.rows).toBe(expected);
    const counted = (await fs.query(`SELECT count(*)::INTEGER AS n FROM ${group}`)) as Array<{ n: number }>;
    expect(counted[0]?.n).toBe(expected);
  } finally {
    await fs.close();
  }
}

/**
 * The model `name` has one version per execution (its lineage names the execution), and each
 * execution promoted at most once, exactly as its deploy step says; a champion exists.
 * Returns the versions.
 */
export async function expectVersionsOnce(reg: ModelRegistry, name: string, ids: readonly string[], finished: readonly Finished[]): Promise<ModelVersion[]> {
  const versions = await reg.versions(name);
  expect(versions).toHaveLength(ids.length);
  expect(new Set(versions.map((v) => v.lineage.trainingBatch?.executionId))).toEqual(new Set(ids));
  const history = await reg.history(name);
  for (const f of finished) {
    const promotions = history.filter((h) => h.by === `pipeline:${f.id}` && h.kind === 'alias');
    expect(promotions.length, f.id).toBeLessThanOrEqual(1);
    if (f.outputs.deploy)
      expect(
        promotions.map((h) => h.alias),
        f.id,
      ).toEqual([f.outputs.deploy.decision]);
    else expect(promotions, f.id).toEqual([]);
  }
  expect(await reg.champion(name)).toBeDefined();
  return versions;
}
