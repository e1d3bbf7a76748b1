import { SluiceError } from '../core/errors.js';
import type { ObjectStoreSettingsOptions, StoreEntry, StoreField } from './ObjectStoreBackend.js';
import { OBJECT_STORE_BACKENDS, type ObjectStoreConfig, objectStoreBackend } from './objectStoreBackends.js';

const STORE_FIELDS: readonly StoreField[] = ['path', 'url', 'bucket', 'prefix'];

/**
 * The object store a `stores.<kind>` entry names, every mistake reported at its setting's path
 * (`stores.reports.bucket`): an unknown type, a field the type does not take, an s3 store without
 * a bucket or with a name S3 refuses, an endpoint that is not an http(s) URL, a prefix that would
 * leave its place (each backend checks its own fields). Absent: the local folder.
 *
 * @example
 * objectStoreSettings('stores.reports', { type: 's3', bucket: 'team-sluice' }, { at, localPath: false, defaultPrefix: 'reports' })
 */
export function objectStoreSettings(field: string, entry: StoreEntry | undefined, options: ObjectStoreSettingsOptions): ObjectStoreConfig {
  if (!entry) return { type: 'local' };
  const backend = objectStoreBackend(entry.type);
  if (!backend) {
    throw new SluiceError(options.unknownCode ?? 'OBJECT_STORE_UNKNOWN', `${field}.type "${entry.type}" is not an object store`, {
      location: { field: `${field}.type` },
      hint: `use ${OBJECT_STORE_BACKENDS.map((b, i) => (i === 0 ? `${b.type} (default)` : b.type)).join(' or ')}`,
    });
  }
  const allowed = backend.fields(options);
  for (const k of STORE_FIELDS) {
    if (entry[k] !== undefined && !allowed.includes(k)) {
      throw new SluiceError('CONFIG_INVALID', `${field}.${k} does not apply to a ${entry.type} store`, {
        location: { field: `${field}.${k}` },
        hint: allowed.length
          ? `a ${entry.type} store takes: ${allowed.join(', ')}`
          : (backend.noFieldsHint ?? `a ${entry.type} store takes no field besides type`),
      });
    }
  }
  return backend.settings(field, entry, options);
}
