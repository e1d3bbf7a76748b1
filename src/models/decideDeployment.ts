/** Whether a larger metric is better (AUC, F1, accuracy) or a smaller one (log loss, RMSE). */
export type MetricDirection = 'maximize' | 'minimize';

export interface DeploymentDecision {
  /** `champion`: serve the candidate; `challenger`: keep the current champion. */
  decision: 'champion' | 'challenger';
  /** One sentence a person reads in the execution history. */
  reason: string;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * Decides whether a newly trained model replaces the champion. Both metrics must be measured on
 * the same data (the new batch's holdout), so the comparison is fair. The candidate must beat the
 * champion strictly: a tie keeps the model that is already serving, since swapping costs risk and
 * buys nothing. With no champion (or a champion without the metric) the candidate wins.
 *
 * @example
 * decideDeployment('readmission', 0.71, 0.69, 'maximize')
 * // { decision: 'champion', reason: 'candidate holdout 0.71 beats champion 0.69 on the new batch (higher is better); promoted to champion' }
 */
export function decideDeployment(
  name: string,
  candidateMetric: number | null | undefined,
  championMetric: number | null | undefined,
  direction: MetricDirection,
): DeploymentDecision {
  if (candidateMetric === null || candidateMetric === undefined || !Number.isFinite(candidateMetric)) {
    return {
      decision: 'challenger',
      reason: `the candidate for "${name}" has no finite holdout metric (${String(candidateMetric)}), so it cannot be compared; kept as challenger`,
    };
  }
  if (championMetric === null || championMetric === undefined) {
    return { decision: 'champion', reason: `"${name}" has no champion yet; the candidate (holdout ${fmt(candidateMetric)}) becomes champion` };
  }
  if (!Number.isFinite(championMetric)) {
    return {
      decision: 'champion',
      reason: `the champion of "${name}" has no finite holdout metric (${String(championMetric)}); the candidate (holdout ${fmt(candidateMetric)}) replaces it`,
    };
  }
  const better = direction === 'maximize' ? candidateMetric > championMetric : candidateMetric < championMetric;
  const word = direction === 'maximize' ? 'higher' : 'lower';
  if (better) {
    return {
      decision: 'champion',
      reason: `candidate holdout ${fmt(candidateMetric)} beats champion ${fmt(championMetric)} on the new batch (${word} is better); promoted to champion`,
    };
  }
  return {
    decision: 'challenger',
    reason:
      candidateMetric === championMetric
        ? `candidate holdout ${fmt(candidateMetric)} ties the champion on the new batch; the champion keeps serving and the candidate is challenger`
        : `candidate holdout ${fmt(candidateMetric)} does not beat champion ${fmt(championMetric)} on the new batch (${word} is better); kept as challenger`,
  };
}
