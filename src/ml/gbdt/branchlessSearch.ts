/**
 * Sorted `edges` padded with +Infinity to the power of two above their count, for a search of
 * the same steps for every value: `lo = 0; for (step = top; step > 0; step >>= 1) lo += step &
 * -(padded[lo + step - 1] < x)` leaves in `lo` how many edges are below `x` (the first edge
 * `>= x`, or `edges.length`). Written out at each use (a call per value costs in these loops).
 */
export function branchlessSearch(edges: Float64Array): { padded: Float64Array; top: number } {
  let size = 1;
  while (size < edges.length + 1) size <<= 1;
  const padded = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
  padded.set(edges);
  return { padded, top: size >> 1 };
}
