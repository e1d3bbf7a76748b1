import type { LogicalType } from '../core/types.js';
import type { FeatureType } from './reportSchema.js';

/** Mean text length from which a string column with mostly unique values is free text. */
const TEXT_MIN_MEAN_LENGTH = 30;

/**
 * The feature type a reader and a model care about, from the storage type and the data:
 * two distinct values make a `binary` column whatever its storage; numbers are `numeric`;
 * dates and timestamps `datetime`; long, mostly unique strings `text`; other strings `categorical`.
 */
export function classifyColumn(storage: LogicalType, distinct: number, nonMissing: number, meanLength: number | null): FeatureType {
  if (storage === 'date' || storage === 'timestamp') return 'datetime';
  if (storage === 'boolean' || distinct === 2) return 'binary';
  if (storage === 'integer' || storage === 'float') return 'numeric';
  if (meanLength !== null && meanLength >= TEXT_MIN_MEAN_LENGTH && distinct > 0.5 * nonMissing) return 'text';
  return 'categorical';
}
