import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREDICTION_MIGRATIONS, PredictionLog } from '../../src/server/endpoint/PredictionLog.js';
import { postgresStateDb } from '../../src/state/postgresStateDb.js';
import type { StateDb } from '../../src/state/StateDb.js';
import { stateDrivers } from '../support/stateDrivers.js';

const prediction = { predicted_label: 'a', probabilities: [0.25, 0.75], labels: ['a', 'b'] };
const count = async (db: StateDb, where = ''): Promise<number> => Number((await db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM predictions ${where}`))!.n);
const until = async (done: () => boolean): Promise<void> => {
  for (let t = 0; t < 1000 && !done(); t++) await new Promise((r) => setTimeout(r, 10));
};

/**
 * The prediction log, the same on SQLite and PostgreSQL (issue 17, point 1): off the request
 * path, in batches, a bounded queue whose overflow is counted, failed writes kept and retried,
 * everything written on close; and, with PostgreSQL state, two endpoint replicas writing one
 * table that outcomes are joined to.
 */
describe.each(stateDrivers)('PredictionLog conformance: $name', (driver) => {
  beforeAll(driver.start, 120_000);
  afterAll(driver.stop, 60_000);

  it('writes in transactions of at most batchRows rows, yielding between them, and loses none', async () => {
    const db = await driver.fresh();
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 5, batchRows: 7 });
    await log.ready();
    for (let i = 0; i < 100; i++) log.maybeLog('m', '1', [{ i }], [prediction]);
    expect(await count(db)).toBe(0); // a request only queues
    const progress: number[] = [];
    for (let t = 0; t < 1000 && log.pending > 0; t++) {
      await new Promise((r) => setTimeout(r, 10));
      progress.push(log.stats().written);
    }
    expect(progress.every((w) => w % 7 === 0 || w === 100)).toBe(true); // whole batches only
    expect(log.stats()).toEqual({ written: 100, pending: 0, dropped: 0, failedFlushes: 0 });
    expect(await count(db)).toBe(100);
    const rows = await db.query<{ input: string; model: string; version: string; record: number }>(
      'SELECT input, model, version, record FROM predictions ORDER BY id',
    );
    expect(rows.map((r) => JSON.parse(r.input).i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(rows[0]).toMatchObject({ model: 'm', version: '1', record: 0 });
    await log.close();
  });

  it('drops, counts and reports rows beyond maxPending instead of growing without bound', async () => {
    const db = await driver.fresh();
    const drops: number[] = [];
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 60_000, maxPending: 5, onDrop: (s) => drops.push(s.dropped) });
    for (let i = 0; i < 4; i++) expect(log.maybeLog('m', '1', [{ i }], [prediction])).toBeTruthy();
    // Two records do not fit in the one free place: the whole request is not logged (no half request).
    expect(log.maybeLog('m', '1', [{}, {}], [prediction, prediction])).toBeUndefined();
    expect(log.maybeLog('m', '1', [{}, {}], [prediction, prediction])).toBeUndefined();
    expect(log.stats()).toMatchObject({ pending: 4, dropped: 4 });
    expect(drops).toEqual([2]); // reported once per burst
    await log.flush();
    log.maybeLog('m', '1', [{}, {}, {}, {}, {}, {}], Array(6).fill(prediction));
    expect(drops).toEqual([2, 10]); // a new burst after rows were written again
    await log.close();
    expect(await count(db)).toBe(4);
    expect(log.stats()).toEqual({ written: 4, pending: 0, dropped: 10, failedFlushes: 0 });
  });

  it('keeps the rows of a failed write queued and writes them once the database is back', async () => {
    const db = await driver.fresh();
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 5 });
    await log.ready();
    // The database refuses the writes for a while (the same refusal on both drivers: the table is briefly gone).
    await db.exec('ALTER TABLE predictions RENAME TO predictions_away');
    for (let i = 0; i < 10; i++) log.maybeLog('m', '1', [{ i }], [prediction]);
    await until(() => log.stats().failedFlushes > 0);
    expect(log.stats()).toMatchObject({ written: 0, pending: 10, dropped: 0 });
    expect(log.stats().failedFlushes).toBeGreaterThan(0);
    await db.exec('ALTER TABLE predictions_away RENAME TO predictions');
    await until(() => log.pending === 0);
    expect(log.stats()).toMatchObject({ written: 10, pending: 0, dropped: 0 });
    expect(await count(db)).toBe(10);
    await log.close();
  });

  it('close() writes everything still queued, and logs nothing after it; rows it cannot write are counted as dropped', async () => {
    const db = await driver.fresh();
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 60_000, batchRows: 3 });
    for (let i = 0; i < 10; i++) log.maybeLog('m', '1', [{ i }], [prediction]);
    await log.close();
    expect(await count(db)).toBe(10);
    expect(log.maybeLog('m', '1', [{}], [prediction])).toBeUndefined();
    expect(log.stats()).toEqual({ written: 10, pending: 0, dropped: 1, failedFlushes: 0 });
    const refused = new PredictionLog(db, { sampleRate: 1, flushMs: 60_000 });
    await refused.ready();
    await db.exec('ALTER TABLE predictions RENAME TO predictions_away');
    refused.maybeLog('m', '1', [{}, {}], [prediction, prediction]);
    await refused.close();
    expect(refused.stats()).toMatchObject({ written: 0, pending: 0, dropped: 2 });
    await db.exec('ALTER TABLE predictions_away RENAME TO predictions');
  });

  it('records the actual outcome beside a logged prediction, found by request id and record', async () => {
    const db = await driver.fresh();
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 60_000 });
    const id = log.maybeLog(
      'm',
      '9',
      [{ a: 1 }, { a: 2 }],
      [
        { predicted_label: 'yes', probabilities: [0.2, 0.8], labels: ['no', 'yes'] },
        { predicted_label: 'no', probabilities: [0.9, 0.1], labels: ['no', 'yes'] },
      ],
    )!;
    expect(await log.recordActual(id, 1, 'yes')).toBe(true);
    expect(await log.recordActual(id, 5, 'yes')).toBe(false);
    expect(await log.recordActual('nope', 0, 'yes')).toBe(false);
    await log.close();
    expect(await db.query('SELECT record, predicted_label, actual FROM predictions WHERE request_id = ? ORDER BY record', [id])).toEqual([
      { record: 0, predicted_label: 'yes', actual: null },
      { record: 1, predicted_label: 'no', actual: 'yes' },
    ]);
  });

  it('samples whole requests at sampleRate: rate 0 logs nothing, 0.5 logs one request in two', async () => {
    const db = await driver.fresh();
    const quiet = new PredictionLog(db, { sampleRate: 0 });
    await quiet.ready();
    expect(quiet.maybeLog('m', '1', [{}], [prediction])).toBeUndefined();
    await quiet.close();
    expect(await count(db)).toBe(0);
    let draw = 0;
    const half = new PredictionLog(db, { sampleRate: 0.5, flushMs: 60_000, random: () => (draw++ % 2 ? 0.9 : 0.1) });
    const logged = Array.from({ length: 10 }, () => half.maybeLog('m', '1', [{}, {}], [prediction, prediction])).filter(Boolean);
    expect(logged).toHaveLength(5);
    await half.close();
    expect(await count(db)).toBe(10); // every record of a sampled request
  });

  it('two replicas log to one table: every row once, outcomes recorded through either', async () => {
    const db = await driver.fresh();
    // PostgreSQL: each replica its own pool on the shared database. SQLite: one file is per machine, so one connection.
    const other = driver.name === 'postgres' ? await postgresStateDb(driver.url(), { connectRetryMs: 20_000 }) : db;
    const a = new PredictionLog(db, { sampleRate: 1, flushMs: 5, batchRows: 50 });
    const b = new PredictionLog(other, { sampleRate: 1, flushMs: 5, batchRows: 50 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 300; i++) ids.push((i % 2 ? a : b).maybeLog('m', i < 150 ? '1' : '2', [{ i }], [prediction])!);
      await until(() => a.pending === 0 && b.pending === 0);
      expect(await count(db)).toBe(300);
      expect(await db.query('SELECT version, COUNT(*) AS n FROM predictions GROUP BY version ORDER BY version')).toEqual([
        { version: '1', n: 150 },
        { version: '2', n: 150 },
      ]);
      expect(Number((await db.one<{ n: number }>('SELECT COUNT(DISTINCT request_id) AS n FROM predictions'))!.n)).toBe(300);
      // An outcome for a prediction replica A logged, reported through replica B.
      expect(await b.recordActual(ids[1]!, 0, 'b')).toBe(true);
      expect(await count(db, "WHERE actual = 'b'")).toBe(1);
    } finally {
      await a.close();
      await b.close();
      if (other !== db) await other.close();
    }
  });

  it('creates the table once when replicas start together, at the newest version', async () => {
    const db = await driver.fresh();
    const other = driver.name === 'postgres' ? await postgresStateDb(driver.url(), { connectRetryMs: 20_000 }) : db;
    const logs = [new PredictionLog(db, { sampleRate: 0 }), new PredictionLog(other, { sampleRate: 0 })];
    await Promise.all(logs.map((l) => l.ready()));
    const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations WHERE module = 'predictions'");
    expect(rows.map((r) => Number(r.version))).toEqual(PREDICTION_MIGRATIONS.map((_, i) => i + 1));
    for (const l of logs) await l.close();
    if (other !== db) await other.close();
    expect(() => new PredictionLog(db, { sampleRate: 2 })).toThrow(RangeError);
  });
});
