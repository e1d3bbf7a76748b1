import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as pump } from 'node:stream/promises';
import type { SluiceConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { decodeS3Key } from './decodeS3Key.js';
import { sha256File, type Orchestrator } from '../Orchestrator.js';
import { newExecutionId, type ExecutionRecord } from '../store/ExecutionStore.js';

export interface S3ObjectRef {
  bucket: string;
  key: string;
  eventName: string;
}

/**
 * The objects an S3 event notification announces (`Records[].s3.bucket.name` / `object.key`, as
 * AWS S3, MinIO and Ceph send them). Keys arrive URL-encoded with `+` for spaces. Only
 * `ObjectCreated:*` events are returned; a body of another shape is a 400 SluiceError.
 */
export function parseS3Event(body: unknown): S3ObjectRef[] {
  const records = (body as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) {
    throw new SluiceError('S3_EVENT_INVALID', 'not an S3 event notification: no Records array', { httpStatus: 400, hint: 'send the JSON body S3 posts for bucket notifications' });
  }
  return records.flatMap((r, i) => {
    const rec = r as { eventName?: unknown; s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } } };
    const bucket = rec.s3?.bucket?.name;
    const key = rec.s3?.object?.key;
    if (typeof bucket !== 'string' || typeof key !== 'string') {
      throw new SluiceError('S3_EVENT_INVALID', `record ${i} has no s3.bucket.name or s3.object.key`, { httpStatus: 400, location: { record: i }, hint: 'each record needs s3.bucket.name and s3.object.key' });
    }
    const eventName = typeof rec.eventName === 'string' ? rec.eventName : 'ObjectCreated:Put';
    if (!eventName.startsWith('ObjectCreated')) return [];
    return [{ bucket, key: decodeS3Key(key, i), eventName }];
  });
}

/**
 * Fetches an announced object into `archive/<execution id>/<name>` (downloaded to a temporary
 * name, then renamed) and starts its execution with that id — the same hand-over as the inbox.
 * An event delivered twice gives a `skipped` duplicate (content hash), never a second run.
 */
export async function takeS3Object(orchestrator: Orchestrator, config: NonNullable<SluiceConfig['s3Events']>, archive: string, ref: S3ObjectRef, allowDuplicate = false): Promise<ExecutionRecord> {
  if (config.buckets && !config.buckets.includes(ref.bucket)) {
    throw new SluiceError('S3_BUCKET_NOT_ALLOWED', `bucket ${ref.bucket} is not accepted`, { httpStatus: 403, hint: `s3Events.buckets lists: ${config.buckets.join(', ')}` });
  }
  const sdk = await import('@aws-sdk/client-s3');
  const id = process.env[config.accessKeyIdEnv ?? ''];
  const secret = process.env[config.secretAccessKeyEnv ?? ''];
  const client = new sdk.S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
  });
  const executionId = newExecutionId();
  const name = (ref.key.split('/').pop() || 'object').replace(/[^A-Za-z0-9._ -]/g, '_');
  const dir = join(archive, executionId);
  const dest = join(dir, name);
  const tmp = join(dir, `.${name}.part`);
  try {
    const res = await client.send(new sdk.GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    await mkdir(dir, { recursive: true });
    await pump(res.Body as Readable, createWriteStream(tmp));
    await rename(tmp, dest);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    if (e instanceof SluiceError) throw e;
    throw new SluiceError('S3_FETCH_FAILED', `cannot fetch s3://${ref.bucket}/${ref.key}: ${(e as Error).name}: ${(e as Error).message}`, { httpStatus: 502, retryable: true, hint: 'check s3Events.endpoint, the credentials and that the object exists', cause: e });
  } finally {
    client.destroy();
  }
  const pipeline = orchestrator.pipeline;
  if (!pipeline) throw new SluiceError('PIPELINE_MISSING', 'no pipeline is configured', { hint: 'set `pipeline` in sluice.yaml' });
  const rec = orchestrator.store.create(pipeline, { file: dest, sha256: await sha256File(dest), trigger: 's3', bucket: ref.bucket, key: ref.key }, { id: executionId, ...(allowDuplicate ? { allowDuplicate: true } : {}) });
  orchestrator.kick();
  return rec;
}
