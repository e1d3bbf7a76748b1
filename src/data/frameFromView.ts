/**
 * The bridge from DuckDB to `src/ml`: reads columns of a view into the typed-array frame the
 * learners use. Shared by the insights report's quick model (`profile/`) and training
 * (`training/`), so both see the same encoding. May import core, engine and ml.
 */
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
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
    // A constant keeps the row count visible when there are no other columns.
    '1 AS one',
  ];
  const sample = sampled ? ` USING SAMPLE reservoir(${options.maxRows} ROWS) REPEATABLE (42)` : '';
  const { columns: data } = await engine.queryColumns(`SELECT ${select.join(', ')} FROM ${quoteIdent(view)}${where}${sample}`);
  const nRows = data[data.length - 1]?.length ?? 0;

  const frameFeatures: Feature[] = features.map((c, i) => {
    const col = data[i] ?? [];
    if (c.kind === 'numeric') {
      const values = new Float64Array(nRows);
      for (let r = 0; r < nRows; r++) {
        const v = col[r];
        values[r] = v === null || v === undefined ? NaN : Number(v);
      }
      return { name: c.name, kind: 'numeric', values };
    }
    return { name: c.name, kind: 'categorical', ...encodeLevels(col as Array<string | null>, nRows) };
  });
  const extraValues = extra.map((_, i) => data[features.length + i] ?? []);
  const y = target ? (data[features.length + extra.length] as Array<string | number>) : undefined;
  return {
    frame: { nRows, features: frameFeatures },
    ...(y ? { targetValues: target!.cast === 'DOUBLE' ? y.map((v) => Number(v)) : y } : {}),
    extra: extraValues,
    rows,
    sampled,
  };
}

/** Codes in order of first appearance; beyond {@link MAX_LEVELS} levels the rarest share one. */
function encodeLevels(col: Array<string | null>, n: number): { codes: Int32Array; levels: string[] } {
  const counts = new Map<string, number>();
  for (const v of col) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let levels = [...counts.keys()];
  if (levels.length > MAX_LEVELS) levels = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_LEVELS - 1).map(([k]) => k).concat(OTHER_LEVEL);
  const index = new Map(levels.map((l, i) => [l, i]));
  const other = index.get(OTHER_LEVEL) ?? -1;
  const codes = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const v = col[r];
    codes[r] = v === null || v === undefined ? -1 : (index.get(v) ?? other);
  }
  return { codes, levels };
}
