import { artifactFile } from '../../artifact/loadArtifact.js';
import type { SluiceConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { ModelRegistry } from '../../models/ModelRegistry.js';
import type { ModelLineage } from '../../models/types.js';
import type { Activity } from './Activity.js';
import type { TrainOutput } from './trainActivity.js';
import { publishVersion } from '../../models/versionArtifact.js';
import { withStores } from './withStores.js';

/**
 * What register_model records in the version's lineage, each wired (by default) to the nearest
 * preceding state that makes it: the train result, the approval, the report's JSON, the fitted
 * recipe of run_flow, and the batch file and its sha256.
 */
export interface RegisterModelInput {
  train?: TrainOutput;
  approval?: { decision?: string; by?: string; at?: string; comment?: string };
  reportJson?: string;
  recipeRun?: string;
  file?: string;
  sha256?: string;
}

export interface RegisterModelOutput {
  model: string;
  version: number;
  artifactHash: string;
  metric: string;
  candidate: number;
  champion: { version: number; value: number } | null;
  /** Whether the candidate beat the champion on the batch's holdout (the `better` choice reads it). */
  betterThanChampion: boolean;
}

/**
 * The built-in `register_model` activity: registers the `train` step's artifact as the next
 * version of the model, with its holdout metrics and lineage (the batch file and its content
 * hash, the execution, the fitted recipe, the insights report, who approved the batch, the
 * training settings). Idempotent: the registry keys the version by `<execution>:<step>`, so a
 * rerun returns the version the first run registered.
 */
export const registerModelActivity: Activity<RegisterModelInput, RegisterModelOutput> = async (input, ctx) => {
  const config = ctx.config as SluiceConfig | undefined;
  const train = input.train;
  if (!train?.artifactDir) {
    throw new SluiceError('REGISTER_NO_MODEL', 'register_model found no trained model in its input "train"', {
      retryable: false,
      hint: 'run it after a train task, and wire it: `input: { train: $.results.<train state> }`',
    });
  }
  const approval = input.approval;
  const lineage: ModelLineage = {
    trainingBatch: {
      file: String(input.file ?? ''),
      contentHash: contentHash(input.sha256),
      executionId: ctx.executionId,
    },
    fittedFlow: artifactFile(train.artifactDir, 'fittedFlow'),
    ...(input.reportJson ? { insightsReport: input.reportJson } : {}),
    ...(approval?.by && approval.at ? { approval: { by: approval.by, at: approval.at, ...(approval.comment ? { comment: approval.comment } : {}) } } : {}),
    trainingConfig: { metric: train.metric, rows: train.rows, best: train.best, candidates: train.candidates, recipeRun: input.recipeRun ?? null },
  };
  const registry = await ModelRegistry.open(ctx.project.root, ctx.project.stateDir, { state: ctx.state });
  try {
    const v = await registry.register(train.artifactDir, {
      name: train.model,
      description: `trained by execution ${ctx.executionId} on ${train.rows.train} rows (${train.best.learner})`,
      metrics: { [`holdout_${train.metric}`]: train.candidate.value, holdout_rows: train.candidate.rows },
      tags: { execution: ctx.executionId, learner: train.best.learner, project: config?.name ?? '' },
      lineage,
      by: `pipeline:${ctx.executionId}`,
      idempotencyKey: ctx.idempotencyKey,
    });
    // Also on a replay (the version came back by its key): the first run may have stopped before its upload.
    await withStores(ctx, (stores) => publishVersion(stores.artifacts, v));
    return {
      model: v.name,
      version: v.version,
      artifactHash: v.artifactHash,
      metric: train.metric,
      candidate: train.candidate.value,
      champion: train.champion ? { version: train.champion.version, value: train.champion.value } : null,
      betterThanChampion: train.betterThanChampion,
    };
  } finally {
    await registry.close();
  }
};

function contentHash(h: string | undefined): string {
  if (!h) return '';
  return h.startsWith('sha256:') ? h : `sha256:${h}`;
}
