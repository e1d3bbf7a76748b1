import type { Target } from '../frame.js';

/**
 * The group each row is stratified by: its class for classification, its target decile for
 * regression (so every fold sees the whole range of the target), and for rows with a missing
 * regression target (NaN) a group of their own.
 */
export function strataOf(target: Target, nGroups = 10): { groups: Int32Array; nGroups: number } {
  if (target.kind === 'classification') {
    return { groups: target.codes, nGroups: target.labels.length };
  }
  const v = target.values;
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => !Number.isNaN(v[i]!));
  order.sort((a, b) => v[a]! - v[b]!);
  const groups = new Int32Array(n).fill(nGroups);
  const m = order.length;
  for (let j = 0; j < m; j++) groups[order[j]!] = Math.min(nGroups - 1, Math.floor((j * nGroups) / m));
  return { groups, nGroups: nGroups + 1 };
}

/** Row indices of each group, each list in ascending order (typed: millions of rows split in milliseconds). */
export function rowsByGroup(groups: Int32Array, nGroups: number): Uint32Array[] {
  const sizes = new Uint32Array(nGroups);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (g >= 0 && g < nGroups) sizes[g]!++;
  }
  const out = Array.from(sizes, (size) => new Uint32Array(size));
  const at = new Uint32Array(nGroups);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (g >= 0 && g < nGroups) out[g]![at[g]!++] = i;
  }
  return out;
}
