import { SluiceError } from '../../core/errors.js';
import { quoteValue } from '../../core/quoteValue.js';

/**
 * Checks a file key of the offline store (`<group>/event_date=YYYY-MM-DD/<name>.parquet`):
 * relative, `/`-separated, no empty, `.` or `..` part. Every backend checks each key it is
 * handed, so no key can name a file outside the store's folder or its cache.
 */
export function checkOfflineKey(key: string): string {
  const parts = key.split('/');
  if (key.length === 0 || key.includes('\\') || key.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new SluiceError('OFFLINE_STORAGE_BAD_KEY', `${quoteValue(key)} is not a file key of the offline store`, {
      hint: 'keys are relative paths such as <group>/event_date=2024-01-01/<batch>_0.parquet, without empty, "." or ".." parts',
    });
  }
  return key;
}
