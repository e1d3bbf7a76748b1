import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { builtinActivities } from '../../src/pipeline/activities/builtinActivities.js';
import { defaultPipeline } from '../../src/pipeline/definition/defaultPipeline.js';
import { decideApproval } from '../../src/pipeline/approvals/decideApproval.js';
import type { Orchestrator } from '../../src/pipeline/Orchestrator.js';
import type { ActivityContext } from '../../src/pipeline/activities/Activity.js';
import type { NewEvent } from '../../src/pipeline/events.js';
import { ActivityRegistry, effectActivity, effectLines, orchestrator, pipeline, tempProject } from './support.js';

const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((o) => o.stop()));
});
function loop(o: Orchestrator): Orchestrator {
  running.push(o);
  o.startLoop();
  return o;
}

const LINEAR = pipeline(`
name: linear
start: a
states:
  a: { type: task, activity: effect, input: { file: $.input.file, value: 2 }, next: b }
  b: { type: task, activity: effect, input: { prev: $.results.a.value }, next: done }
  done: { type: succeed, outcome: finished }
`);

describe('orchestrator', () => {
  it('runs a linear pipeline, records the history and passes results along', async () => {
    const p = await tempProject();
    const fx = join(p.root, 'effects.txt');
    const o = orchestrator(p, new ActivityRegistry().register('effect', effectActivity(fx)));
    const ex = await o.start({ file: 'x.csv' }, { pipeline: LINEAR });
    await o.runUntilIdle();
    const rec = await p.store.require(ex.id);
    expect(rec.status).toBe('succeeded');
    expect(rec.outcome).toBe('finished');
    const types = (await p.store.events(ex.id)).map((e) => `${e.type}${e.step ? ` ${e.step}` : ''}`);
    expect(types).toEqual([
      'ExecutionStarted',
      'StateEntered a',
      'ActivityScheduled a',
      'ActivityStarted a',
      'ActivitySucceeded a',
      'StateExited a',
      'StateEntered b',
      'ActivityScheduled b',
      'ActivityStarted b',
      'ActivitySucceeded b',
      'StateExited b',
      'StateEntered done',
      'ExecutionSucceeded',
    ]);
    const b = (await p.store.events(ex.id)).find((e) => e.type === 'ActivityScheduled' && e.step === 'b')!;
    expect(b.data.input).toEqual({ prev: 2 });
    expect(effectLines(fx)).toEqual([`${ex.id}:a`, `${ex.id}:b`]);
    // Each start names the process that ran it (host:pid:random, its lease owner id).
    const starts = (await p.store.events(ex.id)).filter((e) => e.type === 'ActivityStarted');
    expect(starts.map((e) => e.data.by)).toEqual([o.owner, o.owner]);
    expect(o.owner).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{6}$`));
  });

  it('retries with backoff, then succeeds; the history shows each attempt', async () => {
    const p = await tempProject();
    let calls = 0;
    const acts = new ActivityRegistry().register('flaky', async (_i, ctx) => {
      calls++;
      if (ctx.attempt < 3) throw new Error(`transient ${ctx.attempt}`);
      return { ok: ctx.attempt };
    });
    const o = orchestrator(p, acts);
    const def = pipeline(`start: f\nstates:\n  f: { type: task, activity: flaky, retry: { count: 3, backoff: 30ms, factor: 2 }, end: true }\n`);
    const t0 = Date.now();
    const ex = await o.start({}, { pipeline: def });
    loop(o);
    const rec = await o.waitFor(ex.id, { timeoutMs: 10_000 });
    expect(rec.status).toBe('succeeded');
    expect(calls).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90); // 30 ms + 60 ms of backoff
    const h = await p.store.events(ex.id);
    expect(h.filter((e) => e.type === 'ActivityFailed').map((e) => e.data.attempt)).toEqual([1, 2]);
    expect(h.filter((e) => e.type === 'ActivityRetried').map((e) => e.data.delayMs)).toEqual([30, 60]);
    expect(h.find((e) => e.type === 'ActivitySucceeded')!.data.output).toEqual({ ok: 3 });
  });

  it('fails after the retries are spent, and a redrive resumes from the failed step only', async () => {
    const p = await tempProject();
    const fx = join(p.root, 'effects.txt');
    let broken = true;
    const acts = new ActivityRegistry().register('effect', effectActivity(fx)).register('fragile', async () => {
      if (broken) throw new SluiceError('DISK_FULL', 'disk full', { retryable: true });
      return { fixed: true };
    });
    const def = pipeline(
      `start: a\nstates:\n  a: { type: task, activity: effect, next: b }\n  b: { type: task, activity: fragile, retry: { count: 1, backoff: 1ms }, next: c }\n  c: { type: task, activity: effect, end: true }\n`,
    );
    const o = orchestrator(p, acts);
    const ex = await o.start({}, { pipeline: def });
    await o.runUntilIdle();
    loop(o);
    let rec = await o.waitFor(ex.id, { timeoutMs: 10_000 });
    expect(rec.status).toBe('failed');
    expect(rec.error).toMatchObject({ code: 'DISK_FULL', message: 'disk full' });
    expect((await p.store.events(ex.id)).filter((e) => e.type === 'ActivityFailed')).toHaveLength(2);
    await expect(o.redrive('ex-nope')).rejects.toThrow(/no execution/);
    broken = false;
    await o.redrive(ex.id, 'tester');
    rec = await o.waitFor(ex.id, { timeoutMs: 10_000 });
    expect(rec.status).toBe('succeeded');
    expect(effectLines(fx)).toEqual([`${ex.id}:a`, `${ex.id}:c`]);
    const h = await p.store.events(ex.id);
    expect(h.filter((e) => e.type === 'ActivitySucceeded' && e.step === 'a')).toHaveLength(1);
    expect(h.find((e) => e.type === 'ExecutionRedriven')!.data).toEqual({ by: 'tester', fromStep: 'b' });
    await expect(o.redrive(ex.id)).rejects.toThrow(/only a failed or paused execution/);
  });

  it('does not retry a non-retryable error: register_model without a trained model fails clearly, once', async () => {
    const p = await tempProject();
    const o = orchestrator(p, builtinActivities());
    const def = defaultPipeline();
    const ex = await o.start({ file: 'batch.csv' }, { pipeline: { ...def, start: 'register_model' } });
    await o.runUntilIdle();
    const rec = await p.store.require(ex.id);
    expect(rec.status).toBe('failed');
    expect(rec.error?.code).toBe('REGISTER_NO_MODEL');
    expect(rec.error?.message).toMatch(/found no trained model in its input "train"/);
    // The default pipeline gives register_model 2 retries; a non-retryable error uses none.
    expect((await p.store.events(ex.id)).filter((e) => e.type === 'ActivityStarted')).toHaveLength(1);
  });

  it('ends "deployed" only when deploy made the model champion, else "challenger" (issue 13)', async () => {
    for (const [decision, outcome] of [
      ['champion', 'deployed'],
      ['challenger', 'challenger'],
    ] as const) {
      const p = await tempProject();
      const acts = builtinActivities({
        deploy: async () => ({ decision, reason: decision === 'challenger' ? 'another model became champion meanwhile' : 'better' }),
      });
      const o = orchestrator(p, acts);
      const ex = await o.start({ file: 'batch.csv' }, { pipeline: { ...defaultPipeline(), start: 'deploy' } });
      await o.runUntilIdle();
      expect(await p.store.require(ex.id)).toMatchObject({ status: 'succeeded', outcome });
    }
  });

  it('times out a slow attempt', async () => {
    const p = await tempProject();
    const acts = new ActivityRegistry().register(
      'slow',
      (_i, ctx) =>
        new Promise((res) => {
          const t = setTimeout(res, 5000);
          ctx.signal.addEventListener('abort', () => clearTimeout(t));
        }),
    );
    const o = orchestrator(p, acts);
    const ex = await o.start({}, { pipeline: pipeline(`start: s\nstates:\n  s: { type: task, activity: slow, timeout: 50ms, end: true }\n`) });
    await o.runUntilIdle();
    expect((await p.store.require(ex.id)).error?.code).toBe('ACTIVITY_TIMEOUT');
  });

  it('runs parallel branches, takes a choice on an approval and a wait', async () => {
    const p = await tempProject();
    const fx = join(p.root, 'effects.txt');
    const def = pipeline(`
start: ask
states:
  ask: { type: approval, timeout: 1h, next: decide }
  decide:
    type: choice
    choices: [{ if: { path: $.results.ask.decision, equals: approved }, next: both }]
    default: no
  both:
    type: parallel
    branches:
      - { name: left, start: l1, states: { l1: { type: task, activity: effect, input: { value: 5 }, end: true } } }
      - { name: right, start: r0, states: { r0: { type: wait, duration: 30ms, next: r1 }, r1: { type: task, activity: effect, end: true } } }
    next: after
  after: { type: task, activity: effect, input: { left: $.results.both.left.value }, next: yes }
  yes: { type: succeed, outcome: approved }
  no: { type: succeed, outcome: rejected }
`);
    const o = loop(orchestrator(p, new ActivityRegistry().register('effect', effectActivity(fx))));
    const a = await o.start({}, { pipeline: def });
    const b = await o.start({}, { pipeline: def });
    expect((await o.waitFor(a.id, { orWaiting: true })).status).toBe('waiting');
    await o.waitFor(b.id, { orWaiting: true });
    expect((await p.store.require(a.id)).current).toEqual(['ask']);
    await decideApproval(p.store, {
      executionId: a.id,
      approver: { name: 'ana', role: 'approver' },
      decision: 'approve',
      comment: 'looks good',
      ip: '10.0.0.1',
    });
    await decideApproval(p.store, { executionId: b.id, approver: { name: 'bo', role: 'admin' }, decision: 'reject', reason: 'drift' });
    o.kick();
    const ra = await o.waitFor(a.id, { timeoutMs: 10_000 });
    const rb = await o.waitFor(b.id, { timeoutMs: 10_000 });
    expect([ra.outcome, rb.outcome]).toEqual(['approved', 'rejected']);
    expect(
      effectLines(fx)
        .filter((l) => l.startsWith(a.id))
        .sort(),
    ).toEqual([`${a.id}:after`, `${a.id}:both/l1`, `${a.id}:both/r1`]);
    expect(effectLines(fx).filter((l) => l.startsWith(b.id))).toEqual([]);
    const ha = await p.store.events(a.id);
    expect(ha.find((e) => e.type === 'ApprovalDecided')!.data).toMatchObject({
      decision: 'approved',
      by: 'ana',
      comment: 'looks good',
      ip: '10.0.0.1',
      via: 'approver',
    });
    expect(ha.find((e) => e.type === 'ActivityScheduled' && e.step === 'after')!.data.input).toEqual({ left: 5 });
    expect(ha.find((e) => e.type === 'ChoiceTaken')!.data).toEqual({ next: 'both', rule: 0 });
  });

  it('takes the default action when the approval times out, after reminders', async () => {
    const p = await tempProject();
    const def = pipeline(
      `start: ask\nstates:\n  ask: { type: approval, timeout: 300ms, remind: 80ms, maxReminders: 5, next: d }\n  d: { type: choice, choices: [{ if: { path: $.results.ask.decision, equals: approved }, next: ok }], default: no }\n  ok: { type: succeed }\n  no: { type: succeed, outcome: rejected }\n`,
    );
    const o = loop(orchestrator(p, new ActivityRegistry()));
    const ex = await o.start({}, { pipeline: def });
    const rec = await o.waitFor(ex.id, { timeoutMs: 10_000 });
    expect(rec.outcome).toBe('rejected');
    const h = await p.store.events(ex.id);
    expect(h.filter((e) => e.type === 'ApprovalNotified').map((e) => `${e.data.notice}${e.data.n}`)).toEqual([
      'request0',
      'reminder1',
      'reminder2',
      'reminder3',
    ]);
    expect(h.find((e) => e.type === 'ApprovalTimedOut')!.data).toMatchObject({ decision: 'rejected', by: 'timeout', timedOut: true });
  });

  it('runs 100 executions with a concurrency limit, none lost or duplicated', async () => {
    const p = await tempProject();
    const fx = join(p.root, 'effects.txt');
    let now = 0;
    let max = 0;
    const acts = new ActivityRegistry().register('effect', async (input: Record<string, unknown>, ctx: ActivityContext) => {
      now++;
      max = Math.max(max, now);
      await new Promise((r) => setTimeout(r, 2));
      now--;
      return effectActivity(fx)(input, ctx);
    });
    const o = loop(orchestrator(p, acts, { concurrency: 4 }));
    const ids = await Promise.all(Array.from({ length: 100 }, async (_, i) => (await o.start({ n: i }, { pipeline: LINEAR })).id));
    for (const id of ids) expect((await o.waitFor(id, { timeoutMs: 30_000 })).status).toBe('succeeded');
    expect(new Set(ids).size).toBe(100);
    expect(await p.store.count()).toBe(100);
    const lines = effectLines(fx);
    expect(lines).toHaveLength(200);
    expect(new Set(lines).size).toBe(200);
    expect(max).toBeLessThanOrEqual(4);
    expect(max).toBeGreaterThan(1);
  });

  it('detects the same file content arriving twice and says so in the history', async () => {
    const p = await tempProject();
    const fx = join(p.root, 'effects.txt');
    const o = orchestrator(p, new ActivityRegistry().register('effect', effectActivity(fx)), { pipeline: LINEAR });
    writeFileSync(join(p.root, 'one.csv'), 'a,b\n1,2\n');
    writeFileSync(join(p.root, 'two.csv'), 'a,b\n1,2\n');
    const first = await o.startFile(join(p.root, 'one.csv'));
    const second = await o.startFile(join(p.root, 'two.csv'));
    await o.runUntilIdle();
    expect((await p.store.require(first.id)).status).toBe('succeeded');
    const dup = await p.store.require(second.id);
    expect(dup).toMatchObject({ status: 'skipped', outcome: 'duplicate', duplicateOf: first.id });
    expect((await p.store.events(second.id)).find((e) => e.type === 'DuplicateDetected')!.data).toEqual({ sha256: first.sha256, duplicateOf: first.id });
    expect(effectLines(fx).filter((l) => l.startsWith(second.id))).toEqual([]);
    const forced = await o.startFile(join(p.root, 'two.csv'), { allowDuplicate: true });
    await o.runUntilIdle();
    expect((await p.store.require(forced.id)).status).toBe('succeeded');
  });

  it('fails an attempt that killed the process 5 times instead of crash-looping; a redrive tries again', async () => {
    const p = await tempProject();
    const fx = join(p.root, 'effects.txt');
    const def = pipeline(`start: a\nstates:\n  a: { type: task, activity: effect, retry: { count: 3 }, end: true }\n`);
    const o = orchestrator(p, new ActivityRegistry().register('effect', effectActivity(fx)));
    const ex = await p.store.create(def, {});
    // What five processes that died inside the step leave behind.
    let last = await p.store.lastSeq(ex.id);
    const left: NewEvent[] = [
      { type: 'StateEntered', step: 'a', data: { state: 'a', type: 'task' } },
      { type: 'ActivityScheduled', step: 'a', data: { attempt: 1, input: {}, activity: 'effect' } },
      ...Array.from({ length: 5 }, (): NewEvent => ({ type: 'ActivityStarted', step: 'a', data: { attempt: 1 } })),
    ];
    for (const e of left) {
      await p.store.append(ex.id, [e], last);
      last++;
    }
    await o.runUntilIdle();
    const rec = await p.store.require(ex.id);
    expect(rec.status).toBe('failed');
    expect(rec.error).toMatchObject({
      code: 'ACTIVITY_CRASHED',
      message: 'step a (attempt 1) was started 5 times and the process died each time before it finished',
    });
    expect(effectLines(fx)).toEqual([]);
    await o.redrive(ex.id);
    await o.runUntilIdle();
    expect((await p.store.require(ex.id)).status).toBe('succeeded');
    expect(effectLines(fx)).toEqual([`${ex.id}:a`]);
  });

  it('keeps the history append-only', async () => {
    const p = await tempProject();
    const o = orchestrator(p, new ActivityRegistry());
    const ex = await o.start({}, { pipeline: LINEAR });
    expect(() => p.db.prepare('UPDATE execution_events SET type = ? WHERE execution_id = ?').run('X', ex.id)).toThrow(/append-only/);
    expect(() => p.db.prepare('DELETE FROM execution_events WHERE execution_id = ?').run(ex.id)).toThrow(/append-only/);
  });
});
