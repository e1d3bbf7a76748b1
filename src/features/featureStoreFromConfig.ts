import { isAbsolute, join, resolve } from 'node:path';
import type { SluiceConfig } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import { FeatureStore, type FeatureStoreOptions } from './FeatureStore.js';
import type { OnlineStoreConfig } from './online/OnlineStore.js';
import { stateDirOf, stateFolders } from '../core/projectLayout.js';
import type { ObjectStoreConfig } from '../storage/objectStoreBackends.js';
import { objectStoreSettings } from '../storage/objectStoreSettings.js';
import { openStateDb } from '../state/openStateDb.js';
import { stateSettings } from '../state/stateSettings.js';

/** The parts of sluice.yaml the feature store reads; a partial config (tests, the pipeline's defaults) is fine. */
export type FeatureStoreConfig = Partial<Pick<SluiceConfig, 'stores' | 'stateDir' | 'missingTokens' | 'dateOrder'>>;

/** The project's configuration file, for messages about `stores.state`. */
const CONFIG_FILE = 'sluice.yaml';

type StoreEntry = NonNullable<SluiceConfig['stores']['online']>;

/**
 * The feature store options sluice.yaml's `stores:` and `stateDir` describe, paths resolved from
 * the project folder:
 *
 * | `stores.online` | online store |
 * |---|---|
 * | absent, `{type: sqlite}` | `online_features` in the project database |
 * | `{type: sqlite, path: online.db}` | its own SQLite file |
 * | `{type: redis, url: redis://host:6379, prefix: app:fs:}` | Redis (`prefix` default `sluice:fs:`) |
 *
 * | `stores.offline` | offline store |
 * |---|---|
 * | absent, `{type: local}` | `<stateDir>/offline` |
 * | `{type: local, path: data/offline}` | that folder |
 * | `{type: s3, bucket: b, prefix: p, url: http://minio:9000}` | the bucket; `url` is the endpoint of an S3-compatible server (default `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, else AWS); region from `AWS_REGION`; credentials from the AWS SDK's chain |
 */
export function storesFromConfig(
  projectDir: string,
  config: FeatureStoreConfig = {},
): Required<Pick<FeatureStoreOptions, 'online' | 'offline' | 'stateDir'>> & Pick<FeatureStoreOptions, 'missingTokens' | 'dateOrder'> & { projectDir: string } {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(projectDir, p));
  return {
    projectDir,
    ...(config.missingTokens ? { missingTokens: config.missingTokens } : {}),
    ...(config.dateOrder ? { dateOrder: config.dateOrder } : {}),
    stateDir: stateDirOf(projectDir, config.stateDir),
    online: onlineFromConfig(config.stores?.online, at),
    offline: offlineFromConfig(config.stores?.offline, at),
  };
}

/**
 * Opens the project's feature store with the stores its configuration names (see
 * {@link storesFromConfig}). The pipeline's `ingest_features` and anything else working for a
 * configured project open it here, so every part of the project reads and writes the same stores.
 * The registry is where the project's state is (`stores.state` or `SLUICE_DATABASE_URL`): the
 * project's SQLite file, or PostgreSQL, on the connection given as `overrides.state` (a runtime's,
 * an activity's `ctx.state`) or else a pool opened for this store and closed with it.
 *
 * @example
 * const store = await featureStoreFromConfig(project.root, project.config);
 */
export async function featureStoreFromConfig(
  projectDir: string,
  config: FeatureStoreConfig | undefined,
  overrides: Partial<FeatureStoreOptions> = {},
): Promise<FeatureStore> {
  const options = { ...storesFromConfig(projectDir, config), ...overrides };
  if (options.state?.dialect !== 'postgres') {
    const settings = stateSettings(config?.stores?.state, stateFolders(options.stateDir).db, join(projectDir, CONFIG_FILE));
    if (settings.type === 'postgres') return FeatureStore.open({ ...options, state: await openStateDb(settings, {}), ownsState: true });
  }
  return FeatureStore.open(options);
}

function onlineFromConfig(entry: StoreEntry | undefined, at: (p: string) => string): OnlineStoreConfig {
  if (!entry) return { type: 'sqlite' };
  if (entry.type !== 'sqlite' && entry.type !== 'redis') {
    throw new SluiceError('ONLINE_STORE_UNKNOWN', `stores.online.type "${entry.type}" is not an online store`, {
      location: { field: 'stores.online.type' },
      hint: 'use sqlite (default) or redis',
    });
  }
  refuseFields('online', entry, entry.type === 'sqlite' ? ['path'] : ['url', 'prefix']);
  if (entry.type === 'sqlite') return entry.path ? { type: 'sqlite', path: at(entry.path) } : { type: 'sqlite' };
  if (entry.url !== undefined && !/^rediss?:\/\//.test(entry.url)) {
    throw new SluiceError('CONFIG_INVALID', `stores.online.url "${entry.url}" is not a Redis URL`, {
      location: { field: 'stores.online.url' },
      hint: 'e.g. redis://127.0.0.1:6379 (rediss:// for TLS)',
    });
  }
  return { type: 'redis', ...(entry.url ? { url: entry.url } : {}), ...(entry.prefix ? { keyPrefix: entry.prefix } : {}) };
}

function offlineFromConfig(entry: StoreEntry | undefined, at: (p: string) => string): ObjectStoreConfig {
  return objectStoreSettings('stores.offline', entry, { at, localPath: true, defaultPrefix: '', unknownCode: 'OFFLINE_STORAGE_UNKNOWN' });
}

/** A field that means nothing for the backend is a mistake worth saying (e.g. `url` on a sqlite store). */
function refuseFields(which: 'online', entry: StoreEntry, allowed: string[]): void {
  for (const k of ['path', 'url', 'bucket', 'prefix'] as const) {
    if (entry[k] !== undefined && !allowed.includes(k)) {
      throw new SluiceError('CONFIG_INVALID', `stores.${which}.${k} does not apply to a ${entry.type} store`, {
        location: { field: `stores.${which}.${k}` },
        hint: allowed.length ? `a ${entry.type} store takes: ${allowed.join(', ')}` : `see docs/features.md for the ${which} store types`,
      });
    }
  }
}
