import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { s3Credentials, startS3 } from '../support/s3Server.js';

function project(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-compact-'));
}

/** A group `g` (id, t, v) with one batch over two days, then `puts` single-record puts on 2024-01-01. */
async function storeWithSmallFiles(dir: string, puts: number, options: { autoCompactFiles?: number } = {}): Promise<FeatureStore> {
  const fs = await FeatureStore.open({ projectDir: dir, autoCompactFiles: options.autoCompactFiles ?? 0 });
  const file = join(dir, 'b.csv');
  writeFileSync(file, 'id,t,v\n1,2024-01-01T01:00:00Z,1\n2,2024-01-02T01:00:00Z,2\n3,2024-01-01T02:00:00Z,3\n');
  await fs.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
  await fs.ingest('g', { file }, { batchId: 'b1' });
  for (let i = 0; i < puts; i++) await fs.putRecord('g', { id: 10 + i, t: `2024-01-01T0${3 + (i % 6)}:00:00Z`, v: 100 + i });
  return fs;
}

const partition = (dir: string, day: string) => readdirSync(join(dir, '.sluice/offline/g', `event_date=${day}`)).filter((f) => f.endsWith('.parquet'));

describe('compaction and crash leftovers', () => {
  it('automatic compaction after a write never removes files the database does not list (an older database)', async () => {
    const dir = project();
    const fs = await storeWithSmallFiles(dir, 0, { autoCompactFiles: 2 });
    try {
      const unlisted = join(dir, '.sluice/offline/g/event_date=2024-01-01/newer-db_0.parquet');
      writeFileSync(unlisted, 'a batch a newer database committed');
      const old = new Date(Date.now() - 3 * 3_600_000);
      utimesSync(unlisted, old, old);
      for (let i = 0; i < 3; i++) await fs.putRecord('g', { id: 50 + i, t: '2024-01-01T05:00:00Z', v: i });
      expect(partition(dir, '2024-01-01').filter((f) => f !== 'newer-db_0.parquet')).toHaveLength(1); // compacted
      expect(existsSync(unlisted)).toBe(true);
    } finally {
      await fs.close();
    }
  });

  it('merges the small files of each partition into one, rows, views and idempotency unchanged', async () => {
    const dir = project();
    const fs = await storeWithSmallFiles(dir, 5);
    try {
      await fs.deleteRecord('g', '3', { eventTime: '2024-01-01T09:00:00Z' });
      expect(partition(dir, '2024-01-01')).toHaveLength(7);
      const history = 'SELECT * FROM g ORDER BY id, t, is_deleted';
      const before = {
        history: await fs.query(history),
        latest: await fs.query('SELECT * FROM g_latest ORDER BY id'),
        described: (await fs.describeGroup('g')).offline,
      };
      expect(before.described).toEqual({ batches: 7, rows: 9, files: 8 });

      const r = await fs.compact('g');
      expect(r).toMatchObject({ partitionsMerged: 1, filesMerged: 7, filesWritten: 1, strayFilesRemoved: [], stagingRemoved: [] });
      expect(r.batchId).toMatch(/^compact-/);
      expect(partition(dir, '2024-01-01')).toHaveLength(1);
      expect(partition(dir, '2024-01-02')).toHaveLength(1); // one file already: left alone
      expect(await fs.query(history)).toEqual(before.history);
      expect(await fs.query('SELECT * FROM g_latest ORDER BY id')).toEqual(before.latest);
      expect((await fs.describeGroup('g')).offline).toEqual({ batches: 7, rows: 9, files: 2 });
      // The compacted batch ids still make ingestion idempotent.
      expect((await fs.ingest('g', { file: join(dir, 'b.csv') }, { batchId: 'b1' })).status).toBe('already_ingested');
      // Nothing left to merge.
      expect((await fs.compact('g')).partitionsMerged).toBe(0);
    } finally {
      await fs.close();
    }
  });

  it('compacts by itself once a partition reaches autoCompactFiles', async () => {
    const dir = project();
    const fs = await storeWithSmallFiles(dir, 2, { autoCompactFiles: 4 });
    try {
      expect(partition(dir, '2024-01-01')).toHaveLength(3);
      await fs.putRecord('g', { id: 50, t: '2024-01-01T10:00:00Z', v: 5 });
      expect(partition(dir, '2024-01-01')).toHaveLength(1);
      expect(await fs.query('SELECT count(*) AS n FROM g')).toEqual([{ n: 6 }]);
      expect((await fs.getRecord('g', '50'))?.values.v).toBe(5);
    } finally {
      await fs.close();
    }
  });

  it('removes what crashes left: staging folders of dead processes on open, old uncommitted files and staged online entries on compact', async () => {
    const dir = project();
    const fs = await storeWithSmallFiles(dir, 0);
    const groupDir = join(dir, '.sluice/offline/g');
    const dead = join(groupDir, '.staging-abc123-999999999-a1b2c3');
    const ours = join(groupDir, `.staging-abc123-${process.pid}-a1b2c3`);
    for (const d of [dead, ours]) {
      mkdirSync(join(d, 'event_date=2024-01-01'), { recursive: true });
      writeFileSync(join(d, 'event_date=2024-01-01', 'x_0.parquet'), 'half');
    }
    // An uncommitted file renamed into place by a crashed ingest two hours ago, and one from a running ingest.
    const stale = join(groupDir, 'event_date=2024-01-01', 'crashed_0.parquet');
    const fresh = join(groupDir, 'event_date=2024-01-01', 'running_0.parquet');
    writeFileSync(stale, 'PAR1 half');
    writeFileSync(fresh, 'PAR1 half');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    // Online entries staged by a batch that never committed.
    await fs.online.stage('g', 'crashed-batch', [{ id: '77', eventTime: Date.now(), expiresAt: null, payload: '{}' }]);
    // A staging table whose batch was applied, left by a crash right after the commit.
    fs.db.exec(
      'CREATE TABLE online_stage_999 (record_id TEXT NOT NULL, event_time INTEGER NOT NULL, expires_at INTEGER, deleted INTEGER NOT NULL, payload TEXT NOT NULL)',
    );
    const stageTables = (f: FeatureStore) => f.db.prepare("SELECT name FROM sqlite_master WHERE name GLOB 'online_stage_*' ORDER BY name").pluck().all();
    expect(stageTables(fs)).toHaveLength(2);
    await fs.close();

    const fs2 = await FeatureStore.open({ projectDir: dir });
    try {
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(ours)).toBe(true);
      expect(stageTables(fs2)).toHaveLength(1); // the orphan is dropped, the staged batch's table kept
      // A process that crashes while this store is open: its staging folder goes at the next ingest.
      const dead2 = join(groupDir, '.staging-def456-999999998-d4e5f6');
      mkdirSync(dead2, { recursive: true });
      writeFileSync(join(dir, 'c.csv'), 'id,t,v\n4,2024-01-03T00:00:00Z,4\n');
      await fs2.ingest('g', { file: join(dir, 'c.csv') });
      expect(existsSync(dead2)).toBe(false);
      expect(existsSync(ours)).toBe(true);
      const r = await fs2.compact('g');
      expect(r.strayFilesRemoved).toEqual(['g/event_date=2024-01-01/crashed_0.parquet']);
      expect(existsSync(stale)).toBe(false);
      // Younger than the grace period: maybe an ingest still running elsewhere, kept.
      expect(existsSync(fresh)).toBe(true);
      expect(r.onlineStagedDiscarded).toEqual([]);
      expect((await fs2.online.stagedBatches()).map((b) => b.batchId)).toEqual(['crashed-batch']);
      // Two hours later both are leftovers.
      const later = await fs2.compact('g', { now: new Date(Date.now() + 2 * 3_600_000) });
      expect(later.strayFilesRemoved).toEqual(['g/event_date=2024-01-01/running_0.parquet']);
      expect(later.onlineStagedDiscarded.map((b) => b.batchId)).toEqual(['crashed-batch']);
      expect(await fs2.online.stagedBatches()).toEqual([]);
      expect(stageTables(fs2)).toEqual([]);
      expect(await fs2.getRecord('g', '77')).toBeNull();
      expect(await fs2.query('SELECT count(*) AS n FROM g')).toEqual([{ n: 4 }]);
    } finally {
      await fs2.close();
    }
  });

  it('compacts an S3 offline store: the bucket keeps exactly the committed files', async () => {
    const s3 = await startS3();
    const credentials = s3Credentials;
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'fsc' }));
      const dir = project();
      const fs = await FeatureStore.open({
        projectDir: dir,
        autoCompactFiles: 0,
        offline: { type: 's3', bucket: 'fsc', prefix: 'off', endpoint: s3.endpoint, credentials },
      });
      try {
        const file = join(dir, 'b.csv');
        writeFileSync(file, 'id,t,v\n1,2024-01-01T01:00:00Z,1\n');
        await fs.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
        await fs.ingest('g', { file });
        for (let i = 0; i < 3; i++) await fs.putRecord('g', { id: 10 + i, t: '2024-01-01T05:00:00Z', v: i });
        const r = await fs.compact('g');
        expect(r).toMatchObject({ filesMerged: 4, filesWritten: 1 });
        const listed = await client.send(new ListObjectsV2Command({ Bucket: 'fsc', Prefix: 'off/g/' }));
        const committed = (await fs.describeGroup('g')).offline.files;
        expect(listed.Contents?.length).toBe(committed);
        expect(committed).toBe(1);
        expect(await fs.query('SELECT count(*) AS n, sum(v) AS s FROM g')).toEqual([{ n: 4, s: 4 }]);
      } finally {
        await fs.close();
      }
    } finally {
      client.destroy();
      await s3.stop();
    }
  }, 60_000);
});
