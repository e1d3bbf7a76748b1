import { SluiceError } from '../core/errors.js';
import { checkObjectKey } from './objectKey.js';
import type { ObjectStoreConfig } from './ObjectStore.js';

/** A `stores.<kind>` entry of sluice.yaml (src/core/config.ts). */
export interface StoreEntry {
  type: string;
  path?: string | undefined;
  url?: string | undefined;
  bucket?: string | undefined;
  prefix?: string | undefined;
}

/** What a kind of object store accepts. */
export interface ObjectStoreSettingsOptions {
  /** Resolves a setting's path against the project folder. */
  at: (path: string) => string;
  /** Whether `{type: local, path}` may move the folder (the offline store); otherwise a local store is the project's folder. */
  localPath: boolean;
  /** Key prefix when the entry gives none (`reports`): kinds sharing a bucket never share keys. */
  defaultPrefix: string;
  /** The error code of an unknown type (`OBJECT_STORE_UNKNOWN`). */
  unknownCode?: string;
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The object store a `stores.<kind>` entry names, every mistake reported at its setting's path
 * (`stores.reports.bucket`): an unknown type, a field the type does not take, an s3 store without
 * a bucket or with a name S3 refuses, an endpoint that is not an http(s) URL, a prefix that would
 * leave its place. Absent: the local folder. For `s3`, the endpoint defaults to
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` (else AWS), the region to `AWS_REGION`, the
 * credentials to the AWS SDK's chain.
 *
 * @example
 * objectStoreSettings('stores.reports', { type: 's3', bucket: 'team-sluice' }, { at, localPath: false, defaultPrefix: 'reports' })
 */
export function objectStoreSettings(field: string, entry: StoreEntry | undefined, options: ObjectStoreSettingsOptions): ObjectStoreConfig {
  if (!entry) return { type: 'local' };
  if (entry.type !== 'local' && entry.type !== 's3') {
    throw new SluiceError(options.unknownCode ?? 'OBJECT_STORE_UNKNOWN', `${field}.type "${entry.type}" is not an object store`, {
      location: { field: `${field}.type` },
      hint: 'use local (default) or s3',
    });
  }
  const allowed = entry.type === 'local' ? (options.localPath ? ['path'] : []) : ['bucket', 'prefix', 'url'];
  for (const k of ['path', 'url', 'bucket', 'prefix'] as const) {
    if (entry[k] !== undefined && !allowed.includes(k)) {
      throw new SluiceError('CONFIG_INVALID', `${field}.${k} does not apply to a ${entry.type} store`, {
        location: { field: `${field}.${k}` },
        hint: allowed.length
          ? `a ${entry.type} store takes: ${allowed.join(', ')}`
          : 'a local store is the project folder that stateDir (or archive) names: leave path out, or move that folder with stateDir / archive',
      });
    }
  }
  if (entry.type === 'local') return entry.path ? { type: 'local', root: options.at(entry.path) } : { type: 'local' };
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
}

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
