import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PredictionLog } from '../../src/server/endpoint/PredictionLog.js';
import { openProjectDb } from '../../src/state/openProjectDb.js';

const prediction = { predicted_label: 'a', probabilities: [0.25, 0.75], labels: ['a', 'b'] };
const count = (db: Database.Database): number => (db.prepare('SELECT COUNT(*) AS n FROM predictions').get() as { n: number }).n;

describe('PredictionLog off the request path', () => {
  it('writes in transactions of at most batchRows rows, yielding between them, and loses none', async () => {
    const db = openProjectDb(':memory:');
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 5, batchRows: 7 });
    for (let i = 0; i < 100; i++) log.maybeLog('m', '1', [{ i }], [prediction]);
    expect(count(db)).toBe(0); // a request only queues
    // The timer writes one batch, the rest after turns of the event loop (a loaded machine may take a while).
    const progress: number[] = [];
    for (let t = 0; t < 500 && log.pending > 0; t++) {
      await new Promise((r) => setTimeout(r, 10));
      progress.push(log.stats().written);
    }
    expect(progress.every((w) => w % 7 === 0 || w === 100)).toBe(true); // whole batches only
    expect(log.stats()).toEqual({ written: 100, pending: 0, dropped: 0, failedFlushes: 0 });
    expect(count(db)).toBe(100);
    const inputs = db.prepare('SELECT input FROM predictions ORDER BY id').all() as Array<{ input: string }>;
    expect(inputs.map((r) => JSON.parse(r.input).i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    log.close();
  });

  it('drops, counts and reports rows beyond maxPending instead of growing without bound', () => {
    const db = openProjectDb(':memory:');
    const drops: number[] = [];
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 60_000, maxPending: 5, onDrop: (s) => drops.push(s.dropped) });
    for (let i = 0; i < 4; i++) expect(log.maybeLog('m', '1', [{ i }], [prediction])).toBeTruthy();
    // Two records do not fit in the one free place: the whole request is not logged (no half request).
    expect(log.maybeLog('m', '1', [{}, {}], [prediction, prediction])).toBeUndefined();
    expect(log.maybeLog('m', '1', [{}, {}], [prediction, prediction])).toBeUndefined();
    expect(log.stats()).toMatchObject({ pending: 4, dropped: 4 });
    expect(drops).toEqual([2]); // reported once per burst
    log.flush();
    log.maybeLog('m', '1', [{}, {}, {}, {}, {}, {}], Array(6).fill(prediction));
    expect(drops).toEqual([2, 10]); // a new burst after rows were written again
    log.close();
    expect(count(db)).toBe(4);
    expect(log.stats()).toEqual({ written: 4, pending: 0, dropped: 10, failedFlushes: 0 });
  });

  it('keeps the rows of a failed write queued and writes them once the database is free', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-plog-'));
    const db = openProjectDb(join(dir, 'state.db'));
    db.pragma('busy_timeout = 0');
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 5 });
    const other = new Database(join(dir, 'state.db'));
    other.exec('BEGIN EXCLUSIVE'); // another process holds the write lock
    for (let i = 0; i < 10; i++) log.maybeLog('m', '1', [{ i }], [prediction]);
    for (let t = 0; t < 500 && log.stats().failedFlushes === 0; t++) await new Promise((r) => setTimeout(r, 10));
    expect(log.stats().failedFlushes).toBeGreaterThan(0);
    expect(log.stats()).toMatchObject({ written: 0, pending: 10, dropped: 0 });
    other.exec('COMMIT');
    for (let t = 0; t < 500 && log.pending > 0; t++) await new Promise((r) => setTimeout(r, 10));
    expect(log.stats()).toMatchObject({ written: 10, pending: 0, dropped: 0 });
    expect(count(db)).toBe(10);
    log.close();
    other.close();
    db.close();
  });

  it('close() writes everything still queued, and logs nothing after it', () => {
    const db = openProjectDb(':memory:');
    const log = new PredictionLog(db, { sampleRate: 1, flushMs: 60_000, batchRows: 3 });
    for (let i = 0; i < 10; i++) log.maybeLog('m', '1', [{ i }], [prediction]);
    log.close();
    expect(count(db)).toBe(10);
    expect(log.maybeLog('m', '1', [{}], [prediction])).toBeUndefined();
    expect(log.stats()).toEqual({ written: 10, pending: 0, dropped: 1, failedFlushes: 0 });
  });
});
