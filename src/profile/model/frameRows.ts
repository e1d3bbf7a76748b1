import { OTHER_LEVEL } from '../../data/frameFromView.js';
import type { ColumnReport, TargetReport } from '../reportSchema.js';
import { codesOfValues, type RowsInMemory } from '../rowsInMemory.js';
import type { ModelData } from './modelDataFromView.js';

/**
 * The model frame as the report's rows in memory ({@link RowsInMemory}), when it holds every
 * row of its relation in order: not sampled, and no row left out for a missing target. Numeric
 * features (and a regression target) are the `::DOUBLE` values the frame read; categorical
 * features their codes, unless rare levels were pooled; a class target its codes, and its
 * numbers when the column holds integers (its labels are then their decimal text).
 */
export function frameRows(data: ModelData, target: TargetReport, columns: readonly ColumnReport[]): RowsInMemory | undefined {
  const y = data.target;
  if (!y || data.sampled || target.missing > 0) return undefined;
  const features = new Map(data.frame.features.map((f) => [f.name, f]));
  const coded = new Map<string, Int32Array>();
  const codesOf = (column: string, values: Float64Array) => {
    let c = coded.get(column);
    if (!c) {
      c = codesOfValues(values);
      coded.set(column, c);
    }
    return c;
  };
  const targetNumbers = (): Float64Array | undefined => {
    if (y.kind === 'regression') return y.values;
    if (columns.find((c) => c.name === target.column)?.storageType !== 'integer') return undefined;
    const numbers = y.labels.map((l) => (/^-?\d+$/.test(l) ? Number(l) : Number.NaN));
    if (!numbers.every((v) => Number.isSafeInteger(v))) return undefined;
    return Float64Array.from(y.codes, (c) => numbers[c]!);
  };
  return {
    rows: data.frame.nRows,
    numeric(column) {
      const f = features.get(column);
      if (f) return f.kind === 'numeric' ? f.values : undefined;
      return column === target.column ? targetNumbers() : undefined;
    },
    codes(column) {
      const f = features.get(column);
      if (f) {
        if (f.kind === 'numeric') return codesOf(column, f.values);
        return f.levels.includes(OTHER_LEVEL) ? undefined : f.codes;
      }
      if (column !== target.column) return undefined;
      return y.kind === 'classification' ? y.codes : codesOf(column, y.values);
    },
  };
}
