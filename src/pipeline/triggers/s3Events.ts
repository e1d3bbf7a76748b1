import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline as pump } from 'node:stream/promises';
import type { SluiceConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { archiveDir } from '../../core/projectLayout.js';
import { quoteValue } from '../../core/quoteValue.js';
import type { z } from 'zod';
import { eventBridgeShape, s3NotificationShape, s3TestEventShape, validateEvent } from './eventShapes.js';
import type { Orchestrator } from '../Orchestrator.js';
import { sha256File } from './readInputFile.js';
import { newExecutionId, type ExecutionRecord } from '../store/ExecutionStore.js';

export interface S3ObjectRef {
  bucket: string;
  key: string;
  eventName: string;
}

/**
 * The objects an object-storage event announces, in the shapes the senders post them:
 *
 * - S3 event notifications (`Records[].s3.bucket.name` / `object.key`): AWS S3 (`eventName:
 *   "ObjectCreated:Put"`), MinIO and Ceph (`"s3:ObjectCreated:Put"`). S3's `s3:TestEvent` announces nothing.
 * - EventBridge S3 events (`"source": "aws.s3"`, `"detail-type": "Object Created"`, `detail.bucket.name` / `detail.object.key`).
 *
 * Each is validated by its schema (eventShapes.ts): a body of another shape is a 400 SluiceError
 * naming the field (and the record) that is missing or wrong. Keys arrive URL-encoded with `+`
 * for spaces (all three senders); a key that is not validly encoded is a 400 naming the record.
 * Only created objects are returned. (SNS envelopes are unwrapped before, see snsMessage.ts.)
 */
export function parseS3Event(body: unknown): S3ObjectRef[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SluiceError(
      'S3_EVENT_INVALID',
      `not an S3 event notification: the body is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`}, not a JSON object`,
      { httpStatus: 400, hint: EVENT_SHAPES },
    );
  }
  const doc = body as Record<string, unknown>;
  if (doc.Event === 's3:TestEvent') {
    validateEvent(s3TestEventShape, doc, 'S3_EVENT_INVALID', 'the S3 test event', EVENT_SHAPES);
    return [];
  }
  if (doc.source === 'aws.s3')
    return fromEventBridge(
      validateEvent(eventBridgeShape, doc, 'S3_EVENT_INVALID', 'the EventBridge event', 'forward the S3 event unchanged (no input transformer on the rule)'),
    );
  if (!('Records' in doc)) {
    throw new SluiceError('S3_EVENT_INVALID', 'not an S3 event notification: no Records array', { httpStatus: 400, hint: EVENT_SHAPES });
  }
  const event = validateEvent(
    s3NotificationShape,
    doc,
    'S3_EVENT_INVALID',
    'the S3 event notification',
    'each record needs s3.bucket.name and s3.object.key (strings); eventName is like "ObjectCreated:Put" (AWS) or "s3:ObjectCreated:Put" (MinIO)',
  );
  return event.Records.flatMap((rec, i) => {
    const eventName = rec.eventName ?? 'ObjectCreated:Put';
    if (!isObjectCreated(eventName)) return [];
    return [{ bucket: rec.s3.bucket.name, key: decodeEventKey(rec.s3.object.key, i), eventName }];
  });
}

const EVENT_SHAPES =
  'send the JSON body S3 or MinIO posts for bucket notifications ({"Records": [...]}), an EventBridge S3 event, or an SNS message wrapping one';

/** `ObjectCreated:Put` (AWS S3) and `s3:ObjectCreated:Put` (MinIO, Ceph), any creation kind. */
export function isObjectCreated(eventName: string): boolean {
  return /^(s3:)?ObjectCreated:/.test(eventName);
}

/**
 * An event's object key, decoded: S3, MinIO and EventBridge encode keys like a form value (`+` for
 * a space, `%2B` for a plus). A `%` not followed by two hex digits is not a valid encoding: 400.
 */
export function decodeEventKey(key: string, record: number): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new SluiceError('S3_EVENT_BAD_KEY', `record ${record}: the object key ${quoteValue(key)} is not URL-encoded (a "%" must start an escape like %25)`, {
      httpStatus: 400,
      location: { record, field: 'key' },
      hint: 'S3 notifications URL-encode keys (a key "100%.csv" arrives as "100%25.csv"); send the key encoded the same way',
    });
  }
}

function fromEventBridge(event: z.output<typeof eventBridgeShape>): S3ObjectRef[] {
  if (event['detail-type'] !== 'Object Created') return [];
  const { bucket, object, reason } = event.detail;
  return [{ bucket: bucket.name, key: decodeEventKey(object.key, 0), eventName: `Object Created:${reason ?? 'PutObject'}` }];
}

/**
 * Fetches an announced object into `archive/<execution id>/<name>` (downloaded to a temporary
 * name, then renamed) and starts its execution with that id — the same hand-over as the inbox.
 * An event delivered twice gives a `skipped` duplicate (content hash), never a second run.
 */
export async function takeS3Object(
  orchestrator: Orchestrator,
  config: NonNullable<SluiceConfig['s3Events']>,
  archive: string,
  ref: S3ObjectRef,
): Promise<ExecutionRecord> {
  if (config.buckets && !config.buckets.includes(ref.bucket)) {
    throw new SluiceError('S3_BUCKET_NOT_ALLOWED', `bucket ${ref.bucket} is not accepted`, {
      httpStatus: 403,
      hint: `s3Events.buckets lists: ${config.buckets.join(', ')}`,
    });
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
  const dir = archiveDir({ archive }, executionId);
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
    throw new SluiceError('S3_FETCH_FAILED', `cannot fetch s3://${ref.bucket}/${ref.key}: ${(e as Error).name}: ${(e as Error).message}`, {
      httpStatus: 502,
      retryable: true,
      hint: 'check s3Events.endpoint, the credentials and that the object exists',
      cause: e,
    });
  } finally {
    client.destroy();
  }
  // Through the orchestrator, like every trigger: it applies the duplicate rule.
  const rec = await orchestrator.start({ file: dest, sha256: await sha256File(dest), trigger: 's3', bucket: ref.bucket, key: ref.key }, { id: executionId });
  return rec;
}
