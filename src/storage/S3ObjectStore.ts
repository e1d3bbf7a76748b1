import { createWriteStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { SluiceError } from '../core/errors.js';
import { tempPathFor } from '../engine/atomicWriteFile.js';
import { checkObjectKey } from './objectKey.js';
import type { ObjectStore } from './ObjectStore.js';
import { defineObjectStoreBackend } from './ObjectStoreBackend.js';
import { objectStoreError } from './objectStoreError.js';

/** Settings of a store in an S3-compatible bucket. */
export interface S3ObjectStoreConfig {
  type: 's3';
  bucket: string;
  /** Key prefix inside the bucket, e.g. `sluice/offline`. */
  prefix?: string;
  /** Endpoint of an S3-compatible server (MinIO, Ceph, ...); absent: AWS. */
  endpoint?: string;
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need; default true with an endpoint. */
  forcePathStyle?: boolean;
  /** Absent: the AWS SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * An object store in an S3-compatible bucket. Files are written locally (by DuckDB, a trainer,
 * the report), uploaded with one PUT each (an object appears whole or not at all), and
 * downloaded on first read into a local cache (`<cacheDir>/<key>`).
 */
export class S3ObjectStore implements ObjectStore {
  readonly type = 's3';
  private client: Promise<{ s3: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined;
  private readonly prefix: string;

  constructor(
    private readonly config: S3ObjectStoreConfig,
    private readonly cacheDir: string,
  ) {
    this.prefix = (config.prefix ?? '').replace(/^\/+|\/+$/g, '');
  }

  /** The SDK is loaded on first use: it is large, and most projects keep their stores local. */
  private sdk(): Promise<{ s3: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> {
    this.client ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      s3: new sdk.S3Client({
        endpoint: this.config.endpoint,
        region: this.config.region ?? 'us-east-1',
        forcePathStyle: this.config.forcePathStyle ?? this.config.endpoint !== undefined,
        credentials: this.config.credentials,
        maxAttempts: 3,
      }),
    }));
    return this.client;
  }

  private objectKey(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  stagingDir(prefix: string): string {
    return join(this.cacheDir, '.staging', prefix);
  }

  async putFile(localPath: string, key: string, options: { keep?: boolean } = {}): Promise<void> {
    checkObjectKey(key);
    try {
      const { s3, sdk } = await this.sdk();
      await s3.send(new sdk.PutObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key), Body: await readFile(localPath) }));
    } catch (e) {
      throw this.error('upload', key, e);
    }
    if (options.keep) return;
    // Keep the file as the cached copy: it is exactly what was uploaded.
    const cached = join(this.cacheDir, key);
    await mkdir(dirname(cached), { recursive: true });
    await rename(localPath, cached);
  }

  async localPath(key: string): Promise<string> {
    checkObjectKey(key);
    const cached = join(this.cacheDir, key);
    if (await exists(cached)) return cached;
    await this.getFile(key, cached);
    return cached;
  }

  async getFile(key: string, dest: string): Promise<void> {
    checkObjectKey(key);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = tempPathFor(dest);
    try {
      const { s3, sdk } = await this.sdk();
      const res = await s3.send(new sdk.GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      await pipeline(res.Body as Readable, createWriteStream(tmp));
      await rename(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw this.error('download', key, e);
    }
  }

  async list(prefix: string): Promise<Array<{ key: string; modifiedAt: number }>> {
    const out: Array<{ key: string; modifiedAt: number }> = [];
    if (prefix !== '') checkObjectKey(prefix.replace(/\/$/, ''));
    const base = this.objectKey('');
    try {
      const { s3, sdk } = await this.sdk();
      let token: string | undefined;
      do {
        const res = await s3.send(new sdk.ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.objectKey(prefix), ContinuationToken: token }));
        for (const o of res.Contents ?? []) {
          if (o.Key) out.push({ key: base ? o.Key.slice(base.length) : o.Key, modifiedAt: o.LastModified?.getTime() ?? 0 });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw this.error('list', prefix, e);
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const k of keys) checkObjectKey(k);
    const { s3, sdk } = await this.sdk();
    let next = 0;
    // One DELETE per object, 8 at a time: DeleteObjects needs checksums not every S3-compatible server accepts.
    const worker = async () => {
      while (next < keys.length) {
        const k = keys[next++]!;
        try {
          await s3.send(new sdk.DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(k) }));
        } catch (e) {
          throw this.error('remove', k, e);
        }
        await rm(join(this.cacheDir, k), { force: true });
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, keys.length) }, worker));
  }

  describe(key: string): string {
    return `s3://${this.config.bucket}/${this.objectKey(key)}`;
  }

  async close(): Promise<void> {
    if (this.client) (await this.client).s3.destroy();
  }

  private error(what: string, key: string, e: unknown): SluiceError {
    return objectStoreError(what, this.describe(key), e);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `{ type: s3, bucket, prefix?, url? }`: a bucket (a name S3 accepts), a prefix that stays a key
 * path (default: the kind's, so kinds sharing a bucket never share keys), the endpoint of an
 * S3-compatible server (default `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, else AWS); the region
 * from `AWS_REGION`, the credentials from the AWS SDK's chain.
 */
export const s3Backend = defineObjectStoreBackend<S3ObjectStoreConfig>({
  type: 's3',
  example: { type: 's3', bucket: 'team-sluice', url: 'http://127.0.0.1:9' },
  fields: () => ['bucket', 'prefix', 'url'],
  settings(field, entry, options) {
    if (!entry.bucket) {
      throw new SluiceError('CONFIG_INVALID', `${field} of type s3 needs a bucket`, {
        location: { field: `${field}.bucket` },
        hint: `e.g. ${field.replace(/^stores\./, 'stores: { ')}: { type: s3, bucket: my-sluice, url: http://127.0.0.1:9000 } }`,
      });
    }
    if (!S3_BUCKET.test(entry.bucket)) {
      throw new SluiceError('CONFIG_INVALID', `${field}.bucket "${entry.bucket}" is not a bucket name`, {
        location: { field: `${field}.bucket` },
        hint: 'bucket names are 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit',
      });
    }
    const endpoint = entry.url ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    if (endpoint !== undefined) checkEndpoint(entry.url !== undefined ? `${field}.url` : 'AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL', endpoint);
    const prefix = (entry.prefix ?? options.defaultPrefix).replace(/^\/+|\/+$/g, '');
    if (prefix !== '') {
      try {
        checkObjectKey(prefix);
      } catch {
        throw new SluiceError('CONFIG_INVALID', `${field}.prefix "${entry.prefix}" is not a key prefix`, {
          location: { field: `${field}.prefix` },
          hint: 'a prefix is a /-separated path inside the bucket, such as team/sluice/reports, without empty, "." or ".." parts',
        });
      }
    }
    return {
      type: 's3',
      bucket: entry.bucket,
      prefix,
      ...(endpoint ? { endpoint } : {}),
      ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
    };
  },
  open: (config, ctx) => new S3ObjectStore(config, ctx.cacheDir),
  describe: (c) => ({ bucket: c.bucket, prefix: c.prefix ?? '', ...(c.endpoint ? { endpoint: c.endpoint } : {}) }),
});

function checkEndpoint(where: string, url: string): void {
  let ok = false;
  try {
    const u = new URL(url);
    ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new SluiceError('CONFIG_INVALID', `${where} "${url}" is not the URL of an S3-compatible server`, {
      location: { field: where },
      hint: 'e.g. http://127.0.0.1:9000 (MinIO) or https://s3.eu-west-1.amazonaws.com; leave it out for AWS',
    });
  }
}
