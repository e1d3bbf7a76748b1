/**
 * Whether a model's output is the same for every row: it learned nothing from the features
 * (a tree that could not split, e.g. a minimum leaf larger than the data, predicts the prior,
 * as the baseline does). Such a candidate is pruned at once instead of finishing its folds.
 */
export function collapsedOutput(output: Float64Array, width: number, tolerance = 1e-9): boolean {
  const rows = output.length / width;
  if (rows < 2) return false;
  for (let r = 1; r < rows; r++) {
    for (let j = 0; j < width; j++) {
      const a = output[j]!;
      const b = output[r * width + j]!;
      if (Math.abs(a - b) > tolerance * Math.max(1, Math.abs(a))) return false;
    }
  }
  return true;
}
