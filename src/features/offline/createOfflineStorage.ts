import { SluiceError } from '../../core/errors.js';
import { LocalOfflineStorage } from './LocalOfflineStorage.js';
import type { OfflineStorage, OfflineStorageConfig } from './OfflineStorage.js';
import { S3OfflineStorage } from './S3OfflineStorage.js';

export interface OfflineStorageContext {
  /** The project's default offline folder (`.sluice/offline`). */
  defaultRoot: string;
  /** Local cache of a remote store's files (`.sluice/cache/offline`). */
  cacheDir: string;
}

/** Backends by short name. */
const BACKENDS: Record<OfflineStorageConfig['type'], (config: OfflineStorageConfig, ctx: OfflineStorageContext) => OfflineStorage> = {
  local: (config, ctx) => new LocalOfflineStorage((config.type === 'local' && config.root) || ctx.defaultRoot),
  s3: (config, ctx) => new S3OfflineStorage(config as Extract<OfflineStorageConfig, { type: 's3' }>, ctx.cacheDir),
};

/** Opens the offline storage a config names. */
export function createOfflineStorage(config: OfflineStorageConfig, ctx: OfflineStorageContext): OfflineStorage {
  const make = BACKENDS[config.type];
  if (!make) {
    throw new SluiceError('OFFLINE_STORAGE_UNKNOWN', `unknown offline storage type "${String((config as { type: unknown }).type)}"`, {
      location: { field: 'offline.type' },
      hint: `use one of: ${Object.keys(BACKENDS).join(', ')}`,
    });
  }
  return make(config, ctx);
}

/**
 * Parses the CLI's `--offline` value: `local` (default) or `s3://bucket/prefix`; the endpoint
 * of an S3-compatible server comes from `--s3-endpoint` (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL).
 */
export function parseOfflineOption(value: string | undefined, endpoint?: string): OfflineStorageConfig {
  if (!value || value === 'local') return { type: 'local' };
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value);
  if (!m) {
    throw new SluiceError('OFFLINE_STORAGE_UNKNOWN', `--offline "${value}" is not an offline storage`, { hint: 'use local (default) or s3://bucket/prefix' });
  }
  const ep = endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return { type: 's3', bucket: m[1]!, prefix: m[2] ?? '', ...(ep ? { endpoint: ep } : {}) };
}
