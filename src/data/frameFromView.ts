/**
 * The bridge from DuckDB to `src/ml`: reads columns of a view into the typed-array frame the
 * learners use. Shared by the insights report's quick model (`profile/`) and training
 * (`training/`), so both see the same encoding. May import core, engine and ml.
 */
import type { Engine } from '../engine/Engine.js';
import type { ColumnReadKind } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import type { Feature, Frame } from '../ml/frame.js';

/** Categorical levels kept per feature; rarer values share one "other" level. */
export const MAX_LEVELS = 254;
/** The level that rare values share beyond {@link MAX_LEVELS}. */
export const OTHER_LEVEL = '\u0000other';

/** A column to load as a feature: numbers as `numeric`, anything else as `categorical` (text). */
export interface FrameColumn {
  name: string;
  kind: 'numeric' | 'categorical';
}

export interface FrameFromViewOptions {
  features: FrameColumn[];
  /** The target column and how to read it; rows where it is NULL are left out. */
  target?: { column: string; cast: 'DOUBLE' | 'VARCHAR' };
  /** Further columns returned as read (e.g. a record id), not features. */
  extra?: string[];
  /** Above this many rows a seeded reservoir sample is taken, so memory stays bounded. */
  maxRows?: number;
}

export interface ViewFrame {
  frame: Frame;
  /** The target values of the frame's rows (numbers or text, per its cast). */
  targetValues?: Array<string | number>;
  /** The values of each `extra` column, in the frame's row order. */
  extra: unknown[][];
  /** Rows of the view (with a target value, when a target is given), before sampling. */
  rows: number;
  sampled: boolean;
}

/**
 * Loads features (and optionally a target) from a view into a frame: `NaN` / `-1` for missing
 * values, categorical levels in order of first appearance (beyond {@link MAX_LEVELS} the rarest
 * share {@link OTHER_LEVEL}). Rows keep the view's order unless sampled.
 *
 * @example
 * const { frame, targetValues } = await frameFromView(engine, 'data', {
 *   features: [{ name: 'age', kind: 'numeric' }, { name: 'race', kind: 'categorical' }],
 *   target: { column: 'readmitted', cast: 'VARCHAR' },
 * });
 */
export async function frameFromView(engine: Engine, view: string, options: FrameFromViewOptions): Promise<ViewFrame> {
  const { features, target } = options;
  const extra = options.extra ?? [];
  const where = target ? ` WHERE ${quoteIdent(target.column)} IS NOT NULL` : '';
  const [{ n = 0 } = {}] = await engine.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(view)}${where}`);
  const rows = Number(n);
  const sampled = options.maxRows !== undefined && rows > options.maxRows;
  const select = [
    ...features.map((c, i) => `${quoteIdent(c.name)}::${c.kind === 'numeric' ? 'DOUBLE' : 'VARCHAR'} AS f${i}`),
    ...extra.map((c, i) => `${quoteIdent(c)} AS x${i}`),
    ...(target ? [`${quoteIdent(target.column)}::${target.cast} AS y`] : []),
  ];
  const sample = sampled ? ` USING SAMPLE reservoir(${options.maxRows} ROWS) REPEATABLE (42)` : '';
  // One materialized copy with each row's position: the view (a flow's chain of steps) runs
  // once, and the levels and the codes below are read from the same rows in the same order.
  const table = engine.tempName('frame');
  const t = quoteIdent(table);
  await engine.exec(
    `CREATE TEMP TABLE ${t} AS SELECT *, row_number() OVER () AS __rn FROM (SELECT ${select.join(', ') || '1 AS one'} FROM ${quoteIdent(view)}${where}${sample})`,
  );
  try {
    const categorical = features.map((c, i) => (c.kind === 'categorical' ? `f${i}` : null)).filter((c): c is string => c !== null);
    const levels = await levelsOf(engine, t, [...categorical, ...(target?.cast === 'VARCHAR' ? ['y'] : [])]);
    // A text target is read as codes too, unless it has so many values that a lookup list would not pay.
    const textTarget = target?.cast === 'VARCHAR' && levels.get('y')!.length <= MAX_TARGET_LEVELS;
    const reads: Array<{ sql: string; kind: ColumnReadKind }> = [
      ...features.map((c, i) =>
        c.kind === 'numeric' ? { sql: `f${i}`, kind: 'double' as const } : { sql: codesSql(`f${i}`, pooled(levels.get(`f${i}`)!)), kind: 'int32' as const },
      ),
      ...extra.map((_, i) => ({ sql: `x${i}`, kind: 'value' as const })),
      ...(target
        ? [
            textTarget
              ? { sql: codesSql('y', levels.get('y')!), kind: 'int32' as const }
              : { sql: 'y', kind: target.cast === 'DOUBLE' ? ('double' as const) : ('value' as const) },
          ]
        : []),
      // The row count, even when there are no other columns.
      { sql: '__rn::INTEGER', kind: 'int32' },
    ];
    // A table's rows come back in insertion order (DuckDB's preserve_insertion_order, on by default).
    const data = await engine.readColumns(
      `SELECT ${reads.map((r) => r.sql).join(', ')} FROM ${t}`,
      reads.map((r) => r.kind),
    );
    const nRows = data[data.length - 1]!.length;
    const frameFeatures: Feature[] = features.map((c, i) =>
      c.kind === 'numeric'
        ? { name: c.name, kind: 'numeric', values: data[i] as Float64Array }
        : { name: c.name, kind: 'categorical', codes: data[i] as Int32Array, levels: pooled(levels.get(`f${i}`)!) },
    );
    const extraValues = extra.map((_, i) => data[features.length + i] as unknown[]);
    let targetValues: Array<string | number> | undefined;
    if (target) {
      const y = data[features.length + extra.length]!;
      if (textTarget) {
        const names = levels.get('y')!.map((l) => l.value);
        targetValues = Array.from(y as Int32Array, (code) => names[code]!);
      } else targetValues = target.cast === 'DOUBLE' ? Array.from(y as Float64Array) : (y as string[]);
    }
    return { frame: { nRows, features: frameFeatures }, ...(targetValues ? { targetValues } : {}), extra: extraValues, rows, sampled };
  } finally {
    await engine.exec(`DROP TABLE IF EXISTS ${t}`);
  }
}

/** Distinct values of a text target above which it is read as text rather than as codes. */
const MAX_TARGET_LEVELS = 10_000;

interface Level {
  value: string;
  count: number;
}

/** Each column's values with their counts, in order of first appearance (one query for all columns). */
async function levelsOf(engine: Engine, table: string, columns: string[]): Promise<Map<string, Level[]>> {
  const out = new Map<string, Level[]>(columns.map((c) => [c, []]));
  if (columns.length === 0) return out;
  const parts = columns.map((c, i) => `SELECT ${i} AS c, ${c} AS v, count(*) AS n, min(__rn) AS first FROM ${table} WHERE ${c} IS NOT NULL GROUP BY ${c}`);
  const rows = await engine.query<{ c: number; v: string; n: number }>(`SELECT c, v, n FROM (${parts.join(' UNION ALL ')}) ORDER BY c, first`);
  for (const r of rows) out.get(columns[Number(r.c)]!)!.push({ value: r.v, count: Number(r.n) });
  return out;
}

/** The levels a feature keeps: all in order of first appearance, or beyond {@link MAX_LEVELS} the commonest and {@link OTHER_LEVEL}. */
function pooled(levels: Level[]): string[] {
  if (levels.length <= MAX_LEVELS) return levels.map((l) => l.value);
  // A stable sort: equally common values keep their order of first appearance.
  return [...levels]
    .sort((a, b) => b.count - a.count)
    .slice(0, MAX_LEVELS - 1)
    .map((l) => l.value)
    .concat(OTHER_LEVEL);
}

/** SQL: the 0-based position of column `c`'s value in `levels` (ENUM lookup), -1 when missing, else the other level. */
function codesSql(c: string, levels: readonly (string | Level)[]): string {
  const names = levels.map((l) => (typeof l === 'string' ? l : l.value));
  const other = names.indexOf(OTHER_LEVEL);
  const known = names.filter((l) => l !== OTHER_LEVEL);
  if (known.length === 0) return `(-1)::INTEGER`;
  return `CASE WHEN ${c} IS NULL THEN -1 ELSE coalesce(enum_code(TRY_CAST(${c} AS ENUM(${known.map(quoteLiteral).join(', ')})))::INTEGER, ${other}) END`;
}
