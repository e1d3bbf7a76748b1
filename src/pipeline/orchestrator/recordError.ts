import type { SluiceError } from '../../core/errors.js';
import type { RecordedError } from '../events.js';

/** A SluiceError as recorded in the history (never a stack trace, which differs between runs). */
export function recordError(e: SluiceError): RecordedError {
  return {
    code: e.code,
    message: e.message,
    ...(e.hint ? { hint: e.hint } : {}),
    ...(e.retryable || e.code === 'ACTIVITY_FAILED' || e.code === 'INTERNAL' ? {} : { retryable: false }),
  };
}
