import type { Engine } from '../../engine/Engine.js';
import { quoteIdent } from '../../engine/sql.js';
import type { Feature, Frame, Target } from '../../ml/frame.js';
import type { ColumnReport, TargetReport } from '../reportSchema.js';

/** Categorical levels kept per feature; rarer values share one "other" level. */
const MAX_LEVELS = 254;
const OTHER = '\u0000other';

export interface ModelData {
  frame: Frame;
  /** Absent when the frame was loaded without a target (anomalies). */
  target?: Target;
  /** Rows of the data with a target value (all rows without a target), before sampling. */
  rows: number;
  sampled: boolean;
  /** Features left out (text, dates, constants) with the reason. */
  skipped: Array<{ feature: string; reason: string }>;
}

/**
 * Loads the model features and the target from the profile view into the typed-array frame of
 * `ml/` (NaN / -1 for missing). Rows without a target are left out; above `maxRows` a seeded
 * reservoir sample is taken, so memory stays bounded on large data. Free text, dates and
 * constant columns are not features of the quick model.
 */
export async function frameFromView(engine: Engine, view: string, columns: ColumnReport[], target: TargetReport | undefined, maxRows: number): Promise<ModelData> {
  const tq = target ? quoteIdent(target.column) : null;
  const skipped: ModelData['skipped'] = [];
  const features = columns.filter((c) => {
    if (c.name === target?.column) return false;
    if (c.type === 'text' || c.type === 'datetime') {
      skipped.push({ feature: c.name, reason: c.type });
      return false;
    }
    if (c.distinct <= 1) {
      skipped.push({ feature: c.name, reason: 'constant' });
      return false;
    }
    return true;
  });
  const where = tq ? ` WHERE ${tq} IS NOT NULL` : '';
  const [{ n = 0 } = {}] = await engine.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(view)}${where}`);
  const rows = Number(n);
  const sampled = rows > maxRows;
  const isNum = (c: ColumnReport) => c.storageType === 'integer' || c.storageType === 'float';
  const select = features.map((c, i) => (isNum(c) ? `${quoteIdent(c.name)}::DOUBLE AS f${i}` : `${quoteIdent(c.name)}::VARCHAR AS f${i}`));
  const targetExpr = !target ? null : target.problemType === 'regression' ? `${tq}::DOUBLE` : `${tq}::VARCHAR`;
  const sql = `SELECT ${[...select, ...(targetExpr ? [`${targetExpr} AS y`] : []), '1 AS one'].join(', ')} FROM ${quoteIdent(view)}${where}${sampled ? ` USING SAMPLE reservoir(${maxRows} ROWS) REPEATABLE (42)` : ''}`;
  const { columns: data } = await engine.queryColumns(sql);
  const nRows = data[data.length - 1]?.length ?? 0;

  const frameFeatures: Feature[] = features.map((c, i) => {
    const col = data[i] ?? [];
    if (isNum(c)) {
      const values = new Float64Array(nRows);
      for (let r = 0; r < nRows; r++) {
        const v = col[r];
        values[r] = v === null || v === undefined ? NaN : Number(v);
      }
      return { name: c.name, kind: 'numeric', values };
    }
    return { name: c.name, kind: 'categorical', ...encode(col as Array<string | null>, nRows) };
  });

  const frame: Frame = { nRows, features: frameFeatures };
  if (!target) return { frame, rows, sampled, skipped };
  const ycol = data[features.length] ?? [];
  let targetData: Target;
  if (target.problemType === 'regression') {
    targetData = { kind: 'regression', values: Float64Array.from(ycol, (v) => Number(v)) };
  } else {
    const labels = [...new Set(ycol as string[])].sort();
    const index = new Map(labels.map((l, i) => [l, i]));
    targetData = { kind: 'classification', labels, codes: Int32Array.from(ycol as string[], (v) => index.get(v)!) };
  }
  return { frame, target: targetData, rows, sampled, skipped };
}

/** Codes by frequency; beyond {@link MAX_LEVELS} levels the rarest share an "other" level. */
function encode(col: Array<string | null>, n: number): { codes: Int32Array; levels: string[] } {
  const counts = new Map<string, number>();
  for (const v of col) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let levels = [...counts.keys()];
  if (levels.length > MAX_LEVELS) levels = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_LEVELS - 1).map(([k]) => k).concat(OTHER);
  const index = new Map(levels.map((l, i) => [l, i]));
  const other = index.get(OTHER) ?? -1;
  const codes = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const v = col[r];
    codes[r] = v === null || v === undefined ? -1 : index.get(v) ?? other;
  }
  return { codes, levels };
}
