import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideApproval, pendingApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';
import { builtFixture } from '../support/builtFixture.js';
import { approvePending, runOrKill } from '../support/faults.js';
import { CRASH_PIPELINE } from './fixtures/crashPipeline.js';
import { effectLines, tempProject } from './support.js';

// Compiled once for this file: each of the ~80 worker starts below then skips tsx.
const WORKER = await builtFixture(join(import.meta.dirname, 'fixtures', 'crashWorker.ts'));
const ROOT = join(import.meta.dirname, '..', '..');
const STEPS = ['prepare', 'flaky', 'build/ingest', 'build/train', 'deploy'];

function runWorker(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [WORKER], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { signal: r.signal, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Restarts the worker (approving whatever waits) until every execution has ended. */
async function finish(p: Awaited<ReturnType<typeof tempProject>>) {
  for (let round = 0; round < 20; round++) {
    const r = runWorker({ PROJECT: p.root });
    expect(r.status, r.stderr).toBe(0);
    const waiting = await approvePending(p.store);
    if (waiting === 0 && (await p.store.list({ limit: 1000 })).every((e) => e.status === 'succeeded')) return;
  }
  throw new Error('executions did not finish');
}

async function checkExactlyOnce(p: Awaited<ReturnType<typeof tempProject>>) {
  const execs = await p.store.list({ limit: 1000 });
  const expected = execs.flatMap((e) => STEPS.map((s) => `${e.id}:${s}`)).sort();
  const why = (
    await Promise.all(
      execs.map(
        async (e) =>
          `${e.id} ${e.status} ${JSON.stringify(e.error)}\n${(
            await p.store.events(e.id)
          )
            .map((x) => `${x.seq} ${x.type} ${x.step ?? ''} ${JSON.stringify(x.data).slice(0, 120)}`)
            .join('\n')}`,
      ),
    )
  ).join('\n');
  expect(effectLines(join(p.root, 'effects.txt')).sort(), why).toEqual(expected);
  for (const e of execs) {
    expect(e).toMatchObject({ status: 'succeeded', outcome: 'deployed' });
    const h = await p.store.events(e.id);
    const succeeded = h.filter((x) => x.type === 'ActivitySucceeded').map((x) => x.step);
    expect(succeeded.sort()).toEqual([...STEPS].sort());
    expect(h.map((x) => x.seq)).toEqual(h.map((_, i) => i + 1));
    expect(h.filter((x) => x.type === 'ApprovalDecided')).toHaveLength(1);
    expect(h.filter((x) => x.type === 'ExecutionSucceeded')).toHaveLength(1);
  }
}

describe('crash recovery (a real child process killed with SIGKILL)', () => {
  it('resumes after a kill right after every recorded event, with exactly-once effects', async () => {
    // Each run is killed right after the first event it records that no earlier run was killed
    // at, so successive restarts walk the execution: every event of every state is a kill point.
    const p = await tempProject();
    await p.store.create(parsePipelineYaml(CRASH_PIPELINE), { n: 0 });
    const id = (await p.store.list())[0]!.id;
    let kills = 0;
    for (let round = 0; round < 200; round++) {
      const r = runWorker({ PROJECT: p.root, KILL_POINTS_FILE: join(p.root, 'kill-points') });
      if (r.signal === 'SIGKILL') {
        kills++;
        continue;
      }
      expect(r.status, r.stderr).toBe(0);
      if (pendingApproval(await p.store.events(id)))
        await decideApproval(p.store, { executionId: id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
      else if ((await p.store.require(id)).status === 'succeeded' || (await p.store.require(id)).status === 'failed') break;
    }
    await checkExactlyOnce(p);
    const events = await p.store.events(id);
    // Kill points are after each recorded transaction (events recorded together commit together):
    // every step of every state was among them, and each fact (start, result, timer, notice).
    const killedAt = readFileSync(join(p.root, 'kill-points'), 'utf8').split('\n').filter(Boolean);
    expect(kills).toBe(killedAt.length);
    const steps = new Set(events.map((e) => e.step).filter(Boolean));
    for (const step of steps)
      expect(
        killedAt.some((k) => k.split(':')[1] === step),
        `a kill in ${step}`,
      ).toBe(true);
    for (const t of ['ActivityStarted', 'ActivitySucceeded', 'ActivityFailed', 'TimerStarted', 'TimerFired', 'ApprovalRequested', 'ApprovalNotified']) {
      expect(
        killedAt.some((k) => k.startsWith(`${t}:`)),
        `a kill after ${t}`,
      ).toBe(true);
    }
    // Every state kind was entered, and resumed, across kills.
    expect(new Set(events.filter((e) => e.type === 'StateEntered').map((e) => e.data.type))).toEqual(
      new Set(['task', 'approval', 'choice', 'parallel', 'wait', 'succeed']),
    );
    expect(events.filter((e) => e.type === 'ActivityRetried')).toHaveLength(1);
  }, 900_000);

  it('an effect applied just before the kill is not applied again', async () => {
    for (const step of ['prepare', 'build/ingest', 'deploy']) {
      const p = await tempProject();
      runWorker({ PROJECT: p.root, START: '1', KILL_IN_STEP: step });
      const id = (await p.store.list())[0]!.id;
      if (pendingApproval(await p.store.events(id)))
        await decideApproval(p.store, { executionId: id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
      const r = runWorker({ PROJECT: p.root, KILL_IN_STEP: step });
      expect(r.signal === 'SIGKILL' || r.status === 0).toBe(true);
      await finish(p);
      await checkExactlyOnce(p);
      // The step ran twice (the killed attempt and the resumed one) yet its effect is there once.
      expect((await p.store.events(id)).filter((e) => e.type === 'ActivityStarted' && e.step === step).length).toBeGreaterThanOrEqual(2);
    }
  }, 900_000);

  it('20 executions survive random kills from outside', async () => {
    const p = await tempProject();
    const def = parsePipelineYaml(CRASH_PIPELINE);
    for (let i = 0; i < 20; i++) await p.store.create(def, { n: i });
    for (let round = 0; round < 10; round++) {
      // Killed 0.5-1.5 s after it starts, unless it finished before (on a fast machine it may).
      await runOrKill([WORKER], { cwd: ROOT, env: { ...process.env, PROJECT: p.root, CONCURRENCY: '3' } }, 500 + Math.floor(Math.random() * 1000));
      await approvePending(p.store);
    }
    await finish(p);
    expect(await p.store.count()).toBe(20);
    await checkExactlyOnce(p);
  }, 900_000);
});
