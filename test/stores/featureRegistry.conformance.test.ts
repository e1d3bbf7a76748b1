import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureRegistry } from '../../src/features/FeatureRegistry.js';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { FEATURE_MIGRATIONS } from '../../src/features/featureMigrations.js';
import type { OnlineStoreConfig } from '../../src/features/online/OnlineStore.js';
import type { FeatureGroupSpec } from '../../src/features/types.js';
import { postgresStateDb } from '../../src/state/postgresStateDb.js';
import type { StateDb } from '../../src/state/StateDb.js';
import { startRedis } from '../features/redisServer.js';
import { rejectionOf } from '../support/errors.js';
import { stateDrivers } from '../support/stateDrivers.js';

const spec = (name: string): FeatureGroupSpec => ({
  name,
  recordIdentifier: 'id',
  eventTime: 't',
  features: [
    { name: 'id', type: 'integral' },
    { name: 't', type: 'timestamp' },
    { name: 'v', type: 'fractional' },
  ],
  description: 'test group',
  tags: { team: 'care' },
  ttlSeconds: 3600,
});

const batch = (group: string, batchId: string, attempt: string, files = [`${group}/event_date=2024-01-01/${attempt}_0.parquet`]) => ({
  group,
  batchId,
  kind: 'ingest' as const,
  files,
  rows: 3,
  duplicatesDropped: 1,
  attempt,
});

/** A CSV batch of n records (id 1..n, v = id * 10) over five event dates. */
function batchFile(dir: string, n: number, name = 'batch.csv'): string {
  const lines = ['id,t,v'];
  for (let i = 1; i <= n; i++) lines.push(`${i},2024-02-0${1 + (i % 5)}T12:00:00Z,${i * 10}`);
  const p = join(dir, name);
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

const parquetFiles = (dir: string): string[] =>
  readdirSync(join(dir, '.sluice/offline'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.parquet'))
    .sort();

/**
 * The feature registry, the same on SQLite and PostgreSQL (issue 17, point 1): groups, schema
 * evolution and its history, batch commits (the commit that makes offline files visible), a
 * batch id committed once even by two connections at once, and clear errors for bad input. The
 * last tests run whole ingests through FeatureStore with the registry on each driver: a retried
 * ingest of a committed batch writes nothing, and two ingests of one batch id at once (a lease
 * expired and another worker retried) land it once, offline and online.
 */
describe.each(stateDrivers)('FeatureRegistry conformance: $name', (driver) => {
  let db: StateDb;
  let reg: FeatureRegistry;
  /** A second connection to the same state (PostgreSQL: another pool; SQLite: the same connection, as two handles in one process share it). */
  let second: FeatureRegistry;
  let secondDb: StateDb | undefined;
  let redis: { url: string; stop: () => Promise<void> };
  beforeAll(async () => {
    await driver.start();
    redis = await startRedis();
    db = await driver.fresh();
    reg = new FeatureRegistry(db);
    await reg.ready();
    secondDb = driver.name === 'postgres' ? await postgresStateDb(driver.url(), { connectRetryMs: 20_000 }) : undefined;
    second = new FeatureRegistry(secondDb ?? db);
    await second.ready();
  }, 120_000);
  afterAll(async () => {
    await secondDb?.close();
    await redis?.stop();
    await driver.stop();
  }, 60_000);

  it('migrates to the newest version, recorded in schema_migrations, and again is a no-op', async () => {
    const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations WHERE module = 'features' ORDER BY version");
    expect(rows.map((r) => Number(r.version))).toEqual(FEATURE_MIGRATIONS.map((_, i) => i + 1));
    const again = new FeatureRegistry(db);
    await again.ready();
    expect(await db.query("SELECT version FROM schema_migrations WHERE module = 'features'")).toHaveLength(FEATURE_MIGRATIONS.length);
  });

  it('creates a group, reads it back in any case, lists groups in name order and refuses a second of the same name', async () => {
    const g = await reg.create(spec('patients'), new Date('2024-01-01T00:00:00Z'));
    expect(g).toMatchObject({ name: 'patients', recordIdentifier: 'id', eventTime: 't', version: 1, tags: { team: 'care' }, ttlSeconds: 3600 });
    expect(g.features.map((f) => f.name)).toEqual(['id', 't', 'v']);
    expect(g.history).toEqual([{ version: 1, kind: 'created', at: '2024-01-01T00:00:00.000Z', features: spec('x').features }]);
    expect((await second.get('PATIENTS')).name).toBe('patients');
    expect(await second.canonicalName('Patients')).toBe('patients');
    await reg.create({ ...spec('Admissions'), ttlSeconds: null });
    expect((await reg.get('admissions')).ttlSeconds).toBeNull();
    expect((await second.list()).map((x) => x.name)).toEqual(['Admissions', 'patients']);
    for (const name of ['patients', 'PATIENTS']) {
      const e = await rejectionOf(() => reg.create(spec(name)));
      expect([e.code, e.httpStatus]).toEqual(['FEATURE_GROUP_EXISTS', 409]);
    }
  });

  it('evolves a group: new features are a new version in its history, same types are unchanged, a type change is refused', async () => {
    const r = await reg.addFeatures(
      'patients',
      [
        { name: 'v', type: 'fractional' },
        { name: 'age', type: 'integral' },
      ],
      new Date('2024-02-01T00:00:00Z'),
    );
    expect(r.added).toEqual([{ name: 'age', type: 'integral' }]);
    expect(r.unchanged).toEqual([{ name: 'v', type: 'fractional' }]);
    expect(r.group.version).toBe(2);
    expect((await second.get('patients')).features.map((f) => f.name)).toEqual(['id', 't', 'v', 'age']);
    expect((await second.get('patients')).history.map((h) => [h.version, h.kind, h.features.map((f) => f.name)])).toEqual([
      [1, 'created', ['id', 't', 'v']],
      [2, 'features_added', ['age']],
    ]);
    expect((await reg.addFeatures('patients', [{ name: 'AGE', type: 'integral' }])).added).toEqual([]);
    const e = await rejectionOf(() => reg.addFeatures('patients', [{ name: 'age', type: 'string' }]));
    expect([e.code, e.httpStatus, e.location?.field]).toEqual(['FEATURE_TYPE_CHANGE', 409, 'features[0].type']);
    expect((await reg.get('patients')).version).toBe(2);
  });

  it('evolves one group from two connections at once: two versions, nothing lost', async () => {
    await reg.create(spec('evolving'));
    await Promise.all([reg.addFeatures('evolving', [{ name: 'a', type: 'integral' }]), second.addFeatures('evolving', [{ name: 'b', type: 'string' }])]);
    const g = await reg.get('evolving');
    expect(g.version).toBe(3);
    expect(g.features.map((f) => f.name).sort()).toEqual(['a', 'b', 'id', 't', 'v']);
    expect(g.history.map((h) => h.version)).toEqual([1, 2, 3]);
  });

  it('creates one group from two connections at once: one creates it, the other is told it exists', async () => {
    const results = await Promise.allSettled([reg.create(spec('race')), second.create(spec('race'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({ code: 'FEATURE_GROUP_EXISTS' });
    expect((await reg.list()).filter((g) => g.name === 'race')).toHaveLength(1);
  });

  it('commits batches in order; a batch id is committed once, its second commit refused and nothing changed', async () => {
    expect(await reg.batches('patients')).toEqual([]);
    const b1 = await reg.commitBatch(batch('patients', 'b1', 'aaaaaaaaaaaa'), new Date('2024-03-01T00:00:00Z'));
    expect(b1).toMatchObject({ batchId: 'b1', attempt: 'aaaaaaaaaaaa', committedAt: '2024-03-01T00:00:00.000Z' });
    await reg.commitBatch(batch('patients', 'b2', 'bbbbbbbbbbbb'), new Date('2024-03-02T00:00:00Z'));
    expect(await second.findBatch('patients', 'b1')).toEqual({ ...batch('patients', 'b1', 'aaaaaaaaaaaa'), committedAt: '2024-03-01T00:00:00.000Z' });
    expect(await second.findBatch('patients', 'nope')).toBeUndefined();
    expect((await second.batches('patients')).map((b) => b.batchId)).toEqual(['b1', 'b2']);
    const e = await rejectionOf(() => second.commitBatch(batch('patients', 'b1', 'cccccccccccc', ['patients/x.parquet'])));
    expect([e.code, e.httpStatus]).toEqual(['BATCH_COMMITTED', 409]);
    expect(e.message).toContain('attempt aaaaaaaaaaaa');
    expect((await reg.findBatch('patients', 'b1'))?.files).toEqual(batch('patients', 'b1', 'aaaaaaaaaaaa').files);
  });

  it('commits one batch id from two connections at once, ten times: each time exactly one commits', async () => {
    for (let i = 0; i < 10; i++) {
      const id = `race-${i}`;
      const results = await Promise.allSettled([
        reg.commitBatch(batch('patients', id, `${i}00000000000`.slice(0, 12))),
        second.commitBatch(batch('patients', id, `${i}11111111111`.slice(0, 12))),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<FeatureRegistry['commitBatch']>>> => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'BATCH_COMMITTED' });
      expect((await reg.findBatch('patients', id))?.attempt).toBe(won[0]!.value.attempt);
    }
    expect((await reg.batches('patients')).filter((b) => b.batchId.startsWith('race-'))).toHaveLength(10);
  });

  it('commits a compaction: replaced files leave their batches, the batches stay; a stale compaction is refused', async () => {
    await reg.create(spec('compacted'));
    await reg.commitBatch(batch('compacted', 'c1', '111111111111', ['compacted/p/a.parquet', 'compacted/p/b.parquet']), new Date('2024-01-01T00:00:00Z'));
    await reg.commitBatch(batch('compacted', 'c2', '222222222222', ['compacted/p/c.parquet']), new Date('2024-01-02T00:00:00Z'));
    const k = await reg.commitCompaction('compacted', { batchId: 'k1', files: ['compacted/p/k.parquet'] }, ['compacted/p/a.parquet', 'compacted/p/c.parquet']);
    expect(k).toMatchObject({ kind: 'compact', rows: 0, files: ['compacted/p/k.parquet'] });
    expect((await second.batches('compacted')).map((b) => [b.batchId, b.files])).toEqual([
      ['c1', ['compacted/p/b.parquet']],
      ['c2', []],
      ['k1', ['compacted/p/k.parquet']],
    ]);
    const e = await rejectionOf(() => second.commitCompaction('compacted', { batchId: 'k2', files: ['compacted/p/z.parquet'] }, ['compacted/p/a.parquet']));
    expect([e.code, e.retryable]).toEqual(['COMPACT_CONFLICT', true]);
    expect(await reg.findBatch('compacted', 'k2')).toBeUndefined();
  });

  it('refuses bad input with clear errors and writes nothing', async () => {
    const nf = await rejectionOf(() => reg.get('ghost'));
    expect([nf.code, nf.httpStatus]).toEqual(['FEATURE_GROUP_NOT_FOUND', 404]);
    expect(nf.hint).toContain('patients');
    expect((await rejectionOf(() => reg.addFeatures('ghost', [{ name: 'a', type: 'integral' }]))).code).toBe('FEATURE_GROUP_NOT_FOUND');
    expect((await rejectionOf(() => reg.commitBatch(batch('ghost', 'b1', '333333333333')))).code).toBe('FEATURE_GROUP_NOT_FOUND');
    expect((await rejectionOf(() => reg.canonicalName('ghost'))).code).toBe('FEATURE_GROUP_NOT_FOUND');
    const bad: Array<[Partial<FeatureGroupSpec>, string]> = [
      [{ name: 'bad name!' }, 'FEATURE_GROUP_NAME_INVALID'],
      [{ name: 'x_latest' }, 'FEATURE_GROUP_NAME_INVALID'],
      [{ features: [] }, 'FEATURE_GROUP_NO_FEATURES'],
      [{ recordIdentifier: 'missing' }, 'FEATURE_GROUP_ID_MISSING'],
      [{ eventTime: 'v' }, 'FEATURE_GROUP_EVENT_TIME_TYPE'],
      [{ ttlSeconds: -1 }, 'FEATURE_GROUP_TTL_INVALID'],
    ];
    for (const [change, code] of bad) {
      expect((await rejectionOf(() => reg.create({ ...spec('fine'), ...change } as FeatureGroupSpec))).code).toBe(code);
    }
    const unknownType = await rejectionOf(() => reg.addFeatures('patients', [{ name: 'w', type: 'complex' as never }]));
    expect([unknownType.code, unknownType.location?.field]).toEqual(['FEATURE_TYPE_UNKNOWN', 'features[0].type']);
    expect((await rejectionOf(() => reg.addFeatures('patients', 'age' as never))).code).toBe('FEATURE_SPEC_INVALID');
    expect((await reg.list()).map((g) => g.name)).not.toContain('fine');
    expect((await reg.get('patients')).version).toBe(2);
  });

  /** A feature store over this driver's state: SQLite state is the project's own file; PostgreSQL state is shared. */
  async function openStore(dir: string, state: StateDb | undefined, online?: OnlineStoreConfig): Promise<FeatureStore> {
    return FeatureStore.open({ projectDir: dir, autoCompactFiles: 0, ...(online ? { online } : {}), ...(state ? { state } : {}) });
  }

  it('ingests a batch visible offline and online once; its retry writes nothing, not a file nor an online row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-fr-'));
    const state = driver.name === 'postgres' ? await driver.fresh() : undefined;
    const fs = await openStore(dir, state);
    try {
      const file = batchFile(dir, 500);
      await fs.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
      const first = await fs.ingest('g', { file }, { batchId: 'b1' });
      expect(first).toMatchObject({ status: 'ingested', rows: 500, onlineWritten: 500 });
      const files = parquetFiles(dir);
      expect(files).toHaveLength(5);
      const again = await fs.ingest('g', { file }, { batchId: 'b1' });
      expect(again).toMatchObject({ status: 'already_ingested', rows: 500, onlineWritten: 0, files: first.files });
      expect(parquetFiles(dir)).toEqual(files);
      expect(await fs.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM g')).toEqual([{ n: 500, ids: 500 }]);
      expect((await fs.getRecord('g', '7'))?.values.v).toBe(70);
      expect(await fs.online.stagedBatches()).toEqual([]);
      if (state) expect((await state.query("SELECT batch_id FROM feature_batches WHERE group_name = 'g'")).length).toBe(1);
    } finally {
      await fs.close();
    }
  }, 120_000);

  it('two ingests of one batch id at once (a lease expired, another worker retried): it lands once, the loser removes what it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-fr-'));
    // Two processes' worth of connections: PostgreSQL pools, or two connections to the project's SQLite file.
    const stateA = driver.name === 'postgres' ? await driver.fresh() : undefined;
    const stateB = stateA ? await postgresStateDb(driver.url(), { connectRetryMs: 20_000 }) : undefined;
    const online: OnlineStoreConfig = { type: 'redis', url: redis.url, keyPrefix: `fr-${driver.name}:` };
    const a = await openStore(dir, stateA, online);
    const b = await openStore(dir, stateB, online);
    try {
      const n = 2000;
      const file = batchFile(dir, n);
      await a.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
      const results = await Promise.all([a.ingest('g', { file }, { batchId: 'ex-1' }), b.ingest('g', { file }, { batchId: 'ex-1' })]);
      expect(results.map((r) => r.status).sort()).toEqual(['already_ingested', 'ingested']);
      const won = results.find((r) => r.status === 'ingested')!;
      expect(won.onlineWritten).toBe(n);
      expect(results.reduce((s, r) => s + r.onlineWritten, 0)).toBe(n);
      // Only the winner's files are in the store: the loser's were removed, none listed twice.
      expect(parquetFiles(dir)).toEqual([...won.files].sort());
      for (const s of [a, b]) {
        expect(await s.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM g')).toEqual([{ n, ids: n }]);
        expect((await s.describeGroup('g')).offline).toMatchObject({ batches: 1, rows: n, files: won.files.length });
        expect((await s.getRecord('g', String(n)))?.values.v).toBe(n * 10);
      }
      expect(await a.online.stagedBatches()).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await stateB?.close();
    }
  }, 180_000);
});
