import { SluiceError } from '../core/errors.js';
import { RESERVED_COLUMN_NAME, RESERVED_COLUMN_REASON } from '../core/reservedColumnName.js';
import type { ColumnSchema, LogicalType } from '../core/types.js';
import { FEATURE_TYPES, RESERVED_NAMES, type FeatureDefinition, type FeatureGroupSpec, type FeatureType } from './types.js';

/** Group names become SQL view names and folder names, so they are plain identifiers. */
const GROUP_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/**
 * Checks a feature group definition and returns it normalized (defaults filled in). Throws a
 * SluiceError naming the field at fault: a bad group name, a reserved or duplicate feature
 * name, a missing record identifier or event time column, an unknown type, a bad TTL.
 */
export function validateGroupSpec(spec: FeatureGroupSpec): Required<FeatureGroupSpec> {
  if (typeof spec.name !== 'string' || !GROUP_NAME.test(spec.name)) {
    throw new SluiceError('FEATURE_GROUP_NAME_INVALID', `feature group name "${spec.name}" is not valid`, {
      location: { field: 'name' },
      hint: 'use a letter followed by letters, digits or underscores (at most 63 characters); it becomes a SQL view name',
    });
  }
  if (/_latest$/i.test(spec.name)) {
    throw new SluiceError('FEATURE_GROUP_NAME_INVALID', `feature group name "${spec.name}" ends in _latest, which is kept for the latest-snapshot views`, {
      location: { field: 'name' },
      hint: 'choose a name that does not end in _latest',
    });
  }
  if (!Array.isArray(spec.features) || spec.features.length === 0) {
    throw new SluiceError('FEATURE_GROUP_NO_FEATURES', `feature group "${spec.name}" has no feature definitions`, {
      location: { field: 'features' },
      hint: 'list the columns of the group, or create it from a data file (--from FILE)',
    });
  }
  const seen = new Map<string, string>();
  spec.features.forEach((f, i) => {
    validateDefinition(f, i, seen);
  });

  const byName = new Map(spec.features.map((f) => [f.name.toLowerCase(), f]));
  const id = byName.get(String(spec.recordIdentifier).toLowerCase());
  if (!spec.recordIdentifier || !id) {
    throw new SluiceError('FEATURE_GROUP_ID_MISSING', `record identifier column "${spec.recordIdentifier ?? ''}" is not among the features of "${spec.name}"`, {
      location: { field: 'recordIdentifier' },
      hint: `pick one of: ${spec.features.map((f) => f.name).join(', ')}; or add an id column to the data in SQL`,
    });
  }
  if (id.type !== 'string' && id.type !== 'integral') {
    throw new SluiceError('FEATURE_GROUP_ID_TYPE', `record identifier "${id.name}" is ${id.type}; it must be string or integral`, {
      location: { field: 'recordIdentifier' },
      hint: 'ids are compared exactly; cast the column to a string or an integer',
    });
  }
  const et = byName.get(String(spec.eventTime).toLowerCase());
  if (!spec.eventTime || !et) {
    throw new SluiceError('FEATURE_GROUP_EVENT_TIME_MISSING', `event time column "${spec.eventTime ?? ''}" is not among the features of "${spec.name}"`, {
      location: { field: 'eventTime' },
      hint: 'every record needs the time its values became true; add a timestamp column (e.g. in SQL: now() AS event_time)',
    });
  }
  if (et.type !== 'timestamp') {
    throw new SluiceError('FEATURE_GROUP_EVENT_TIME_TYPE', `event time column "${et.name}" is ${et.type}; it must be a timestamp`, {
      location: { field: 'eventTime' },
      hint: 'declare it as timestamp; ISO 8601 strings in the data are parsed on ingestion',
    });
  }
  if (et.name.toLowerCase() === id.name.toLowerCase()) {
    throw new SluiceError('FEATURE_GROUP_EVENT_TIME_IS_ID', `the record identifier and the event time are the same column "${id.name}"`, {
      location: { field: 'eventTime' },
      hint: 'use two different columns',
    });
  }
  const ttl = spec.ttlSeconds ?? null;
  if (ttl !== null && (!Number.isInteger(ttl) || ttl <= 0)) {
    throw new SluiceError('FEATURE_GROUP_TTL_INVALID', `ttlSeconds must be a positive whole number of seconds, got ${String(ttl)}`, {
      location: { field: 'ttlSeconds' },
      hint: 'leave it out for records that never expire',
    });
  }
  const tags = spec.tags ?? {};
  for (const [k, v] of Object.entries(tags)) {
    if (typeof v !== 'string' || k.length === 0) {
      throw new SluiceError('FEATURE_GROUP_TAG_INVALID', `tag "${k}" must have a non-empty key and a string value`, {
        location: { field: `tags.${k}` },
        hint: 'write tags as key=value',
      });
    }
  }
  return {
    name: spec.name,
    recordIdentifier: id.name,
    eventTime: et.name,
    features: spec.features.map((f) => ({ name: f.name, type: f.type })),
    description: spec.description ?? '',
    tags,
    ttlSeconds: ttl,
  };
}

/** Checks one definition; `seen` maps lower-cased names (DuckDB identifiers ignore case). */
export function validateDefinition(f: FeatureDefinition, index: number, seen: Map<string, string>): void {
  const field = `features[${index}]`;
  if (!f || typeof f.name !== 'string' || f.name.length === 0 || f.name.length > 128 || /[\u0000-\u001f]/.test(f.name)) {
    throw new SluiceError('FEATURE_NAME_INVALID', `feature ${index + 1} has no valid name`, {
      location: { field },
      hint: 'a feature name is 1 to 128 printable characters',
    });
  }
  const lower = f.name.toLowerCase();
  if ((RESERVED_NAMES as readonly string[]).includes(lower)) {
    throw new SluiceError('FEATURE_NAME_RESERVED', `feature name "${f.name}" is reserved: the store adds ${RESERVED_NAMES.join(', ')} to every record`, {
      location: { field: `${field}.name` },
      hint: `rename the column (e.g. in SQL: ${f.name} AS source_${lower})`,
    });
  }
  if (f.name === RESERVED_COLUMN_NAME) {
    throw new SluiceError('FEATURE_NAME_RESERVED', `feature name "${f.name}" is reserved: ${RESERVED_COLUMN_REASON}`, {
      location: { field: `${field}.name` },
      hint: `rename the column (e.g. in SQL: "${f.name}" AS proto)`,
    });
  }
  if (lower === 'event_date') {
    throw new SluiceError('FEATURE_NAME_RESERVED', 'feature name "event_date" is reserved: it names the offline partitions', {
      location: { field: `${field}.name` },
      hint: 'rename the column',
    });
  }
  if (seen.has(lower)) {
    throw new SluiceError('FEATURE_NAME_DUPLICATE', `feature "${f.name}" is defined twice (names are case-insensitive, like SQL columns)`, {
      location: { field: `${field}.name` },
      hint: 'give each feature a distinct name',
    });
  }
  seen.set(lower, f.name);
  if (!(FEATURE_TYPES as readonly string[]).includes(f.type)) {
    throw new SluiceError('FEATURE_TYPE_UNKNOWN', `feature "${f.name}" has unknown type "${String(f.type)}"`, {
      location: { field: `${field}.type` },
      hint: `use one of: ${FEATURE_TYPES.join(', ')}`,
    });
  }
}

/** The feature type a column of a table becomes when a group is created from it. */
export function featureTypeOf(t: LogicalType): FeatureType {
  switch (t) {
    case 'integer':
      return 'integral';
    case 'float':
      return 'fractional';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'timestamp':
      return 'timestamp';
    default:
      return 'string';
  }
}

/**
 * Builds a group spec from a table's schema (`engine.describe`): every column becomes a feature
 * of the matching type; the event time column is declared a timestamp even when the data holds
 * it as text (it is parsed, and checked, on ingestion).
 */
export function groupSpecFromSchema(columns: readonly ColumnSchema[], options: Omit<FeatureGroupSpec, 'features'> & { exclude?: string[] }): FeatureGroupSpec {
  const exclude = new Set((options.exclude ?? []).map((c) => c.toLowerCase()));
  const features = columns
    .filter((c) => !exclude.has(c.name.toLowerCase()))
    .map((c) => ({
      name: c.name,
      type: c.name.toLowerCase() === String(options.eventTime).toLowerCase() ? ('timestamp' as const) : featureTypeOf(c.type),
    }));
  const { exclude: _ignored, ...rest } = options;
  return { ...rest, features };
}
