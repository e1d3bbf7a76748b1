import { frameFromStableView } from '../../data/frameFromStableView.js';
import { frameFromView } from '../../data/frameFromView.js';
import type { Engine } from '../../engine/Engine.js';
import type { Frame, Target } from '../../ml/frame.js';
import type { ColumnReport, TargetReport } from '../reportSchema.js';

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
 * `ml/` (NaN / -1 for missing), through the loader shared with training
 * (`src/data/frameFromView.ts`). Rows without a target are left out; above `maxRows` a seeded
 * reservoir sample is taken, so memory stays bounded on large data. Free text, dates and
 * constant columns are not features of the quick model. A `stable` view (one that reads a table)
 * is read without a temporary copy (`frameFromStableView`): the same frame.
 */
export async function modelDataFromView(
  engine: Engine,
  view: string,
  columns: ColumnReport[],
  target: TargetReport | undefined,
  maxRows: number,
  stable = false,
): Promise<ModelData> {
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
  const isNum = (c: ColumnReport) => c.storageType === 'integer' || c.storageType === 'float';
  const regression = target?.problemType === 'regression';
  const loaded = await (stable ? frameFromStableView : frameFromView)(engine, view, {
    features: features.map((c) => ({ name: c.name, kind: isNum(c) ? 'numeric' : 'categorical' })),
    ...(target ? { target: { column: target.column, cast: regression ? 'DOUBLE' : 'VARCHAR' } } : {}),
    maxRows,
  });
  const base = { frame: loaded.frame, rows: loaded.rows, sampled: loaded.sampled, skipped };
  if (!target) return base;
  const ycol = loaded.targetValues ?? [];
  let targetData: Target;
  if (regression) {
    targetData = { kind: 'regression', values: Float64Array.from(ycol, (v) => Number(v)) };
  } else {
    const labels = [...new Set(ycol as string[])].sort();
    const index = new Map(labels.map((l, i) => [l, i]));
    targetData = { kind: 'classification', labels, codes: Int32Array.from(ycol as string[], (v) => index.get(v)!) };
  }
  return { ...base, target: targetData };
}
