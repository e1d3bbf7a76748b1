import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import type { ObjectStoreConfig } from '../../src/storage/objectStoreBackends.js';
import { s3Credentials, startS3 } from '../support/s3Server.js';

const credentials = s3Credentials;

describe('offline store in an S3-compatible bucket (s3rver)', () => {
  let s3: { endpoint: string; stop: () => Promise<void> };
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3();
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    await client.send(new CreateBucketCommand({ Bucket: 'features' }));
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  const config = (bucket = 'features'): ObjectStoreConfig => ({ type: 's3', bucket, prefix: 'proj/offline', endpoint: s3.endpoint, credentials });

  it('writes partitions as objects, queries them, and reads them back with an empty cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-s3-'));
    const file = join(dir, 'p.csv');
    writeFileSync(file, 'id,t,v\n1,2024-01-01,10\n2,2024-01-02,20\n2,2024-01-03,30\n');
    const fs = await FeatureStore.open({ projectDir: dir, offline: config() });
    await fs.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
    const r = await fs.ingest('g', { file });
    expect(r).toMatchObject({ rows: 2, duplicatesDropped: 1 });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'features', Prefix: 'proj/offline/g/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(r.files.map((f) => `proj/offline/${f}`).sort());
    expect(r.files.some((f) => f.startsWith('g/event_date=2024-01-03/'))).toBe(true);
    expect(await fs.query('SELECT id, v FROM g_latest ORDER BY id')).toEqual([
      { id: 1, v: 10 },
      { id: 2, v: 30 },
    ]);
    await fs.close();

    // A machine with the registry but no local copies: files are downloaded on first read.
    rmSync(join(dir, '.sluice/cache'), { recursive: true, force: true });
    const fs2 = await FeatureStore.open({ projectDir: dir, offline: config() });
    expect(await fs2.query('SELECT count(*) AS n, sum(v) AS s FROM g')).toEqual([{ n: 2, s: 40 }]);
    writeFileSync(join(dir, 'e.csv'), 'id,event_time\n2,2024-01-02T12:00:00Z\n2,2024-01-04T00:00:00Z\n');
    const ds = await fs2.buildDataset({ file: join(dir, 'e.csv') }, { features: [{ group: 'g', features: ['v'] }] });
    expect(ds.sample.map((x) => x.v)).toEqual([null, 30]);
    await fs2.close();
  });

  it('a batch whose upload fails is not committed and leaves nothing visible', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-s3-'));
    const file = join(dir, 'p.csv');
    writeFileSync(file, 'id,t,v\n1,2024-01-01,10\n');
    const fs = await FeatureStore.open({ projectDir: dir, offline: config('no-such-bucket') });
    try {
      await fs.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
      const e = await fs.ingest('g', { file }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(SluiceError);
      expect((e as SluiceError).code).toBe('OBJECT_STORE_ERROR');
      expect((e as SluiceError).message).toContain('s3://no-such-bucket/proj/offline/g/event_date=2024-01-01/');
      expect((await fs.describeGroup('g')).offline.batches).toBe(0);
      expect(await fs.getRecord('g', '1')).toBeNull();
      expect(await fs.query('SELECT count(*) AS n FROM g')).toEqual([{ n: 0 }]);
    } finally {
      await fs.close();
    }
  });
});
