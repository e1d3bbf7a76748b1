import { createWriteStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SluiceError } from '../core/errors.js';
import { tempPathFor } from '../engine/atomicWriteFile.js';
import { checkObjectKey } from './objectKey.js';
import type { ObjectStore, ObjectStoreConfig } from './ObjectStore.js';
import { objectStoreError } from './objectStoreError.js';

type S3Config = Extract<ObjectStoreConfig, { type: 's3' }>;

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
    private readonly config: S3Config,
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
