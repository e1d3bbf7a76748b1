import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { rejectionOf as refused } from '../support/errors.js';

function project(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-fs-'));
}

function csv(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const PATIENTS = `patient_id,event_time,age,num_procedures,score
1,2024-01-01T10:00:00Z,[50-60),2,0.5
2,2024-01-02T11:00:00Z,[60-70),0,1.5
3,2024-01-02T12:00:00+02:00,[70-80),5,2.5
`;

describe('FeatureStore: groups from data, ingestion, offline SQL', () => {
  let dir: string;
  let fs: FeatureStore;
  beforeAll(async () => {
    dir = project();
    fs = await FeatureStore.open({ projectDir: dir });
  });
  afterAll(async () => fs.close());

  it('creates a group from a file and ingests it offline and online', async () => {
    const file = csv(dir, 'patients.csv', PATIENTS);
    const g = await fs.createGroupFromData(
      { file },
      { name: 'patients', recordIdentifier: 'patient_id', eventTime: 'event_time', tags: { source: 'diabetes' } },
    );
    expect(g.features).toEqual([
      { name: 'patient_id', type: 'integral' },
      { name: 'event_time', type: 'timestamp' },
      { name: 'age', type: 'string' },
      { name: 'num_procedures', type: 'integral' },
      { name: 'score', type: 'fractional' },
    ]);
    const r = await fs.ingest('patients', { file });
    expect(r).toMatchObject({ status: 'ingested', inputRows: 3, rows: 3, duplicatesDropped: 0, onlineWritten: 3 });
    expect(r.batchId).toMatch(/^file-sha256:/);
    // Partitioned by event date (UTC: +02:00 moves row 3 to 10:00 UTC the same day).
    expect(readdirSync(join(dir, '.sluice/offline/patients')).sort()).toEqual(['event_date=2024-01-01', 'event_date=2024-01-02']);
    const rec = await fs.getRecord('patients', '3');
    expect(rec).toMatchObject({ group: 'patients', id: '3', eventTime: '2024-01-02T10:00:00.000Z', expiresAt: null });
    expect(rec?.values).toEqual({ patient_id: 3, event_time: '2024-01-02T10:00:00.000Z', age: '[70-80)', num_procedures: 5, score: 2.5 });
    expect(await fs.getRecord('patients', '99')).toBeNull();
    expect((await refused(fs.getRecord('nope', '1'))).httpStatus).toBe(404);

    const rows = await fs.query(
      'SELECT patient_id, is_deleted, write_time IS NOT NULL AS w, api_invocation_time IS NOT NULL AS a FROM patients ORDER BY patient_id',
    );
    expect(rows).toEqual([1, 2, 3].map((id) => ({ patient_id: id, is_deleted: false, w: true, a: true })));
    const d = await fs.describeGroup('patients');
    expect(d.offline).toEqual({ batches: 1, rows: 3, files: 2 });
  });

  it('ingests the same batch once', async () => {
    const file = join(dir, 'patients.csv');
    const again = await fs.ingest('patients', { file });
    expect(again.status).toBe('already_ingested');
    const [n] = await fs.query('SELECT count(*) AS n FROM patients');
    expect(n?.n).toBe(3);
    const engine = await Engine.open();
    await engine.exec(`CREATE TABLE b AS SELECT 7 AS patient_id, TIMESTAMP '2024-02-01 00:00:00' AS event_time, 1 AS num_procedures`);
    const first = await fs.ingest('patients', { engine, relation: 'b' }, { batchId: 'exec-1' });
    const second = await fs.ingest('patients', { engine, relation: 'b' }, { batchId: 'exec-1' });
    expect([first.status, second.status]).toEqual(['ingested', 'already_ingested']);
    expect(first.missingFeatures).toEqual(['age', 'score']);
    const [m] = await fs.query('SELECT count(*) AS n FROM patients WHERE patient_id = 7');
    expect(m?.n).toBe(1);
    engine.close();
  });

  it('keeps the latest event time of duplicate ids in a batch and says so', async () => {
    const file = csv(dir, 'dups.csv', 'patient_id,event_time,num_procedures\n10,2024-03-02,2\n10,2024-03-05,5\n10,2024-03-01,1\n11,2024-03-01,9\n');
    const r = await fs.ingest('patients', { file });
    expect(r).toMatchObject({ inputRows: 4, rows: 2, duplicatesDropped: 2 });
    expect((await fs.getRecord('patients', '10'))?.values.num_procedures).toBe(5);
    expect(await fs.query('SELECT num_procedures FROM patients WHERE patient_id = 10')).toEqual([{ num_procedures: 5 }]);
  });

  it('refuses bad batches with located errors and writes nothing', async () => {
    const before = await fs.query('SELECT count(*) AS n FROM patients');
    const cases: Array<[string, string, string, string]> = [
      ['noid.csv', 'event_time,age\n2024-01-01,x\n', 'BATCH_ID_COLUMN_MISSING', 'patient_id'],
      ['notime.csv', 'patient_id,age\n1,x\n', 'BATCH_EVENT_TIME_MISSING', 'event_time'],
      ['badtime.csv', 'patient_id,event_time\n1,2024-01-01\n2,yesterday\n3,2024-13-45\n', 'BATCH_INVALID', 'event_time'],
      ['nulltime.csv', 'patient_id,event_time\n1,2024-01-01\n2,\n', 'BATCH_INVALID', 'event_time'],
      ['badint.csv', 'patient_id,event_time,num_procedures\n1,2024-01-01,2\n2,2024-01-01,2.5\n', 'BATCH_INVALID', 'num_procedures'],
      ['nullid.csv', 'patient_id,event_time\n,2024-01-01\n', 'BATCH_INVALID', 'patient_id'],
    ];
    for (const [name, text, code, field] of cases) {
      const e = await refused(fs.ingest('patients', { file: csv(dir, name, text) }));
      expect([name, e.code, e.location?.field]).toEqual([name, code, field]);
      expect(e.hint).toBeTruthy();
    }
    const bad = await refused(fs.ingest('patients', { file: join(dir, 'badtime.csv') }));
    expect(bad.message).toContain('row 2');
    expect(bad.message).toContain('"yesterday"');
    expect(bad.message).toContain('2 row(s)');
    const missing = await refused(fs.ingest('patients', { file: join(dir, 'absent.csv') }));
    expect([missing.code, missing.httpStatus]).toEqual(['FILE_NOT_FOUND', 404]);
    const typeClash = await refused(fs.ingest('patients', { file: csv(dir, 'bool.csv', 'patient_id,event_time,num_procedures\n1,2024-01-01,true\n') }));
    expect(typeClash.code).toBe('FEATURE_TYPE_MISMATCH');
    expect(await fs.query('SELECT count(*) AS n FROM patients')).toEqual(before);
    expect(await fs.getRecord('patients', '2')).not.toBeNull();
    expect((await fs.describeGroup('patients')).offline.batches).toBe(3);
  });

  it('refuses a group whose declared type does not fit the data', async () => {
    const file = csv(dir, 'g2.csv', 'id,ts,code\n1,2024-01-01,A1\n2,2024-01-01,7\n');
    const e = await refused(fs.createGroupFromData({ file }, { name: 'g2', recordIdentifier: 'id', eventTime: 'ts', types: { code: 'integral' } }));
    expect(e.code).toBe('BATCH_INVALID');
    expect(e.message).toContain('"A1"');
    expect((await fs.listGroups()).map((g) => g.name)).toEqual(['patients']);
  });

  it('evolves the schema: old files read null for a new feature, new batches carry it', async () => {
    await fs.addFeatures('patients', [{ name: 'num_visits', type: 'integral' }]);
    expect(await fs.query('SELECT count(num_visits) AS n FROM patients')).toEqual([{ n: 0 }]);
    await fs.ingest('patients', { file: csv(dir, 'v2.csv', 'patient_id,event_time,num_visits\n20,2024-04-01,3\n') });
    expect(await fs.query('SELECT patient_id, num_visits FROM patients WHERE num_visits IS NOT NULL')).toEqual([{ patient_id: 20, num_visits: 3 }]);
    expect((await fs.getRecord('patients', '20'))?.values.num_visits).toBe(3);
  });

  it('puts and deletes single records; the latest view hides deleted ids', async () => {
    const put = await fs.putRecord('patients', { patient_id: 30, event_time: '2024-05-01T00:00:00Z', age: '[40-50)', score: 3 });
    expect(put.onlineWritten).toBe(1);
    expect((await fs.getRecord('patients', '30'))?.values).toMatchObject({ age: '[40-50)', score: 3, num_procedures: null });
    const older = await fs.putRecord('patients', { patient_id: 30, event_time: '2024-04-01T00:00:00Z', age: 'old' });
    expect([older.onlineWritten, older.onlineIgnored]).toEqual([0, 1]);
    expect((await fs.getRecord('patients', '30'))?.values.age).toBe('[40-50)');
    expect((await refused(fs.putRecord('patients', { patient_id: 31, event_time: '2024-05-01', colour: 'red' }))).code).toBe('FEATURE_UNKNOWN');
    expect((await refused(fs.putRecord('patients', { patient_id: 31, event_time: 'soon' }))).code).toBe('BATCH_INVALID');

    expect(await fs.deleteRecord('patients', '30', { eventTime: '2024-05-02T00:00:00Z' })).toBe(true);
    expect(await fs.getRecord('patients', '30')).toBeNull();
    expect(await fs.deleteRecord('patients', '30')).toBe(false);
    expect(await fs.deleteRecord('patients', '12345')).toBe(false);
    expect(await fs.query('SELECT is_deleted, age FROM patients WHERE patient_id = 30 ORDER BY event_time')).toEqual([
      { is_deleted: false, age: 'old' },
      { is_deleted: false, age: '[40-50)' },
      { is_deleted: true, age: null },
    ]);
    const latest = await fs.query('SELECT patient_id FROM patients_latest ORDER BY patient_id');
    expect(latest.map((r) => r.patient_id)).toEqual([1, 2, 3, 7, 10, 11, 20]);
  });

  it('batch-gets across groups and applies TTL per group and per record', async () => {
    await fs.createGroup({
      name: 'visits',
      recordIdentifier: 'visit_id',
      eventTime: 'ts',
      ttlSeconds: 3600,
      features: [
        { name: 'visit_id', type: 'string' },
        { name: 'ts', type: 'timestamp' },
        { name: 'ok', type: 'boolean' },
      ],
    });
    const now = Date.now();
    await fs.putRecord('visits', { visit_id: 'fresh', ts: new Date(now - 60_000).toISOString(), ok: true });
    await fs.putRecord('visits', { visit_id: 'stale', ts: new Date(now - 7_200_000).toISOString(), ok: false });
    await fs.putRecord('visits', { visit_id: 'long', ts: new Date(now - 7_200_000).toISOString(), ok: true }, { ttlSeconds: 86_400 });
    const res = await fs.batchGet([
      { group: 'visits', ids: ['fresh', 'stale', 'long'] },
      { group: 'patients', ids: ['1', '404'] },
    ]);
    expect(res.map((r) => [r.group, r.id, r.record === null])).toEqual([
      ['visits', 'fresh', false],
      ['visits', 'stale', true],
      ['visits', 'long', false],
      ['patients', '1', false],
      ['patients', '404', true],
    ]);
    expect(Date.parse(res[0]!.record!.expiresAt!) - Date.parse(res[0]!.record!.eventTime)).toBe(3_600_000);
    expect((await refused(fs.batchGet([{ group: 'ghost', ids: ['1'] }]))).code).toBe('FEATURE_GROUP_NOT_FOUND');
  });
});

describe('FeatureStore: a failure mid-ingest leaves no half batch', () => {
  it('a batch whose online write fails is invisible offline, and its retry lands once', async () => {
    const { startRedis } = await import('./redisServer.js');
    const redis = await startRedis();
    const dir = project();
    const fs = await FeatureStore.open({ projectDir: dir, online: { type: 'redis', url: redis.url } });
    try {
      const file = csv(dir, 'b.csv', 'id,t,v\n1,2024-01-01,1\n2,2024-01-02,2\n3,2024-01-03,3\n');
      await fs.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
      await redis.stop(); // the online store goes away after the offline files are written
      await expect(fs.ingest('g', { file }, { batchId: 'b1' })).rejects.toThrow();
      // The attempt wrote its partition files, failed before committing, and removed them again.
      expect(readdirSync(join(dir, '.sluice/offline/g'), { recursive: true }).filter((f) => String(f).endsWith('.parquet'))).toEqual([]);
      expect(await fs.query('SELECT count(*) AS n FROM g')).toEqual([{ n: 0 }]);
      expect((await fs.describeGroup('g')).offline.batches).toBe(0);
    } finally {
      await fs.close().catch(() => undefined);
    }
    const redis2 = await startRedis();
    const fs2 = await FeatureStore.open({ projectDir: dir, online: { type: 'redis', url: redis2.url } });
    try {
      const r = await fs2.ingest('g', { file: join(dir, 'b.csv') }, { batchId: 'b1' });
      expect(r.status).toBe('ingested');
      expect(await fs2.query('SELECT count(*) AS n FROM g')).toEqual([{ n: 3 }]);
      // The retry wrote its own files: one per partition.
      expect(readdirSync(join(dir, '.sluice/offline/g/event_date=2024-01-01')).length).toBe(1);
      expect((await fs2.getRecord('g', '2'))?.values.v).toBe(2);
    } finally {
      await fs2.close();
      await redis2.stop();
    }
  });

  it('stray files of an uncommitted batch in a partition folder are never read', async () => {
    const dir = project();
    const fs = await FeatureStore.open({ projectDir: dir });
    try {
      const file = csv(dir, 'a.csv', 'id,t,v\n1,2024-01-01,1\n');
      await fs.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
      await fs.ingest('g', { file });
      const stray = join(dir, '.sluice/offline/g/event_date=2024-01-01');
      mkdirSync(stray, { recursive: true });
      writeFileSync(join(stray, 'half.parquet'), 'PAR1 not really');
      expect(await fs.query('SELECT count(*) AS n FROM g')).toEqual([{ n: 1 }]);
    } finally {
      await fs.close();
    }
  });
});
