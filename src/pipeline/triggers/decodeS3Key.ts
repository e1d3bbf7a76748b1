import { SluiceError } from '../../core/errors.js';
import { quoteValue } from '../../core/quoteValue.js';

/**
 * An object key as S3 event notifications send it (URL-encoded, `+` for a space), decoded. A
 * malformed %-escape (`%zz`, a lone `%E2`) is the sender's error: a 400 naming the record, never
 * a server error.
 *
 * @example
 * decodeS3Key('in/new+batch%2B1.csv', 0) // 'in/new batch+1.csv'
 */
export function decodeS3Key(key: string, record: number): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new SluiceError('S3_EVENT_INVALID', `record ${record}: s3.object.key ${quoteValue(key)} has a malformed %-escape`, {
      httpStatus: 400,
      location: { record, field: 's3.object.key' },
      hint: 'keys are URL-encoded in S3 notifications: each % must start a valid escape such as %20',
    });
  }
}
