/**
 * How a transformed row's value becomes a feature value, in one place: frames built from rows
 * (src/data/rowsToFrame.ts) and models scoring one row without a frame read values the same way.
 */

/** A value as a numeric feature reads it: booleans 0/1, numeric text parsed; missing, ±Infinity and other text -> NaN. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') {
    const x = Number(v);
    return Number.isFinite(x) ? x : NaN;
  }
  return NaN;
}

/** A value as a categorical feature's code against the training levels (missing and unseen levels -> -1). */
export function levelCode(index: ReadonlyMap<string, number>, v: unknown): number {
  return v === null || v === undefined ? -1 : (index.get(String(v)) ?? -1);
}
