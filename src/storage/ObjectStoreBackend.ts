import type { ObjectStore } from './ObjectStore.js';

/** A `stores.<kind>` entry of sluice.yaml (src/core/config.ts): the fields any backend may take. */
export interface StoreEntry {
  type: string;
  path?: string | undefined;
  url?: string | undefined;
  bucket?: string | undefined;
  prefix?: string | undefined;
}

/** The fields of a `stores.<kind>` entry besides `type`. */
export type StoreField = Exclude<keyof StoreEntry, 'type'>;

/** What a kind of object store accepts (`stores.offline`, `stores.reports`, ...). */
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

/** Where an opened store keeps its files locally. */
export interface ObjectStoreContext {
  /** The project's folder for this kind of object (`.sluice/offline`, `.sluice/reports`, ...): a local store's default root. */
  defaultRoot: string;
  /** Local cache of a remote store's files (`.sluice/cache/offline`, ...). */
  cacheDir: string;
  /** The setting that chose the store (`stores.offline`), for errors. */
  field?: string;
}

/**
 * An object-store backend, declared once beside its class: its `type` in sluice.yaml, the entry
 * fields it takes, how an entry becomes its settings (each mistake reported at its setting's
 * path, e.g. `stores.reports.bucket`), and how its settings open a store. The list of backends is
 * `OBJECT_STORE_BACKENDS` (objectStoreBackends.ts); `objectStoreSettings`, `createObjectStore` and
 * the `ObjectStoreConfig` type derive from it.
 */
export interface ObjectStoreBackend<C extends { type: string }> {
  type: C['type'];
  /** A `stores.<kind>` entry that opens a store of this backend without connecting anywhere (test/storage/objectStoreBackends.test.ts opens each). */
  example: StoreEntry;
  /** The entry fields it takes (`bucket`, `prefix`, `url`); others are refused, naming these. */
  fields(options: ObjectStoreSettingsOptions): readonly StoreField[];
  /** The hint when it takes no field and an entry gives one (default: it takes none besides type). */
  noFieldsHint?: string;
  /** Its settings from a checked entry (only `fields` present); `field` is the setting's path (`stores.reports`). */
  settings(field: string, entry: StoreEntry, options: ObjectStoreSettingsOptions): C;
  open(config: C, ctx: ObjectStoreContext): ObjectStore;
  /**
   * Where a store of this backend keeps its files, as a backup manifest records it (`sluice
   * backup`: `stores.offline`): plain strings, never a secret. Absent: the type alone.
   */
  describe?(config: C): Record<string, string>;
}

/** Declares a backend; the compiler holds `settings` and `open` to one settings type. */
export function defineObjectStoreBackend<C extends { type: string }>(backend: ObjectStoreBackend<C>): ObjectStoreBackend<C> {
  return backend;
}
