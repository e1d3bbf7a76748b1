import { SluiceError } from '../../core/errors.js';
import type { ObjectStoreConfig } from '../../storage/objectStoreBackends.js';
import { objectStoreSettings } from '../../storage/objectStoreSettings.js';

/**
 * Parses the CLI's `--offline` value: `local` (default) or `TYPE://bucket/prefix` for a bucket
 * backend (`s3://team-sluice/offline`), checked as sluice.yaml's `stores.offline` is; the endpoint
 * of an S3-compatible server comes from `--s3-endpoint` (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL).
 */
export function parseOfflineOption(value: string | undefined, endpoint?: string): ObjectStoreConfig {
  if (!value || value === 'local') return { type: 'local' };
  const m = /^([a-z0-9]+):\/\/([^/]+)\/?(.*)$/.exec(value);
  if (!m) {
    throw new SluiceError('OFFLINE_STORAGE_UNKNOWN', `--offline "${value}" is not an offline storage`, { hint: 'use local (default) or s3://bucket/prefix' });
  }
  return objectStoreSettings(
    '--offline',
    { type: m[1]!, bucket: m[2]!, prefix: m[3] ?? '', ...(endpoint ? { url: endpoint } : {}) },
    { at: (p) => p, localPath: false, defaultPrefix: '', unknownCode: 'OFFLINE_STORAGE_UNKNOWN' },
  );
}
