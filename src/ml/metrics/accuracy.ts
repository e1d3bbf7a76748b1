/** The fraction of rows whose predicted class equals the true class. */
export function accuracy(yTrue: Int32Array, yPred: Int32Array): number {
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return yTrue.length === 0 ? NaN : hit / yTrue.length;
}
