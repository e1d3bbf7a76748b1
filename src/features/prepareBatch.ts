import { SluiceError } from '../core/errors.js';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import { featureSqlType, type FeatureDefinition, type FeatureGroup, type FeatureType } from './types.js';

/** A batch checked against its group and normalized into a temporary table of the engine. */
export interface PreparedBatch {
  /** Temporary table: the group's columns in order, then write_time, api_invocation_time, is_deleted. */
  table: string;
  /** Rows of the input. */
  inputRows: number;
  /** Rows kept: one per record id. */
  rows: number;
  /** Rows dropped because a later event time of the same id was in the batch (latest wins). */
  duplicatesDropped: number;
  /** Columns of the input that are not features of the group (not stored). */
  ignoredColumns: string[];
  /** Features of the group absent from the input (stored as null). */
  missingFeatures: string[];
}

export interface PrepareOptions {
  /** Name of the input in messages (a file name). */
  displayName?: string;
  writeTime: Date;
  apiInvocationTime: Date;
  /** Marks every row as a deletion (features other than id and event time become null). */
  deleted?: boolean;
}

interface Fit {
  /** SQL of the value converted to the feature's type. */
  expr: string;
  /** SQL that is true for a value that does not fit (or null when every value fits). */
  bad: string | null;
}

/**
 * Checks a batch (any relation of the engine) against a feature group and writes it, normalized,
 * to a temporary table: the id and event time columns must exist, every id must be present,
 * every event time must parse, every value must fit its feature's type. Within the batch the
 * latest event time of each id wins (on a tie, the later row). Nothing is written anywhere on
 * error: the checks run before the temporary table is made.
 */
export async function prepareBatch(engine: Engine, source: string, group: FeatureGroup, options: PrepareOptions): Promise<PreparedBatch> {
  const file = options.displayName;
  const columns = await engine.describe(source);
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const idCol = byName.get(group.recordIdentifier.toLowerCase());
  if (!idCol) {
    throw new SluiceError('BATCH_ID_COLUMN_MISSING', `the batch for "${group.name}" has no record identifier column "${group.recordIdentifier}"`, {
      location: { file, field: group.recordIdentifier },
      hint: `its columns are: ${columns.map((c) => c.name).join(', ')}; add or rename the id column in SQL`,
    });
  }
  const etCol = byName.get(group.eventTime.toLowerCase());
  if (!etCol) {
    throw new SluiceError('BATCH_EVENT_TIME_MISSING', `the batch for "${group.name}" has no event time column "${group.eventTime}"`, {
      location: { file, field: group.eventTime },
      hint: `its columns are: ${columns.map((c) => c.name).join(', ')}; add one in SQL, e.g. now() AS ${group.eventTime}`,
    });
  }

  const fits = new Map<string, Fit>();
  const missingFeatures: string[] = [];
  for (const f of group.features) {
    const col = byName.get(f.name.toLowerCase());
    if (!col) {
      missingFeatures.push(f.name);
      continue;
    }
    fits.set(f.name, fitColumn(col, f, group.name, file));
  }
  const featureNames = new Set(group.features.map((f) => f.name.toLowerCase()));
  const ignoredColumns = columns.filter((c) => !featureNames.has(c.name.toLowerCase())).map((c) => c.name);

  // One pass over the data finds every problem; the first bad row of each is reported.
  const numbered = `(SELECT *, row_number() OVER () AS __row FROM ${quoteIdent(source)})`;
  const checks: Array<{ field: string; bad: string; what: string; hint: string }> = [
    {
      field: idCol.name,
      bad: `${quoteIdent(idCol.name)} IS NULL`,
      what: 'has no record identifier',
      hint: 'every record needs an id; filter or fill missing ids in SQL',
    },
  ];
  const etFit = fits.get(group.eventTime) ?? fitColumn(etCol, { name: group.eventTime, type: 'timestamp' }, group.name, file);
  checks.push({
    field: etCol.name,
    bad: `(${quoteIdent(etCol.name)} IS NULL OR ${etFit.bad ?? 'false'})`,
    what: 'has an event time that is missing or cannot be read as a timestamp',
    hint: 'write event times as ISO 8601 (2024-05-01T12:00:00Z), a SQL timestamp, or epoch seconds',
  });
  for (const [name, fit] of fits) {
    if (name === group.eventTime || !fit.bad) continue;
    const f = group.features.find((x) => x.name === name)!;
    checks.push({
      field: byName.get(name.toLowerCase())!.name,
      bad: fit.bad,
      what: `has a value of "${name}" that does not fit its feature type ${f.type}`,
      hint: 'fix the value, or cast the column in SQL; a feature keeps its type for life (add a new feature for another type)',
    });
  }
  const selects = checks.flatMap((c, i) => [
    `count(*) FILTER (WHERE ${c.bad}) AS n${i}`,
    `min(__row) FILTER (WHERE ${c.bad}) AS r${i}`,
    `arg_min(CAST(${quoteIdent(c.field)} AS VARCHAR), __row) FILTER (WHERE ${c.bad}) AS v${i}`,
  ]);
  const [stats] = await engine.query(`SELECT count(*) AS total, ${selects.join(', ')} FROM ${numbered}`);
  const inputRows = Number(stats?.total ?? 0);
  if (inputRows === 0) {
    throw new SluiceError('BATCH_EMPTY', `the batch for "${group.name}" has no rows`, { location: { file }, hint: 'check the upstream step produced rows' });
  }
  for (let i = 0; i < checks.length; i++) {
    const n = Number(stats?.[`n${i}`] ?? 0);
    if (n === 0) continue;
    const c = checks[i]!;
    const row = Number(stats?.[`r${i}`]);
    const value = stats?.[`v${i}`];
    throw new SluiceError(
      'BATCH_INVALID',
      `row ${row} ${c.what}${value == null ? '' : ` (value "${String(value)}")`}; ${n} row(s) in all, nothing was written`,
      {
        location: { file, field: c.field, record: row - 1 },
        hint: c.hint,
      },
    );
  }

  const projections = group.features.map((f) => {
    const fit = fits.get(f.name);
    const keep = !options.deleted || f.name === group.recordIdentifier || f.name === group.eventTime;
    const expr = fit && keep ? fit.expr : `CAST(NULL AS ${featureSqlType(f.type)})`;
    return `${expr} AS ${quoteIdent(f.name)}`;
  });
  const ts = (d: Date) => `TIMESTAMP ${quoteLiteral(d.toISOString().replace('T', ' ').replace('Z', ''))}`;
  const table = engine.tempName('fs_batch');
  await engine.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} AS
    SELECT ${projections.join(', ')}, ${ts(options.writeTime)} AS write_time, ${ts(options.apiInvocationTime)} AS api_invocation_time,
      ${options.deleted ? 'TRUE' : 'FALSE'} AS is_deleted
    FROM ${numbered}
    QUALIFY row_number() OVER (PARTITION BY ${quoteIdent(idCol.name)} ORDER BY ${etFit.expr} DESC, __row DESC) = 1
    ORDER BY CAST(${quoteIdent(idCol.name)} AS VARCHAR)`);
  const rows = await engine.count(table);
  // (Rows are in id order: the online stores' inserts then walk their B-tree sequentially.)
  return { table, inputRows, rows, duplicatesDropped: inputRows - rows, ignoredColumns, missingFeatures };
}

/**
 * How a column of the data converts to a feature type, and which values do not fit. A column
 * whose type can never fit (a boolean as a timestamp) is refused before any value is read.
 */
export function fitColumn(col: ColumnSchema, f: FeatureDefinition, group: string, file?: string): Fit {
  const c = quoteIdent(col.name);
  const text = `NULLIF(trim(CAST(${c} AS VARCHAR)), '')`;
  const tryText = (sqlType: string): Fit => ({
    expr: `try_cast(${text} AS ${sqlType})`,
    bad: `(${text} IS NOT NULL AND try_cast(${text} AS ${sqlType}) IS NULL)`,
  });
  const src = col.type;
  const t: FeatureType = f.type;
  if (t === 'string') return { expr: `CAST(${c} AS VARCHAR)`, bad: null };
  if (t === 'integral') {
    if (src === 'integer') return { expr: `CAST(${c} AS BIGINT)`, bad: `(${c} IS NOT NULL AND try_cast(${c} AS BIGINT) IS NULL)` };
    if (src === 'float')
      return { expr: `CAST(${c} AS BIGINT)`, bad: `(${c} IS NOT NULL AND (NOT isfinite(${c}) OR ${c} <> trunc(${c}) OR try_cast(${c} AS BIGINT) IS NULL))` };
    if (src === 'string') return tryText('BIGINT');
  }
  if (t === 'fractional') {
    if (src === 'integer' || src === 'float') return { expr: `CAST(${c} AS DOUBLE)`, bad: null };
    if (src === 'string') return tryText('DOUBLE');
  }
  if (t === 'boolean') {
    if (src === 'boolean') return { expr: c, bad: null };
    if (src === 'string') return tryText('BOOLEAN');
  }
  if (t === 'timestamp') {
    if (src === 'timestamp' || src === 'date') return { expr: `CAST(${c} AS TIMESTAMP)`, bad: null };
    // Text with an offset (Z, +02:00) is read as an instant and stored in UTC.
    if (src === 'string')
      return { expr: `CAST(try_cast(${text} AS TIMESTAMPTZ) AS TIMESTAMP)`, bad: `(${text} IS NOT NULL AND try_cast(${text} AS TIMESTAMPTZ) IS NULL)` };
    if (src === 'integer' || src === 'float') {
      // Numbers are epoch seconds, as SageMaker Feature Store's fractional event times.
      return { expr: `CAST(to_timestamp(CAST(${c} AS DOUBLE)) AS TIMESTAMP)`, bad: `(${c} IS NOT NULL AND NOT isfinite(CAST(${c} AS DOUBLE)))` };
    }
  }
  throw new SluiceError(
    'FEATURE_TYPE_MISMATCH',
    `column "${col.name}" holds ${src} values (${col.sqlType ?? src}), which do not fit feature "${f.name}" of type ${t} in "${group}"`,
    {
      location: { file, field: col.name },
      hint: `cast the column in SQL to a ${t} value, or define the feature with a type that fits`,
    },
  );
}
