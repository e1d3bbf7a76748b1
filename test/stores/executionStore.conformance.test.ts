import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';
import { ExecutionStore, newExecutionId } from '../../src/pipeline/store/ExecutionStore.js';
import { postgresStateDb } from '../../src/state/postgresStateDb.js';
import type { StateDb } from '../../src/state/StateDb.js';
import { stateDrivers } from '../support/stateDrivers.js';

const PIPELINE = parsePipelineYaml(`name: conf\nstart: a\nstates:\n  a: { type: task, activity: effect, end: true }\n`);

/**
 * The execution store's conformance suite (issue 17, point 1): the same behaviour on the embedded
 * SQLite driver and on PostgreSQL (one throwaway cluster for the file).
 */
describe.each(stateDrivers)('ExecutionStore conformance: $name', (driver) => {
  let db: StateDb;
  let store: ExecutionStore;
  beforeAll(async () => {
    await driver.start();
    db = await driver.fresh();
    store = await ExecutionStore.open(db);
  }, 120_000);
  afterAll(() => driver.stop(), 60_000);

  it('creates an execution with its started event and reads it back, JSON and epoch milliseconds intact', async () => {
    const ex = await store.create(PIPELINE, { file: 'inbox/a.csv', sha256: `sha-${driver.name}-1`, note: 'é' });
    expect(ex).toMatchObject({ pipeline: 'conf', status: 'running', file: 'inbox/a.csv', duplicateOf: null, lastSeq: 1, wakeAt: 0 });
    expect(ex.input).toEqual({ file: 'inbox/a.csv', sha256: `sha-${driver.name}-1`, note: 'é' });
    expect(ex.definition.name).toBe('conf');
    const events = await store.events(ex.id);
    expect(events.map((e) => [e.seq, e.type])).toEqual([[1, 'ExecutionStarted']]);
    expect(await store.lastSeq(ex.id)).toBe(1);
    expect(await store.lastSeq('ex-none')).toBe(-1);
    expect(await store.get('ex-none')).toBeUndefined();
    await expect(store.require('ex-none')).rejects.toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
  });

  it('records the same content again as a skipped duplicate naming the original, unless allowed', async () => {
    const sha = `sha-${driver.name}-dup`;
    const first = await store.create(PIPELINE, { file: 'a.csv', sha256: sha });
    const second = await store.create(PIPELINE, { file: 'b.csv', sha256: sha });
    expect(second).toMatchObject({ status: 'skipped', outcome: 'duplicate', duplicateOf: first.id, wakeAt: null });
    expect((await store.events(second.id)).map((e) => e.type)).toEqual(['ExecutionStarted', 'DuplicateDetected', 'ExecutionSkipped']);
    const third = await store.create(PIPELINE, { file: 'c.csv', sha256: sha }, { allowDuplicate: true });
    expect(third.status).toBe('running');
  });

  it('appends with compare-and-set: a stale sequence number appends nothing', async () => {
    const ex = await store.create(PIPELINE, {});
    const ok = await store.append(ex.id, [{ type: 'ActivityScheduled', step: 'a', data: { n: 1 } }], 1, { status: 'waiting', wakeAt: 1234567890123 });
    expect(ok?.map((e) => e.seq)).toEqual([2]);
    expect(await store.append(ex.id, [{ type: 'ActivityScheduled', step: 'a', data: { n: 2 } }], 1)).toBeNull();
    const rec = await store.require(ex.id);
    expect(rec).toMatchObject({ status: 'waiting', wakeAt: 1234567890123, lastSeq: 2 });
    expect((await store.events(ex.id, 1)).map((e) => e.data)).toEqual([{ n: 1 }]);
  });

  it('keeps the history append-only: the database itself refuses an update or a delete', async () => {
    const ex = await store.create(PIPELINE, {});
    await expect(db.run('UPDATE execution_events SET type = ? WHERE execution_id = ?', ['X', ex.id])).rejects.toThrow(/append-only/);
    await expect(db.run('DELETE FROM execution_events WHERE execution_id = ?', [ex.id])).rejects.toThrow(/append-only/);
    expect((await store.events(ex.id)).length).toBe(1);
  });

  it('lists newest first with filters and paging, counts by status, and finds due and next wake-ups', async () => {
    const fresh = await ExecutionStore.open(await driver.fresh());
    const a = await fresh.create(PIPELINE, { file: 'in/Alpha.csv' });
    const b = await fresh.create(PIPELINE, { file: 'in/beta.csv' });
    await fresh.setState(b.id, { status: 'waiting', current: ['a'], wakeAt: 5_000_000_000_000, outcome: null, error: null });
    expect((await fresh.list({ file: 'alpha' })).map((r) => r.id)).toEqual([a.id]);
    expect((await fresh.list({ status: 'waiting' })).map((r) => r.id)).toEqual([b.id]);
    expect((await fresh.list({ limit: 1, offset: 1 })).length).toBe(1);
    expect(await fresh.count()).toBe(2);
    expect(await fresh.count('waiting')).toBe(1);
    expect(await fresh.due(Date.now(), 10, new Set())).toEqual([a.id]);
    expect(await fresh.due(Date.now(), 10, new Set([a.id]))).toEqual([]);
    expect(await fresh.nextWake()).toBe(0);
    await fresh.setState(a.id, { status: 'succeeded', current: [], wakeAt: null, outcome: 'done', error: null });
    expect(await fresh.nextWake()).toBe(5_000_000_000_000);
    await fresh.wake(b.id);
    expect(await fresh.due(Date.now(), 10, new Set())).toEqual([b.id]);
    expect((await fresh.require(a.id)).outcome).toBe('done');
  });

  it('lists executions created in the same millisecond newest first (ids of one process sort in creation order)', async () => {
    const fresh = await ExecutionStore.open(await driver.fresh());
    const made: string[] = [];
    for (let i = 0; i < 30; i++) made.push((await fresh.create(PIPELINE, { file: `in/burst-${i}.csv` })).id);
    expect((await fresh.list()).map((r) => r.id)).toEqual(made.reverse());
  });

  it('leases: one owner at a time, renewable by its owner, free again when released or expired', async () => {
    const ex = await store.create(PIPELINE, {});
    const t = Date.now();
    expect(await store.claim(ex.id, 'host-x:1:a', 60_000, t)).toBe(true);
    expect(await store.claim(ex.id, 'host-x:2:b', 60_000, t)).toBe(false);
    expect(await store.claim(ex.id, 'host-x:1:a', 60_000, t + 1)).toBe(true);
    expect(await store.due(t, 10, new Set())).not.toContain(ex.id);
    expect(await store.claim(ex.id, 'host-x:2:b', 60_000, t + 120_000)).toBe(true); // expired
    await store.release(ex.id, 'host-x:1:a'); // not the owner: nothing
    expect(await store.claim(ex.id, 'host-x:1:a', 60_000, t + 120_001)).toBe(false);
    await store.release(ex.id, 'host-x:2:b');
    expect(await store.claim(ex.id, 'host-x:1:a', 60_000, t + 120_002)).toBe(true);
    expect(await store.claim('ex-none', 'host-x:1:a', 60_000, t)).toBe(false);
  });

  it('runs a transaction whole or not at all', async () => {
    const ex = await store.create(PIPELINE, {});
    await expect(
      store.transaction(async (tx) => {
        await tx.append(ex.id, [{ type: 'ActivityScheduled', step: 'a', data: {} }], 1);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await store.lastSeq(ex.id)).toBe(1);
  });

  it('lets exactly one of many concurrent claimers win a lease, over separate connections on PostgreSQL', async () => {
    const others: StateDb[] = [];
    const handles: ExecutionStore[] = [store];
    if (driver.name === 'postgres') {
      for (let i = 0; i < 3; i++) others.push(await postgresStateDb(driver.url(), { maxTxRetries: 50 }));
      for (const o of others) handles.push(await ExecutionStore.open(o));
    } else handles.push(store, store, store);
    try {
      for (let round = 0; round < 5; round++) {
        const ex = await store.create(PIPELINE, {});
        const now = Date.now();
        const wins = await Promise.all(
          handles.flatMap((h, i) => [h.claim(ex.id, `host-y:${i}:a`, 60_000, now), h.claim(ex.id, `host-y:${i + 10}:b`, 60_000, now)]),
        );
        expect(wins.filter(Boolean).length).toBe(1);
        const owner = await db.one<{ lease_owner: string }>('SELECT lease_owner FROM executions WHERE id = ?', [ex.id]);
        const winner = wins.indexOf(true);
        expect(owner?.lease_owner).toBe(`host-y:${winner % 2 ? Math.floor(winner / 2) + 10 : winner / 2}:${winner % 2 ? 'b' : 'a'}`);
      }
    } finally {
      for (const o of others) await o.close();
    }
  });

  it('lets exactly one of two concurrent appenders move the history on', async () => {
    const ex = await store.create(PIPELINE, {});
    const second = driver.name === 'postgres' ? await ExecutionStore.open(await postgresStateDb(driver.url(), { maxTxRetries: 50 })) : store;
    try {
      const results = await Promise.all([
        store.append(ex.id, [{ type: 'ActivityScheduled', step: 'a', data: { by: 1 } }], 1),
        second.append(ex.id, [{ type: 'ActivityScheduled', step: 'a', data: { by: 2 } }], 1),
      ]);
      expect(results.filter((r) => r !== null).length).toBe(1);
      expect((await store.events(ex.id)).length).toBe(2);
    } finally {
      if (second !== store) await second.db.close();
    }
  });
});

describe('newExecutionId', () => {
  it('makes ids that sort in the order they were made, also within one millisecond and when the clock steps back', () => {
    const ids = [1_000, 1_000, 1_000, 999, 1_000, 1_001, 1_001].flatMap((now) => Array.from({ length: 50 }, () => newExecutionId(now + 1_764_800_000_000)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^ex-[0-9a-z]{8}-[0-9a-f]{10}$/);
  });
});
