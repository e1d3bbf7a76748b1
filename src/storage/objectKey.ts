import { SluiceError } from '../core/errors.js';
import { quoteValue } from '../core/quoteValue.js';

/**
 * Checks the key of an object (`<group>/event_date=YYYY-MM-DD/<name>.parquet`,
 * `<model>/<version>/model.json`): relative, `/`-separated, no empty, `.` or `..` part. Every
 * backend checks each key it is handed, so no key built from names can reach a file outside the
 * store's folder, its prefix in the bucket, or its download cache.
 */
export function checkObjectKey(key: string): string {
  const parts = key.split('/');
  if (key.length === 0 || key.includes('\\') || key.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new SluiceError('OBJECT_STORE_BAD_KEY', `${quoteValue(key)} is not an object key`, {
      hint: 'keys are relative paths such as <group>/event_date=2024-01-01/<batch>_0.parquet or <execution>/report.html, without empty, "." or ".." parts',
    });
  }
  return key;
}
