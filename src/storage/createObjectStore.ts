import { SluiceError } from '../core/errors.js';
import type { ObjectStore } from './ObjectStore.js';
import type { ObjectStoreContext } from './ObjectStoreBackend.js';
import { OBJECT_STORE_BACKENDS, type ObjectStoreConfig, objectStoreBackend } from './objectStoreBackends.js';

/** Opens the object store a config names, with the backend of its `type` (`OBJECT_STORE_BACKENDS`). */
export function createObjectStore(config: ObjectStoreConfig, ctx: ObjectStoreContext): ObjectStore {
  const backend = objectStoreBackend(config.type);
  if (!backend) {
    const field = `${ctx.field ?? 'store'}.type`;
    throw new SluiceError('OBJECT_STORE_UNKNOWN', `${field} "${String((config as { type: unknown }).type)}" is not an object store`, {
      location: { field },
      hint: `use one of: ${OBJECT_STORE_BACKENDS.map((b) => b.type).join(', ')}`,
    });
  }
  return backend.open(config, ctx);
}
