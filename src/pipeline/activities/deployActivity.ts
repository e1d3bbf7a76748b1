import { SluiceError } from '../../core/errors.js';
import type { MetricName } from '../../ml/metrics/metricRegistry.js';
import { ModelRegistry } from '../../models/ModelRegistry.js';
import { CHALLENGER, CHAMPION } from '../../models/types.js';
import { describeInputChange } from '../../models/inputContract.js';
import { scoreArtifact } from '../../training/scoreArtifact.js';
import type { Activity } from './Activity.js';
import type { RegisterModelOutput } from './registerModelActivity.js';
import type { TrainOutput } from './trainActivity.js';
import { versionArtifact } from '../../models/versionArtifact.js';
import { withStores } from './withStores.js';

/** The registered candidate, its train result (holdout, metric) and who approved the batch; wired by default to the preceding states that make them. */
export interface DeployInput {
  registered?: RegisterModelOutput;
  train?: TrainOutput;
  approvedBy?: string;
}

export interface DeployOutput {
  model: string;
  version: number;
  decision: 'champion' | 'challenger';
  reason: string;
  /** The champion the candidate was finally compared with (it may have changed since training). */
  comparedWith: { version: number; value: number } | null;
  metric: string;
  candidate: number;
  /** What a person should know about the decision (an input-contract change), shown in the execution history. */
  findings?: Array<{ code: string; message: string }>;
}

/**
 * The built-in `deploy` activity: makes the registered candidate the champion (the endpoint
 * follows the champion and swaps atomically) when it beats the current champion on the batch's
 * holdout, else records it as challenger. The champion is read again here: when another
 * execution deployed a model since this one trained, the new champion is scored on the same
 * held-out rows, so the decision is always against what actually serves. The candidate's status
 * becomes `approved` (by the pipeline, citing the batch approval) only when it is deployed.
 * Idempotent: the registry history records the change as made by `pipeline:<execution>`; a
 * rerun finds it and returns the recorded decision without acting again.
 */
export const deployActivity: Activity<DeployInput, DeployOutput> = async (input, ctx) => {
  const reg = input.registered;
  const train = input.train;
  if (!reg?.version || !train) {
    throw new SluiceError('DEPLOY_NO_MODEL', 'deploy found no registered model in its inputs "registered" and "train"', {
      retryable: false,
      hint: 'run it after register_model (and train), wired: `input: { registered: $.results.<register state>, train: $.results.<train state> }`',
    });
  }
  const by = `pipeline:${ctx.executionId}`;
  const registry = await ModelRegistry.open(ctx.project.root, ctx.project.stateDir, { state: ctx.state });
  try {
    // Applied already (a rerun after a crash): return what was decided, whatever serves now.
    const done = (await registry.history(reg.model, reg.version)).find(
      (h) => h.by === by && h.kind === 'alias' && (h.alias === CHAMPION || h.alias === CHALLENGER),
    );
    if (done) {
      return {
        model: reg.model,
        version: reg.version,
        decision: done.alias === CHAMPION ? 'champion' : 'challenger',
        reason: done.comment ?? '',
        comparedWith: null,
        metric: train.metric,
        candidate: reg.candidate,
      };
    }
    const current = await registry.champion(reg.model);
    const configured = (ctx.config as { python?: string } | undefined)?.python;
    const python = configured ? { python: configured } : {};
    let comparedWith: DeployOutput['comparedWith'] = null;
    if (current && current.version !== reg.version) {
      comparedWith =
        train.champion && train.champion.version === current.version
          ? { version: current.version, value: train.champion.value }
          : {
              version: current.version,
              value: (
                await scoreArtifact(await withStores(ctx, (s) => versionArtifact(s.artifacts, current)), train.holdoutFile, train.metric as MetricName, python)
              ).value,
            };
    }
    // Deciding reads both versions' input signatures: both must be on this machine.
    await withStores(ctx, async (s) => {
      await versionArtifact(s.artifacts, await registry.get(reg.model, reg.version));
      if (current) await versionArtifact(s.artifacts, current);
    });
    const allowSchemaChange = (ctx.config as { model?: { allowSchemaChange?: boolean } } | undefined)?.model?.allowSchemaChange === true;
    const d = await registry.deploy(reg.model, reg.version, reg.candidate, comparedWith?.value, train.direction, by, {
      approveWinner: `batch approved by ${input.approvedBy ?? 'the approver'}`,
      allowSchemaChange,
    });
    const list: Array<{ code: string; message: string }> = [];
    if (d.inputChange)
      list.push({
        code: 'MODEL_INPUTS_CHANGED',
        message: `version ${reg.version} ${describeInputChange(d.inputChange)} compared with champion version ${comparedWith?.version ?? '?'}${allowSchemaChange ? ' (allowed by model.allowSchemaChange)' : ''}`,
      });
    // Refused at deploy as at training: the endpoint would refuse every record of this model.
    if (d.cannotServe)
      list.push({
        code: 'MODEL_CANNOT_SERVE_RECORDS',
        message: `version ${reg.version} cannot serve single records at the endpoint, so it was not made champion: ${d.cannotServe.join('; ')}`,
      });
    const findings = list.length ? list : undefined;
    for (const f of list) ctx.log.warn({ executionId: ctx.executionId, step: ctx.step, inputChange: d.inputChange }, f.message);
    return {
      model: reg.model,
      version: reg.version,
      decision: d.decision,
      reason: d.reason,
      comparedWith,
      metric: train.metric,
      candidate: reg.candidate,
      ...(findings ? { findings } : {}),
    };
  } finally {
    await registry.close();
  }
};
