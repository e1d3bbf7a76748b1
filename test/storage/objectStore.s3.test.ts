import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll } from 'vitest';
import type { ObjectStoreConfig } from '../../src/storage/objectStoreBackends.js';
import { createObjectStore } from '../../src/storage/createObjectStore.js';
import { s3Credentials, startS3 } from '../support/s3Server.js';
import { runObjectStoreConformance } from './objectStoreConformance.js';

// The S3-compatible server (s3rver, a devDependency) runs in this process on 127.0.0.1; when it
// cannot start, every test of the suite fails (it is opened in the suite's beforeAll).
let s3: Awaited<ReturnType<typeof startS3>> | undefined;
afterAll(async () => {
  await s3?.stop();
});

runObjectStoreConformance('S3-compatible bucket (s3rver)', async () => {
  s3 = await startS3();
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3Credentials });
  await client.send(new CreateBucketCommand({ Bucket: 'conformance' }));
  client.destroy();
  const config: ObjectStoreConfig = { type: 's3', bucket: 'conformance', prefix: 'proj/offline', endpoint: s3.endpoint, credentials: s3Credentials };
  const dir = mkdtempSync(join(tmpdir(), 'sluice-objects-s3-'));
  // Each storage has its own download cache: a reopened one reads every file from the bucket again.
  let caches = 0;
  const open = () => createObjectStore(config, { defaultRoot: join(dir, 'unused'), cacheDir: join(dir, 'cache', String(caches++)) });
  return { storage: open(), scratch: dir, reopen: async () => open() };
});
