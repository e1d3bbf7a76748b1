import { localBackend } from './LocalObjectStore.js';
import type { ObjectStoreBackend } from './ObjectStoreBackend.js';
import { s3Backend } from './S3ObjectStore.js';

/**
 * Every object-store backend, declared once beside its class (`defineObjectStoreBackend`): to add
 * one, write its file and one entry here. The types sluice.yaml's `stores.<kind>` accepts, the
 * parsing of an entry (`objectStoreSettings`), opening a store (`createObjectStore`) and the
 * `ObjectStoreConfig` type derive from this list.
 */
export const OBJECT_STORE_BACKENDS = [localBackend, s3Backend] as const;

/** Settings of an object store, picked by `type`: the union of the backends' settings. */
export type ObjectStoreConfig = (typeof OBJECT_STORE_BACKENDS)[number] extends infer B ? (B extends ObjectStoreBackend<infer C> ? C : never) : never;

/** The backend named `type`, or undefined. */
export function objectStoreBackend(type: string): ObjectStoreBackend<ObjectStoreConfig> | undefined {
  return OBJECT_STORE_BACKENDS.find((b) => b.type === type) as ObjectStoreBackend<ObjectStoreConfig> | undefined;
}
