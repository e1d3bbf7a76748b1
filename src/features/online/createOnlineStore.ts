import { SluiceError } from '../../core/errors.js';
import { openProjectDb, type ProjectDb } from '../../state/openProjectDb.js';
import type { OnlineStore, OnlineStoreConfig } from './OnlineStore.js';
import { RedisOnlineStore } from './RedisOnlineStore.js';
import { SqliteOnlineStore } from './SqliteOnlineStore.js';

export interface OnlineStoreContext {
  /** The project database; the SQLite store lives in it unless a path is given. */
  db?: ProjectDb;
  /** The feature registry is in `db` too (SQLite state; default true): commit and apply are one transaction. */
  registryInDb?: boolean;
  clock?: () => number;
}

/** Backends by short name, as Feast's ONLINE_STORE_CLASS_FOR_TYPE. */
const BACKENDS: Record<OnlineStoreConfig['type'], (config: OnlineStoreConfig, ctx: OnlineStoreContext) => OnlineStore> = {
  sqlite: (config, ctx) => {
    const path = config.type === 'sqlite' ? config.path : undefined;
    if (!path && ctx.db) return new SqliteOnlineStore(ctx.db, { clock: ctx.clock, commitsWithRegistry: ctx.registryInDb ?? true });
    return new SqliteOnlineStore(openProjectDb(path ?? ':memory:'), { clock: ctx.clock, ownsDb: true });
  },
  redis: (config, ctx) => {
    const c = config as Extract<OnlineStoreConfig, { type: 'redis' }>;
    return new RedisOnlineStore({ url: c.url, keyPrefix: c.keyPrefix, clock: ctx.clock });
  },
};

/**
 * Opens the online store a config names.
 *
 * @example
 * const store = createOnlineStore({ type: 'redis', url: 'redis://127.0.0.1:6379' });
 */
export function createOnlineStore(config: OnlineStoreConfig, ctx: OnlineStoreContext = {}): OnlineStore {
  const make = BACKENDS[config.type];
  if (!make) {
    throw new SluiceError('ONLINE_STORE_UNKNOWN', `unknown online store type "${String((config as { type: unknown }).type)}"`, {
      location: { field: 'online.type' },
      hint: `use one of: ${Object.keys(BACKENDS).join(', ')}`,
    });
  }
  return make(config, ctx);
}

/** Parses the CLI's `--online` value: `sqlite` or a `redis://` URL. */
export function parseOnlineOption(value: string | undefined): OnlineStoreConfig {
  if (!value || value === 'sqlite') return { type: 'sqlite' };
  if (/^rediss?:\/\//.test(value)) return { type: 'redis', url: value };
  if (value === 'redis') return { type: 'redis' };
  throw new SluiceError('ONLINE_STORE_UNKNOWN', `--online "${value}" is not an online store`, { hint: 'use sqlite (default) or a redis://host:port URL' });
}
