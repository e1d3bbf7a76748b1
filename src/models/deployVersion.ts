import { decideDeployment, type DeploymentDecision, type MetricDirection } from './decideDeployment.js';
import { describeInputChange, inputChangeOf, readServing, type InputChange } from './inputContract.js';
import { promote } from './moveAlias.js';
import type { VersionRef } from './RegistryReader.js';
import type { RegistryWriter } from './RegistryWriter.js';
import { CHALLENGER, CHAMPION } from './types.js';
import { setStatus } from './versionStatus.js';

/**
 * The pipeline's deploy step: compares the candidate with the champion (both measured on the
 * new batch's holdout) and promotes the candidate to `champion` or `challenger`. Returns the
 * decision and its reason for the execution history. `approveWinner` approves a pending
 * candidate that wins (the pipeline's case: the batch it was trained on was approved).
 */
export async function deployVersion(
  w: RegistryWriter,
  name: string,
  ref: VersionRef,
  candidateMetric: number | null | undefined,
  championMetric: number | null | undefined,
  direction: MetricDirection,
  by: string,
  options: { approveWinner?: string; allowSchemaChange?: boolean } = {},
): Promise<DeploymentDecision & { version: number; inputChange?: InputChange; cannotServe?: string[] }> {
  const version = await w.read.resolve(name, ref);
  const champ = await w.read.champion(name);
  const candidate = await w.read.get(name, version);
  if (champ?.version === version) return { decision: 'champion', reason: `${name} version ${version} is already champion`, version };
  // A champion measured without a metric is "no finite metric" (replaced), not "no champion".
  let d = decideDeployment(name, candidateMetric, champ ? (championMetric ?? Number.NaN) : undefined, direction);
  // The input contract: a winner requiring other inputs than the champion stays challenger unless allowed.
  const inputChange = champ ? inputChangeOf(champ.artifactPath, candidate.artifactPath) : undefined;
  if (d.decision === 'champion' && inputChange && !options.allowSchemaChange) {
    d = {
      decision: 'challenger',
      reason: `${d.reason}, but it ${describeInputChange(inputChange)} compared with champion version ${champ!.version}; kept as challenger (set model.allowSchemaChange in sluice.yaml, or promote it with --allow-schema-change once clients send the new inputs)`,
    };
  }
  // The endpoint serves the champion: a winner that cannot serve single records (its flow has a
  // python step, a series' lag; training said so in its manifest) stays challenger.
  const serving = readServing(candidate.artifactPath);
  if (d.decision === 'champion' && serving?.records === false) {
    d = {
      decision: 'challenger',
      reason: `${d.reason}, but it cannot serve single records at the endpoint (${(serving.problems ?? []).join('; ')}); kept as challenger (change the flow and train again, or promote it by hand if the endpoint does not serve this model)`,
    };
  }
  // Only an approved version can be champion; with `approveWinner` (a comment), a winner that is
  // still pending is approved first, by the same actor.
  if (d.decision === 'champion' && options.approveWinner !== undefined && candidate.status !== 'approved') {
    await setStatus(w, name, version, 'approved', by, `${options.approveWinner}; ${d.reason}`);
  }
  await promote(w, name, version, d.decision === 'champion' ? CHAMPION : CHALLENGER, by, d.reason, { allowSchemaChange: options.allowSchemaChange === true });
  return { ...d, version, ...(inputChange ? { inputChange } : {}), ...(serving?.records === false ? { cannotServe: serving.problems ?? [] } : {}) };
}
