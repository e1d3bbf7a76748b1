import { SluiceError } from '../core/errors.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import type { ColumnReport, TargetReport } from './reportSchema.js';
import type { Thresholds } from './thresholds.js';

export type ProblemType = 'classification' | 'regression';

const MAX_CLASSES_LISTED = 100;

/** Finds the target column or says which columns exist. */
export function requireTarget(columns: ColumnReport[], target: string): ColumnReport {
  const col = columns.find((c) => c.name === target);
  if (col) return col;
  const names = columns.map((c) => c.name);
  const close = names.find((n) => n.toLowerCase() === target.toLowerCase());
  throw new SluiceError('TARGET_NOT_FOUND', `target column "${target}" is not in the data`, {
    location: { field: target },
    hint: close
      ? `did you mean "${close}"? (names are case-sensitive)`
      : `the columns are: ${names.slice(0, 30).join(', ')}${names.length > 30 ? ', ...' : ''}`,
  });
}

/**
 * The problem type: as asked, or classification when the target is not numeric or has at most
 * `classificationMaxDistinct` distinct values, regression otherwise.
 */
export function inferProblemType(col: ColumnReport, asked: ProblemType | undefined, t: Thresholds): ProblemType {
  if (asked === 'regression' && col.type !== 'numeric' && !(col.storageType === 'integer' || col.storageType === 'float')) {
    throw new SluiceError('TARGET_NOT_NUMERIC', `target "${col.name}" is ${col.storageType}, so it cannot be a regression target`, {
      location: { field: col.name },
      hint: 'use --problem-type classification, or cast the column to a number in the flow',
    });
  }
  if (asked) return asked;
  return col.type === 'numeric' && col.distinct > t.classificationMaxDistinct ? 'regression' : 'classification';
}

/** Class counts and shares, imbalance ratio (classification) or the distribution (regression). */
export async function computeTarget(engine: Engine, view: string, col: ColumnReport, problemType: ProblemType): Promise<TargetReport> {
  const base: TargetReport = { column: col.name, problemType, missing: col.missing };
  if (problemType === 'regression') {
    if (typeof col.min === 'number' && typeof col.max === 'number' && col.histogram) {
      base.distribution = {
        min: col.min,
        max: col.max,
        mean: col.mean ?? 0,
        median: col.median ?? 0,
        std: col.std ?? null,
        skewness: col.skewness ?? null,
        histogram: col.histogram,
      };
    }
    return base;
  }
  const q = quoteIdent(col.name);
  const rows = await engine.query<{ v: string; n: number }>(
    `SELECT ${q}::VARCHAR AS v, count(*) AS n FROM ${quoteIdent(view)} WHERE ${q} IS NOT NULL GROUP BY ALL ORDER BY n DESC, v`,
  );
  const total = rows.reduce((a, r) => a + Number(r.n), 0);
  const numeric = col.storageType === 'integer' || col.storageType === 'float';
  base.classCount = rows.length;
  base.classes = rows.slice(0, MAX_CLASSES_LISTED).map((r) => ({ value: numeric ? Number(r.v) : r.v, count: Number(r.n), share: Number(r.n) / total }));
  if (rows.length > 0) base.imbalanceRatio = Number(rows[0]!.n) / Number(rows[rows.length - 1]!.n);
  return base;
}
