import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile } from '../../src/engine/atomicWriteFile.js';
import type { ActivityContext } from '../../src/pipeline/activities/Activity.js';
import type { Orchestrator } from '../../src/pipeline/Orchestrator.js';
import { diskFullOf } from '../../src/engine/diskFull.js';
import { ActivityRegistry, effectLines, orchestrator, pipeline, tempProject } from '../pipeline/support.js';
import { cli, diabetesCsv, historyOf, newProject, predict, serve, stateRows, trainChampion, type Served, until, useRunFlowPipeline } from './liveProject.js';

const PIPE = pipeline(`
name: writes
start: a
states:
  a: { type: task, activity: write, next: b }
  b: { type: task, activity: write, next: done }
  done: { type: succeed, outcome: finished }
`);

/** An activity that writes a file (through atomicWriteFile, where the seam is) and records its effect once. */
function writer(root: string) {
  return async (_i: Record<string, unknown>, ctx: ActivityContext) => {
    await atomicWriteFile(join(root, `${ctx.step}.out`), 'x'.repeat(1000));
    const fx = join(root, 'effects.txt');
    if (!effectLines(fx).includes(ctx.idempotencyKey)) writeFileSync(fx, `${existsSync(fx) ? readFileSync(fx, 'utf8') : ''}${ctx.idempotencyKey}\n`);
    return { ok: true };
  };
}

describe('disk full inside the orchestrator (fault-injection seam)', () => {
  const sw = join(mkdtempSync(join(tmpdir(), 'sluice-full-')), 'full');
  const running: Orchestrator[] = [];
  beforeEach(async () => {
    process.env.SLUICE_FAULT_DISK_FULL = sw;
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((o) => o.stop()));
    delete process.env.SLUICE_FAULT_DISK_FULL;
    delete process.env.SLUICE_FAULT_DISK_FULL_SCOPE;
    rmSync(sw, { force: true });
  });

  it('ENOSPC in a step pauses the execution with an event naming the path; it resumes by itself once there is space, effects once', async () => {
    const p = await tempProject();
    const o = orchestrator(p, new ActivityRegistry().register('write', writer(p.root)), { pipeline: PIPE, diskFullRetry: { firstMs: 200, maxMs: 400 } });
    running.push(o);
    writeFileSync(sw, '');
    o.startLoop();
    const ex = await o.start({});
    await until('the pause', async () => (await p.store.events(ex.id)).filter((e) => e.type === 'ExecutionPaused').length >= 2);
    const paused = (await p.store.events(ex.id)).find((e) => e.type === 'ExecutionPaused')!;
    expect(paused).toMatchObject({ step: 'a', data: { reason: 'disk_full', code: 'ENOSPC', path: join(p.root, 'a.out'), attempt: 1, pause: 1 } });
    expect((await p.store.events(ex.id)).filter((e) => e.type === 'ExecutionPaused').map((e) => e.data.pause)).toEqual([1, 2]); // backs off while still full
    expect((await p.store.require(ex.id)).status).toBe('waiting');
    expect((await p.store.events(ex.id)).some((e) => e.type === 'ActivityFailed')).toBe(false);
    rmSync(sw);
    await until('the end', async () => (await p.store.require(ex.id)).status === 'succeeded');
    const types = (await p.store.events(ex.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionResumed').length).toBe(types.filter((t) => t === 'ExecutionPaused').length);
    expect(effectLines(join(p.root, 'effects.txt'))).toEqual([`${ex.id}:a`, `${ex.id}:b`]);
  });

  it('a paused execution resumes at once with redrive', async () => {
    const p = await tempProject();
    const o = orchestrator(p, new ActivityRegistry().register('write', writer(p.root)), {
      pipeline: PIPE,
      diskFullRetry: { firstMs: 3_600_000, maxMs: 3_600_000 },
    });
    running.push(o);
    writeFileSync(sw, '');
    o.startLoop();
    const ex = await o.start({});
    await until(
      'the pause',
      async () => (await p.store.require(ex.id)).status === 'waiting' && (await p.store.events(ex.id)).some((e) => e.type === 'TimerStarted'),
    );
    rmSync(sw);
    await o.redrive(ex.id, 'ops');
    await until('the end', async () => (await p.store.require(ex.id)).status === 'succeeded', 10_000);
    expect((await p.store.events(ex.id)).find((e) => e.type === 'ExecutionResumed')?.data).toMatchObject({ after: 'redrive', by: 'ops' });
    expect(effectLines(join(p.root, 'effects.txt'))).toEqual([`${ex.id}:a`, `${ex.id}:b`]);
  });

  it('SQLITE_FULL from the execution store itself: the process stays up, and the pause is recorded once the database can write', async () => {
    const p = await tempProject();
    // The disk fills up in the middle of step a: its write fails, and so does every write of the store.
    let filled = false;
    const write = writer(p.root);
    const acts = new ActivityRegistry().register('write', async (i: Record<string, unknown>, ctx: ActivityContext) => {
      if (!filled) writeFileSync(sw, '');
      filled = true;
      return write(i, ctx);
    });
    const o = orchestrator(p, acts, { pipeline: PIPE, diskFullRetry: { firstMs: 200, maxMs: 400 } });
    running.push(o);
    process.env.SLUICE_FAULT_DISK_FULL_SCOPE = 'all';
    o.startLoop();
    const ex = await o.start({});
    await until('the disk to fill', () => filled);
    await new Promise((r) => setTimeout(r, 1500)); // ticks, claims, renewals and releases all fail meanwhile
    expect((await p.store.require(ex.id)).status).toBe('running');
    rmSync(sw);
    await until('the end', async () => (await p.store.require(ex.id)).status === 'succeeded');
    const late = (await p.store.events(ex.id)).find((e) => e.type === 'ExecutionPaused');
    expect(late?.data).toMatchObject({ reason: 'disk_full', code: 'SQLITE_FULL', recordedLate: true });
    expect((await p.store.events(ex.id)).some((e) => e.type === 'ActivityFailed')).toBe(false);
    expect(effectLines(join(p.root, 'effects.txt'))).toEqual([`${ex.id}:a`, `${ex.id}:b`]);
  });

  it('recognises disk-full errors by code, by message and through causes, and nothing else', async () => {
    expect(diskFullOf(Object.assign(new Error('x'), { code: 'ENOSPC', path: '/a' }))).toMatchObject({ code: 'ENOSPC', path: '/a' });
    expect(diskFullOf(new Error('wrapped', { cause: Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }) }))?.code).toBe(
      'SQLITE_FULL',
    );
    expect(diskFullOf(new Error('IO Error: No space left on device'))?.code).toBe('ENOSPC');
    expect(diskFullOf(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(diskFullOf('ENOSPC?')).toBeUndefined();
  });
});

const servers: Served[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

describe('sluice serve with a full disk (fault-injection seam)', () => {
  it('stays up and keeps predicting; the execution pauses and, once there is space, resumes and completes, effects once', async () => {
    const dir = await newProject();
    await trainChampion(dir);
    useRunFlowPipeline(dir);
    const sw = join(dir, 'disk-full-switch');
    const live = await serve(dir, { env: { SLUICE_FAULT_DISK_FULL: sw } });
    servers.push(live);
    const sample = diabetesCsv(10, 600);
    const before = await predict(live.base, sample);
    expect(before.status).toBe(200);

    writeFileSync(sw, '');
    writeFileSync(join(dir, 'inbox', 'batch.csv'), diabetesCsv(300, 1000));
    await until('the server to meet the full disk', () => /disk full/.test(live.log()));
    await new Promise((r) => setTimeout(r, 2000));
    expect(live.child.exitCode).toBeNull();
    expect((await fetch(`${live.base}/ping`)).status).toBe(200);
    expect(await predict(live.base, sample)).toEqual(before);

    rmSync(sw);
    const done = () => stateRows<{ id: string; status: string }>(dir, 'SELECT id, status FROM executions');
    await until('the execution to complete', () => done().some((e) => e.status === 'succeeded'), 90_000);
    const [ex] = done();
    const history = await historyOf(dir, ex!.id);
    const paused = history.filter((e) => e.type === 'ExecutionPaused');
    expect(paused.length).toBeGreaterThan(0);
    expect(paused[0]!.data).toMatchObject({ reason: 'disk_full' });
    expect(history.filter((e) => e.type === 'ActivitySucceeded' && e.step === 'run_flow')).toHaveLength(1);
    expect(history.filter((e) => e.type === 'ExecutionSucceeded')).toHaveLength(1);
    expect((await cli(dir, ['executions', 'history', ex!.id])).stdout).toMatch(/ExecutionPaused.*disk_full/);
    expect(live.log()).not.toMatch(/uncaught|unhandled/i);
  }, 300_000);
});
