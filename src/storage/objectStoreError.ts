import { SluiceError } from '../core/errors.js';

/** The error of an object-store operation that failed (`what` the operation, `where` the object it was on). */
export function objectStoreError(what: string, where: string, e: unknown): SluiceError {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new SluiceError('OBJECT_STORE_ERROR', `could not ${what} ${where}: ${msg}`, {
    hint: 'check the storage exists and is reachable and that this process may read and write it (a bucket, its endpoint and credentials; a folder and its permissions)',
    httpStatus: 502,
    retryable: true,
    cause: e,
  });
}
