import { SluiceError } from '../../core/errors.js';
import type { ObjectStoreConfig } from '../../storage/ObjectStore.js';

/**
 * Parses the CLI's `--offline` value: `local` (default) or `s3://bucket/prefix`; the endpoint
 * of an S3-compatible server comes from `--s3-endpoint` (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL).
 */
export function parseOfflineOption(value: string | undefined, endpoint?: string): ObjectStoreConfig {
  if (!value || value === 'local') return { type: 'local' };
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value);
  if (!m) {
    throw new SluiceError('OFFLINE_STORAGE_UNKNOWN', `--offline "${value}" is not an offline storage`, { hint: 'use local (default) or s3://bucket/prefix' });
  }
  const ep = endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return { type: 's3', bucket: m[1]!, prefix: m[2] ?? '', ...(ep ? { endpoint: ep } : {}) };
}
