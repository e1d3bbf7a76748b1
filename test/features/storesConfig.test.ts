import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureStoreFromConfig, storesFromConfig, type FeatureStoreConfig } from '../../src/features/featureStoreFromConfig.js';
import type { ActivityContext } from '../../src/pipeline/activities/Activity.js';
import { ingestFeaturesActivity } from '../../src/pipeline/activities/ingestFeaturesActivity.js';
import { projectLayout } from '../../src/core/projectLayout.js';
import { startRedis } from './redisServer.js';
import { s3Credentials, startS3 } from '../support/s3Server.js';
import { errorOf as refusedSync } from '../support/errors.js';

/** A project folder with one batch file, and the context the orchestrator gives the activity. */
function projectWithBatch(config: Record<string, unknown>, executionId = 'exec-1'): { root: string; ctx: ActivityContext; input: { file: string } } {
  const root = mkdtempSync(join(tmpdir(), 'sluice-stores-'));
  const file = join(root, 'batch.csv');
  writeFileSync(file, 'record_id,event_time,v\n1,2024-01-01T00:00:00Z,10\n2,2024-01-02T00:00:00Z,20\n');
  const ctx: ActivityContext = {
    executionId,
    step: 'ingest',
    attempt: 1,
    idempotencyKey: `${executionId}:ingest`,
    signal: new AbortController().signal,
    project: projectLayout(root, { stateDir: config.stateDir as string | undefined }),
    execution: { input: {}, results: {} },
    log: pino({ level: 'silent' }),
    config: { name: 'proj', ...config },
  };
  return { root, ctx, input: { file } };
}

describe('stores from sluice.yaml', () => {
  it('maps stores: to feature store options, paths resolved from the project', () => {
    expect(storesFromConfig('/p', {})).toEqual({ projectDir: '/p', stateDir: '/p/.sluice', online: { type: 'sqlite' }, offline: { type: 'local' } });
    const c: FeatureStoreConfig = {
      stateDir: 'state',
      stores: { online: { type: 'sqlite', path: 'online.db' }, offline: { type: 'local', path: '/data/offline' } },
    };
    expect(storesFromConfig('/p', c)).toEqual({
      projectDir: '/p',
      stateDir: '/p/state',
      online: { type: 'sqlite', path: '/p/online.db' },
      offline: { type: 'local', root: '/data/offline' },
    });
    expect(
      storesFromConfig('/p', {
        stores: {
          online: { type: 'redis', url: 'redis://h:1', prefix: 'x:' },
          offline: { type: 's3', bucket: 'team-b', prefix: 'p/q', url: 'http://minio:9000' },
        },
      }),
    ).toMatchObject({
      online: { type: 'redis', url: 'redis://h:1', keyPrefix: 'x:' },
      offline: { type: 's3', bucket: 'team-b', prefix: 'p/q', endpoint: 'http://minio:9000' },
    });
  });

  it('refuses what cannot work, saying which field', () => {
    const cases: Array<[FeatureStoreConfig['stores'], string, string]> = [
      [{ online: { type: 'memcached' } }, 'ONLINE_STORE_UNKNOWN', 'stores.online.type'],
      [{ offline: { type: 'gcs' } }, 'OFFLINE_STORAGE_UNKNOWN', 'stores.offline.type'],
      [{ offline: { type: 's3' } }, 'CONFIG_INVALID', 'stores.offline.bucket'],
      [{ offline: { type: 's3', bucket: 'My_Bucket' } }, 'CONFIG_INVALID', 'stores.offline.bucket'],
      [{ offline: { type: 's3', bucket: 'features', url: 'minio:9000' } }, 'CONFIG_INVALID', 'stores.offline.url'],
      [{ offline: { type: 's3', bucket: 'features', prefix: 'a/../b' } }, 'CONFIG_INVALID', 'stores.offline.prefix'],
      [{ online: { type: 'sqlite', url: 'redis://x' } }, 'CONFIG_INVALID', 'stores.online.url'],
      [{ online: { type: 'redis', url: 'http://x' } }, 'CONFIG_INVALID', 'stores.online.url'],
      [{ offline: { type: 'local', bucket: 'b' } }, 'CONFIG_INVALID', 'stores.offline.bucket'],
    ];
    for (const [stores, code, field] of cases) {
      const e = refusedSync(() => storesFromConfig('/p', { stores }));
      expect([e.code, e.location?.field]).toEqual([code, field]);
      expect(e.hint).toBeTruthy();
    }
  });

  it('the pipeline activity uses the configured state folder', async () => {
    const { root, ctx, input } = projectWithBatch({ stateDir: 'var/state' });
    const out = await ingestFeaturesActivity(input, ctx);
    expect(out).toMatchObject({ group: 'proj', created: true, status: 'ingested', rows: 2 });
    expect(existsSync(join(root, 'var/state/sluice.db'))).toBe(true);
    expect(existsSync(join(root, '.sluice'))).toBe(false);
    const fs = await featureStoreFromConfig(root, { stateDir: 'var/state' });
    expect((await fs.getRecord('proj', '2'))?.values.v).toBe(20);
    await fs.close();
  });

  describe('Redis online store', () => {
    let redis: { url: string; stop: () => Promise<void> };
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => redis?.stop());

    it('the pipeline activity writes the online records to the configured Redis, once per execution', async () => {
      const stores = { online: { type: 'redis', url: redis.url, prefix: 'proj:' } };
      const { root, ctx, input } = projectWithBatch({ stores });
      const first = await ingestFeaturesActivity(input, ctx);
      expect(first).toMatchObject({ status: 'ingested', rows: 2, onlineWritten: 2 });
      expect(await ingestFeaturesActivity(input, { ...ctx, attempt: 2 })).toEqual(first);
      const r = new Redis(redis.url);
      try {
        expect(await r.hget('proj:proj:1', 'p')).toBe('{"record_id":1,"event_time":"2024-01-01T00:00:00.000Z","v":10}');
        // The records, and the commit counter; no staging left.
        expect((await r.keys('proj:*')).sort()).toEqual(['proj:proj:1', 'proj:proj:2', 'proj:~seq']);
      } finally {
        r.disconnect();
      }
      // The embedded online table was never even created: the records are in Redis only.
      const fs = await featureStoreFromConfig(root, { stores } as FeatureStoreConfig);
      expect(fs.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'online_features'").get()).toEqual({ n: 0 });
      expect((await fs.getRecord('proj', '1'))?.values.v).toBe(10);
      expect(await fs.query('SELECT count(*) AS n FROM proj')).toEqual([{ n: 2 }]);
      await fs.close();
    });
  });

  describe('S3 offline store (s3rver)', () => {
    let s3: { endpoint: string; stop: () => Promise<void> };
    let client: S3Client;
    const saved = { ...process.env };
    beforeAll(async () => {
      s3 = await startS3();
      // Configured stores take credentials from the AWS SDK's chain: here, the environment.
      process.env.AWS_ACCESS_KEY_ID = s3Credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = s3Credentials.secretAccessKey;
      client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3Credentials });
      await client.send(new CreateBucketCommand({ Bucket: 'proj-features' }));
    });
    afterAll(async () => {
      process.env = saved;
      client?.destroy();
      await s3?.stop();
    });

    it('the pipeline activity writes the offline history to the configured bucket', async () => {
      const stores = { offline: { type: 's3', bucket: 'proj-features', prefix: 'sluice/offline', url: s3.endpoint } };
      const { root, ctx, input } = projectWithBatch({ stores });
      const out = await ingestFeaturesActivity(input, ctx);
      expect(out).toMatchObject({ status: 'ingested', rows: 2 });
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'proj-features', Prefix: 'sluice/offline/proj/' }));
      expect((listed.Contents ?? []).map((o) => o.Key!.replace(/[^/]+$/, '')).sort()).toEqual([
        'sluice/offline/proj/event_date=2024-01-01/',
        'sluice/offline/proj/event_date=2024-01-02/',
      ]);
      expect(existsSync(join(root, '.sluice/offline/proj'))).toBe(false);
      const fs = await featureStoreFromConfig(root, { stores } as FeatureStoreConfig);
      expect(await fs.query('SELECT sum(v) AS s FROM proj')).toEqual([{ s: 30 }]);
      await fs.close();
    });
  });
});
