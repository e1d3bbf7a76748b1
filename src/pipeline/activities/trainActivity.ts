import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SluiceConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { atomicWriteFile } from '../../engine/atomicWriteFile.js';
import { isBetter, METRICS, type MetricName } from '../../ml/metrics/metricRegistry.js';
import { ModelRegistry } from '../../models/ModelRegistry.js';
import { scoreArtifact, type ArtifactScore } from '../../training/scoreArtifact.js';
import { splitHoldoutFile } from '../../training/splitHoldoutFile.js';
import { trainModel } from '../../training/trainModel.js';
import { stepDir, type Activity, type ActivityContext } from './Activity.js';
import { modelSettings } from './modelSettings.js';
import { projectFlow } from './projectFlow.js';
import { readChampion } from './readChampion.js';
import { knownColumns } from '../../training/unknownColumns.js';
import { versionArtifact } from '../../models/versionArtifact.js';
import { withStores } from './withStores.js';

/** The serving champion's artifact folder (fetched from `stores.artifacts` when not here), read before training; undefined when there is none. */
async function championArtifact(ctx: ActivityContext, model: string): Promise<string | undefined> {
  const champ = await readChampion(ctx, model);
  return champ ? withStores(ctx, (stores) => versionArtifact(stores.artifacts, champ)) : undefined;
}

/** The raw batch (wired `$.input.file` by default) and overrides of sluice.yaml's `model` settings. */
export interface TrainInput {
  file?: string;
  flow?: string;
  target?: string;
  metric?: string;
  model?: string;
  timeLimit?: number;
  holdout?: number;
  seed?: number;
  learners?: string[];
  maxCandidates?: number;
  ensemble?: boolean;
  allowLeaks?: string[];
}

/** What the `train` step records: the candidate, and both it and the champion on the same holdout. */
export interface TrainOutput {
  model: string;
  /** The training output folder (manifest, leaderboard, model report) and the servable artifact in it. */
  trainDir: string;
  artifactDir: string;
  /** The raw rows held out from training, on which candidate and champion are compared. */
  holdoutFile: string;
  rows: { train: number; holdout: number };
  metric: MetricName;
  direction: 'maximize' | 'minimize';
  best: { learner: string; cv: number | null };
  candidates: number;
  candidate: ArtifactScore;
  /** The champion when training started, scored on the same holdout rows (null when there is none). */
  champion: ({ version: number } & ArtifactScore) | null;
  betterThanChampion: boolean;
  reportHtml: string;
  /** Columns of the batch the flow does not know, left out of training (the flow's `passthrough: true` keeps them). */
  droppedColumns?: string[];
  /** What a person should know (columns dropped), shown in the execution history. */
  findings?: Array<{ code: string; message: string }>;
}

/**
 * The built-in `train` activity. The arrived raw file is split into training rows and held-out
 * rows before any recipe runs; AutoML trains candidates on the training rows (fitting the
 * project's flow, so the artifact serves raw records); then the best candidate and the current
 * champion are both scored on the held-out rows, each through its own fitted recipe, with the
 * same metric. Idempotent: the result is written last, atomically, under
 * `.sluice/batches/<execution>/<step>/`, and a rerun returns it.
 */
export const trainActivity: Activity<TrainInput, TrainOutput> = async (input, ctx) => {
  const config = ctx.config as SluiceConfig | undefined;
  const dir = stepDir(ctx);
  const manifest = join(dir, 'train.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as TrainOutput;
  const file = input.file;
  if (!file)
    throw new SluiceError('TRAIN_NO_FILE', 'train has no data file', {
      retryable: false,
      hint: 'start the execution with a file, or wire the task `input: { file: $.input.file }`',
    });
  const { path: flowPath, spec } = await projectFlow(config, input, ctx.project.root);
  const s = modelSettings(config, input, spec);

  // The input contract: columns the flow does not know are not trained on (unless the flow says passthrough).
  const known = spec?.passthrough === true ? undefined : await knownColumns(await championArtifact(ctx, s.name), spec);
  const split = await splitHoldoutFile(file, {
    fraction: s.holdout,
    seed: s.seed,
    train: join(dir, 'train.parquet'),
    holdout: join(dir, 'holdout.parquet'),
    drop: (columns) => (known ? columns.filter((c) => !known.has(c) && c !== s.target) : []),
    ...(config?.missingTokens ? { missingTokens: config.missingTokens } : {}),
  });
  let findings = split.dropped.length
    ? [
        {
          code: 'TRAIN_UNKNOWN_COLUMNS_DROPPED',
          message: `${split.dropped.length} column${split.dropped.length > 1 ? 's' : ''} the flow does not know ${split.dropped.length > 1 ? 'were' : 'was'} left out of training: ${split.dropped.join(', ')} (set passthrough: true in the flow to train on them)`,
        },
      ]
    : undefined;
  if (findings) ctx.log.warn({ step: ctx.step, dropped: split.dropped }, findings[0]!.message);
  ctx.log.info({ step: ctx.step, rows: split.rows }, `training ${s.name} on ${split.rows.train} rows, ${split.rows.holdout} held out`);
  const trainDir = join(dir, 'model');
  const result = await trainModel(split.train, {
    target: s.target,
    outDir: trainDir,
    ...(flowPath ? { flowPath } : {}),
    ...(s.metric ? { metric: s.metric } : {}),
    timeLimit: s.timeLimit,
    seed: s.seed,
    ...(config?.missingTokens ? { projectMissingTokens: config.missingTokens } : {}),
    ...(config?.dateOrder ? { dateOrder: config.dateOrder } : {}),
    ...(config?.python ? { python: config.python } : {}),
    ...(s.allowLeaks ? { allowLeaks: s.allowLeaks } : {}),
    search: {
      ...(s.learners ? { learners: s.learners } : {}),
      ...(s.maxCandidates !== undefined ? { maxCandidates: s.maxCandidates } : {}),
      ...(s.ensemble !== undefined ? { ensemble: s.ensemble } : {}),
    },
    signal: ctx.signal,
    onProgress: (e) => ctx.log.debug({ step: ctx.step, phase: e.phase }, e.message),
  });
  for (const problem of result.manifest.serving?.problems ?? []) {
    findings = [...(findings ?? []), { code: 'MODEL_CANNOT_SERVE_RECORDS', message: `the model will not serve single records at the endpoint: ${problem}` }];
    ctx.log.warn({ step: ctx.step }, findings[findings.length - 1]!.message);
  }
  const metric = result.leaderboard.metric as MetricName;
  const python = config?.python ? { python: config.python } : {};
  const direction = METRICS[metric].higherIsBetter ? 'maximize' : 'minimize';
  const candidate = await scoreArtifact(result.files.modelDir, split.holdout, metric, python);

  let champion: TrainOutput['champion'] = null;
  const registry = await ModelRegistry.open(ctx.project.root, ctx.project.stateDir, { state: ctx.state });
  try {
    const champ = await registry.champion(s.name);
    if (champ) {
      const dir = await withStores(ctx, (stores) => versionArtifact(stores.artifacts, champ));
      champion = { version: champ.version, ...(await scoreArtifact(dir, split.holdout, metric, python)) };
    }
  } finally {
    await registry.close();
  }
  const better = champion === null || isBetter(metric, candidate.value, champion.value);
  const out: TrainOutput = {
    model: s.name,
    trainDir,
    artifactDir: result.files.modelDir,
    holdoutFile: split.holdout,
    rows: split.rows,
    metric,
    direction,
    best: { learner: result.best.learner, cv: Number.isFinite(result.best.cv?.mean) ? (result.best.cv!.mean as number) : null },
    candidates: result.leaderboard.entries.length,
    candidate,
    champion,
    betterThanChampion: better,
    reportHtml: result.files.reportHtml,
    ...(split.dropped.length ? { droppedColumns: split.dropped } : {}),
    ...(findings ? { findings } : {}),
  };
  await atomicWriteFile(manifest, JSON.stringify(out, null, 2));
  return out;
};
