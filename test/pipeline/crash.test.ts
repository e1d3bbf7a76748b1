import { spawnSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideApproval, pendingApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';
import { CRASH_PIPELINE } from './fixtures/crashPipeline.js';
import { effectLines, tempProject } from './support.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'crashWorker.ts');
const ROOT = join(import.meta.dirname, '..', '..');
const STEPS = ['prepare', 'flaky', 'build/ingest', 'build/train', 'deploy'];

function runWorker(env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', WORKER], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { signal: r.signal, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Restarts the worker (approving whatever waits) until every execution has ended. */
function finish(p: ReturnType<typeof tempProject>) {
  for (let round = 0; round < 20; round++) {
    const r = runWorker({ PROJECT: p.root });
    expect(r.status, r.stderr).toBe(0);
    let waiting = 0;
    for (const ex of p.store.list({ limit: 1000 })) {
      if (ex.status !== 'waiting' || !pendingApproval(p.store.events(ex.id))) continue;
      decideApproval(p.store, { executionId: ex.id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
      waiting++;
    }
    if (waiting === 0 && p.store.list({ limit: 1000 }).every((e) => e.status === 'succeeded')) return;
  }
  throw new Error('executions did not finish');
}

function checkExactlyOnce(p: ReturnType<typeof tempProject>) {
  const execs = p.store.list({ limit: 1000 });
  const expected = execs.flatMap((e) => STEPS.map((s) => `${e.id}:${s}`)).sort();
  expect(effectLines(join(p.root, 'effects.txt')).sort()).toEqual(expected);
  for (const e of execs) {
    expect(e).toMatchObject({ status: 'succeeded', outcome: 'deployed' });
    const h = p.store.events(e.id);
    const succeeded = h.filter((x) => x.type === 'ActivitySucceeded').map((x) => x.step);
    expect(succeeded.sort()).toEqual([...STEPS].sort());
    expect(h.map((x) => x.seq)).toEqual(h.map((_, i) => i + 1));
    expect(h.filter((x) => x.type === 'ApprovalDecided')).toHaveLength(1);
    expect(h.filter((x) => x.type === 'ExecutionSucceeded')).toHaveLength(1);
  }
}

describe('crash recovery (a real child process killed with SIGKILL)', () => {
  it('resumes after a kill right after each recorded event, with exactly-once effects', () => {
    const ref = tempProject();
    const first = runWorker({ PROJECT: ref.root, START: '1' });
    expect(first.status, first.stderr).toBe(0);
    finish(ref);
    checkExactlyOnce(ref);
    const total = ref.store.events(ref.store.list()[0]!.id).length;
    expect(total).toBeGreaterThan(30);
    // The kill points: after event n of the first run (the run up to the approval).
    const firstRunEvents = Number(/events (\d+)/.exec(first.stdout)![1]);
    for (let n = 1; n <= firstRunEvents; n++) {
      const p = tempProject();
      const r = runWorker({ PROJECT: p.root, START: '1', KILL_AFTER_EVENT: String(n) });
      expect(r.signal, `kill after event ${n}`).toBe('SIGKILL');
      finish(p);
      checkExactlyOnce(p);
    }
  }, 600_000);

  it('resumes after a kill in the later states (after the approval) at every event', () => {
    const ref = tempProject();
    runWorker({ PROJECT: ref.root, START: '1' });
    const id = ref.store.list()[0]!.id;
    decideApproval(ref.store, { executionId: id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
    const second = runWorker({ PROJECT: ref.root });
    const after = Number(/events (\d+)/.exec(second.stdout)![1]);
    expect(after).toBeGreaterThan(10);
    for (let n = 1; n <= after; n++) {
      const p = tempProject();
      runWorker({ PROJECT: p.root, START: '1' });
      const ex = p.store.list()[0]!.id;
      decideApproval(p.store, { executionId: ex, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
      const r = runWorker({ PROJECT: p.root, KILL_AFTER_EVENT: String(n) });
      expect(r.signal, `kill after event ${n} past the approval`).toBe('SIGKILL');
      finish(p);
      checkExactlyOnce(p);
    }
  }, 600_000);

  it('an effect applied just before the kill is not applied again', () => {
    for (const step of ['prepare', 'build/ingest', 'deploy']) {
      const p = tempProject();
      runWorker({ PROJECT: p.root, START: '1', KILL_IN_STEP: step });
      const id = p.store.list()[0]!.id;
      if (pendingApproval(p.store.events(id))) decideApproval(p.store, { executionId: id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
      const r = runWorker({ PROJECT: p.root, KILL_IN_STEP: step });
      expect(r.signal === 'SIGKILL' || r.status === 0).toBe(true);
      finish(p);
      checkExactlyOnce(p);
      // The step ran twice (the killed attempt and the resumed one) yet its effect is there once.
      expect(p.store.events(id).filter((e) => e.type === 'ActivityStarted' && e.step === step).length).toBeGreaterThanOrEqual(2);
    }
  }, 300_000);

  it('20 executions survive random kills from outside', async () => {
    const p = tempProject();
    const def = parsePipelineYaml(CRASH_PIPELINE);
    for (let i = 0; i < 20; i++) p.store.create(def, { n: i });
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { cwd: ROOT, env: { ...process.env, PROJECT: p.root, CONCURRENCY: '3' }, stdio: 'ignore' });
      const delay = 500 + Math.floor(Math.random() * 1000);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      for (const ex of p.store.list({ limit: 100 })) {
        if (ex.status === 'waiting' && pendingApproval(p.store.events(ex.id))) decideApproval(p.store, { executionId: ex.id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
      }
    }
    finish(p);
    expect(p.store.count()).toBe(20);
    checkExactlyOnce(p);
  }, 300_000);
});
