import { SluiceError } from '../core/errors.js';
import { LocalObjectStore } from './LocalObjectStore.js';
import type { ObjectStore, ObjectStoreConfig } from './ObjectStore.js';
import { S3ObjectStore } from './S3ObjectStore.js';

export interface ObjectStoreContext {
  /** The project's folder for this kind of object (`.sluice/offline`, `.sluice/reports`, ...): a local store's default root. */
  defaultRoot: string;
  /** Local cache of a remote store's files (`.sluice/cache/offline`, ...). */
  cacheDir: string;
  /** The setting that chose the store (`stores.offline`), for errors. */
  field?: string;
}

/** Backends by short name. */
const BACKENDS: Record<ObjectStoreConfig['type'], (config: ObjectStoreConfig, ctx: ObjectStoreContext) => ObjectStore> = {
  local: (config, ctx) => new LocalObjectStore((config.type === 'local' && config.root) || ctx.defaultRoot),
  s3: (config, ctx) => new S3ObjectStore(config as Extract<ObjectStoreConfig, { type: 's3' }>, ctx.cacheDir),
};

/** Opens the object store a config names. */
export function createObjectStore(config: ObjectStoreConfig, ctx: ObjectStoreContext): ObjectStore {
  const make = BACKENDS[config.type];
  if (!make) {
    const field = `${ctx.field ?? 'store'}.type`;
    throw new SluiceError('OBJECT_STORE_UNKNOWN', `${field} "${String((config as { type: unknown }).type)}" is not an object store`, {
      location: { field },
      hint: `use one of: ${Object.keys(BACKENDS).join(', ')}`,
    });
  }
  return make(config, ctx);
}
