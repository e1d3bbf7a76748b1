/**
 * Merges summaries pairwise, level by level (a balanced tree), so that a summary that loses
 * precision when it is pruned (a quantile sketch) is pruned at most once per level, ⌈log2 P⌉
 * times for P partitions, rather than once every few partitions of a running merge.
 */
export function mergeAll<T>(items: readonly T[], merge: (a: T, b: T) => T): T {
  if (items.length === 0) throw new RangeError('nothing to merge');
  let level = [...items];
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? merge(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}
