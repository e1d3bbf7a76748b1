import { SluiceError } from '../core/errors.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import type { FeatureRegistry } from './FeatureRegistry.js';
import type { OfflineStore } from './OfflineStore.js';
import { fitColumn } from './prepareBatch.js';
import { featureSqlType } from './types.js';

/** Features of one group to join: `GROUP:feat1,feat2` on the command line. */
export interface DatasetFeatureRef {
  group: string;
  /** Empty: every feature except the id and event time columns. */
  features: string[];
}

export interface DatasetOptions {
  /** A relation of the engine with one row per training example. */
  entities: string;
  features: DatasetFeatureRef[];
  /** The entities' timestamp column; default `event_time`, else the only timestamp column. */
  timeColumn?: string;
  /**
   * Values older than this many seconds at the entity's timestamp are left out (null).
   * Absent: each group's own TTL; null: no bound.
   */
  ttlSeconds?: number | null;
  /** Keep values from before a deletion (by default a deleted record has no values after its deletion). */
  includeDeleted?: boolean;
}

/** Parses `GROUP:feat1,feat2` (or `GROUP` for all its features). */
export function parseFeatureRef(text: string): DatasetFeatureRef {
  const [group, list = ''] = text.split(':', 2);
  if (!group) {
    throw new SluiceError('DATASET_FEATURES_INVALID', `"${text}" is not GROUP:feature1,feature2`, {
      location: { field: 'features' },
      hint: 'e.g. --features patients:age,num_procedures',
    });
  }
  return {
    group,
    features: list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/**
 * SQL of a point-in-time-correct training set. For each entity row and each group, DuckDB's
 * ASOF JOIN picks the group's record with the same id and the latest event time at or before
 * the row's timestamp: never a later one, so no value from the future leaks into training.
 * History rows with the same id and event time are reduced to the last written; a deletion hides
 * the record from its event time on; a TTL bound nulls values that are too old. Entity rows keep
 * their order and every entity column.
 */
export async function datasetSql(engine: Engine, registry: FeatureRegistry, offline: OfflineStore, options: DatasetOptions): Promise<string> {
  if (options.features.length === 0) {
    throw new SluiceError('DATASET_FEATURES_MISSING', 'no features were asked for', {
      location: { field: 'features' },
      hint: 'pass --features GROUP:feat1,feat2',
    });
  }
  const cols = await engine.describe(options.entities);
  const byName = new Map(cols.map((c) => [c.name.toLowerCase(), c]));
  const timeCol = options.timeColumn
    ? byName.get(options.timeColumn.toLowerCase())
    : (byName.get('event_time') ?? (cols.filter((c) => c.type === 'timestamp').length === 1 ? cols.find((c) => c.type === 'timestamp') : undefined));
  if (!timeCol) {
    throw new SluiceError(
      'DATASET_TIME_COLUMN_MISSING',
      options.timeColumn
        ? `the entities have no column "${options.timeColumn}"`
        : 'the entities have no event_time column (and not exactly one timestamp column)',
      {
        location: { field: options.timeColumn ?? 'event_time' },
        hint: `pass --time-column; the entity columns are: ${cols.map((c) => c.name).join(', ')}`,
      },
    );
  }
  const tsFit = fitColumn(timeCol, { name: timeCol.name, type: 'timestamp' }, 'entities');
  const [bad] = await engine.query(
    `SELECT count(*) AS n, min(__row) AS r FROM (SELECT *, row_number() OVER () AS __row FROM ${quoteIdent(options.entities)}) WHERE ${quoteIdent(timeCol.name)} IS NULL OR ${tsFit.bad ?? 'false'}`,
  );
  if (Number(bad?.n ?? 0) > 0) {
    throw new SluiceError(
      'DATASET_TIME_INVALID',
      `entity row ${String(bad?.r)} has a timestamp that is missing or cannot be read (${String(bad?.n)} row(s) in all)`,
      {
        location: { field: timeCol.name, record: Number(bad?.r) - 1 },
        hint: 'write timestamps as ISO 8601 (2024-05-01T12:00:00Z)',
      },
    );
  }

  const taken = new Set(cols.map((c) => c.name.toLowerCase()));
  const keys: string[] = [];
  const ctes: string[] = [];
  const joins: string[] = [];
  const outputs: string[] = [];
  for (const [gi, ref] of options.features.entries()) {
    const group = await registry.get(ref.group);
    const idCol = byName.get(group.recordIdentifier.toLowerCase());
    if (!idCol) {
      throw new SluiceError('DATASET_ID_COLUMN_MISSING', `the entities have no column "${group.recordIdentifier}", the record identifier of "${group.name}"`, {
        location: { field: group.recordIdentifier },
        hint: `add or rename it in the entities file; its columns are: ${cols.map((c) => c.name).join(', ')}`,
      });
    }
    const wanted = ref.features.length
      ? ref.features.map((name) => {
          const f = group.features.find((x) => x.name.toLowerCase() === name.toLowerCase());
          if (!f) {
            throw new SluiceError('FEATURE_UNKNOWN', `feature group "${group.name}" has no feature "${name}"`, {
              location: { field: `features.${group.name}` },
              hint: `its features are: ${group.features.map((x) => x.name).join(', ')}`,
            });
          }
          return f;
        })
      : group.features.filter((f) => f !== undefined && f.name !== group.recordIdentifier && f.name !== group.eventTime);
    const idType = group.features.find((f) => f.name === group.recordIdentifier)!.type;
    const k = `__k${gi}`;
    const g = `__g${gi}`;
    keys.push(`try_cast(${quoteIdent(idCol.name)} AS ${featureSqlType(idType)}) AS ${k}`);
    const files = await offline.localFiles((await registry.batches(group.name)).flatMap((b) => b.files));
    const cols2 = wanted.map((f) => quoteIdent(f.name)).join(', ');
    ctes.push(`${g} AS (SELECT ${quoteIdent(group.recordIdentifier)} AS __id, ${quoteIdent(group.eventTime)} AS __t, is_deleted AS __del${cols2 ? `, ${cols2}` : ''}
      FROM (${offline.historySql(group, files)})
      ${options.includeDeleted ? 'WHERE NOT is_deleted' : ''}
      QUALIFY row_number() OVER (PARTITION BY ${quoteIdent(group.recordIdentifier)}, ${quoteIdent(group.eventTime)} ORDER BY write_time DESC, api_invocation_time DESC, is_deleted DESC) = 1)`);
    joins.push(`ASOF LEFT JOIN ${g} ON __e.${k} = ${g}.__id AND __e.__ts >= ${g}.__t`);
    const ttl = options.ttlSeconds === undefined ? group.ttlSeconds : options.ttlSeconds;
    const hidden = [`${g}.__del`, ...(ttl ? [`__e.__ts - ${g}.__t > INTERVAL ${Math.floor(ttl)} SECOND`] : [])].join(' OR ');
    for (const f of wanted) {
      let out = f.name;
      if (taken.has(out.toLowerCase())) out = `${group.name}__${f.name}`;
      taken.add(out.toLowerCase());
      outputs.push(`CASE WHEN ${hidden} THEN NULL ELSE ${g}.${quoteIdent(f.name)} END AS ${quoteIdent(out)}`);
    }
  }
  return `WITH __e AS (SELECT *, row_number() OVER () AS __row, ${tsFit.expr} AS __ts, ${keys.join(', ')} FROM ${quoteIdent(options.entities)}),
    ${ctes.join(',\n    ')}
    SELECT ${cols.map((c) => `__e.${quoteIdent(c.name)}`).join(', ')}, ${outputs.join(', ')}
    FROM __e ${joins.join(' ')}
    ORDER BY __e.__row`;
}
