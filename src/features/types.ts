/**
 * The feature store's vocabulary. Types follow SageMaker Feature Store (`string`, `integral`,
 * `fractional`) plus `timestamp` and `boolean` as in Feast.
 */
export const FEATURE_TYPES = ['string', 'integral', 'fractional', 'timestamp', 'boolean'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

/** Columns the store adds to every offline row; a feature may not use these names. */
export const RESERVED_NAMES = ['write_time', 'api_invocation_time', 'is_deleted'] as const;

export interface FeatureDefinition {
  name: string;
  type: FeatureType;
}

/** What a caller gives to create a feature group. */
export interface FeatureGroupSpec {
  name: string;
  /** The column that identifies a record (one online record per value). */
  recordIdentifier: string;
  /** The column that says when the record's values became true. */
  eventTime: string;
  /** Every column of the group, the id and event time columns included. */
  features: FeatureDefinition[];
  description?: string;
  tags?: Record<string, string>;
  /** Online records expire at `eventTime + ttlSeconds`; absent: never. */
  ttlSeconds?: number | null;
}

/** One schema change, as recorded in the registry. */
export interface FeatureGroupChange {
  version: number;
  at: string;
  kind: 'created' | 'features_added';
  features: FeatureDefinition[];
}

/** A registered feature group. */
export interface FeatureGroup {
  name: string;
  recordIdentifier: string;
  eventTime: string;
  features: FeatureDefinition[];
  description: string;
  tags: Record<string, string>;
  ttlSeconds: number | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  history: FeatureGroupChange[];
}

/** A record as the online store returns it. */
export interface FeatureRecord {
  group: string;
  id: string;
  /** ISO 8601, UTC. */
  eventTime: string;
  /** ISO 8601, UTC; null when the record never expires. */
  expiresAt: string | null;
  values: Record<string, unknown>;
}

/** DuckDB storage type of a feature type. */
export function featureSqlType(t: FeatureType): string {
  switch (t) {
    case 'integral':
      return 'BIGINT';
    case 'fractional':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'timestamp':
      return 'TIMESTAMP';
    default:
      return 'VARCHAR';
  }
}
