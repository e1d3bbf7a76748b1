/**
 * `sluice train` as a function: from a data file to a servable model folder, its manifest, the
 * leaderboard and the model quality report.
 *
 *   fingerprint the file -> fit the flow (or an empty one) -> frame + target
 *     -> AutoML (stratified holdout, k-fold selection, refit) -> evaluate on the holdout
 *     -> save the artifact DIR/model/ (src/artifact/saveArtifact.ts: the model, the fitted flow,
 *        the manifest SLUICE_MODEL.json with their hashes), then DIR/leaderboard.json and
 *        DIR/model-report.{json,html}, each atomically
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DateOrder } from '../core/dateFormats.js';
import { isSluiceError, SluiceError } from '../core/errors.js';
import { Engine } from '../engine/Engine.js';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';
import { describeServingProblems, servingProblems } from '../flow/servingProblems.js';
import { inputSignature } from './inputSignature.js';
import type { Leaderboard, LeaderboardEntry } from '../ml/automl/leaderboard.js';
import { MAX_HOLDOUT_ROWS, runAutoML, type AutoMLOptions } from '../ml/automl/runAutoML.js';
import { takeRows, takeTarget } from '../ml/frame.js';
import type { MetricName } from '../ml/metrics/metricRegistry.js';
import type { Model } from '../ml/model.js';
import { evaluateModel } from './evaluateModel.js';
import { fileFingerprint } from '../core/fileHash.js';
import { renderModelReportHtml } from './html/renderModelReportHtml.js';
import { loadTrainingData, type TrainingData } from './loadTrainingData.js';
import type { ManifestFacts, ModelManifest } from '../artifact/manifest.js';
import { saveArtifact } from '../artifact/saveArtifact.js';
import { ARTIFACT_FILES } from '../artifact/artifactFiles.js';
import type { ModelReport } from './modelReport.js';
import { screenFeatures } from './screenFeatures.js';
import { sluiceVersion } from './sluiceVersion.js';
import { automlSeconds, defaultTimeLimit, estimateReadSeconds } from './timeBudget.js';
import { TRAIN_FILES } from './trainFiles.js';

export interface TrainOptions {
  target: string;
  outDir: string;
  flowPath?: string;
  problemType?: 'classification' | 'regression';
  metric?: MetricName;
  /** Seconds for the whole run, reading and writing included; default: scales with the data (timeBudget.ts). */
  timeLimit?: number;
  seed?: number;
  holdout?: number;
  /**
   * Finer control of the search, passed to `runAutoML`: folds, the row count above which one
   * validation split replaces k-fold, learners, a candidate cap (for reproducible runs),
   * the ensemble, worker threads.
   */
  search?: Pick<AutoMLOptions, 'folds' | 'largeDataRows' | 'learners' | 'maxCandidates' | 'ensemble' | 'workers'>;
  /** The project's missing tokens (sluice.yaml `missingTokens`), recorded in the model; a flow's `missing_tokens` wins. */
  projectMissingTokens?: readonly string[];
  /** The stated day/month order of dates such as `12/06/1998` (sluice.yaml `dateOrder`, `--date-order`). */
  dateOrder?: DateOrder;
  /** The python3 for python steps (sluice.yaml `python:`; SLUICE_PYTHON wins). */
  python?: string;
  /** Features kept although their prediction power reaches 0.98 (otherwise refused as leaks). */
  allowLeaks?: string[];
  /**
   * When the run started, on the `performance.now()` clock: the CLI passes 0 (the process start,
   * so Node's own start-up counts in the time limit); default: when trainModel is called.
   */
  startedAtMs?: number;
  /** Progress lines: data loading, each candidate as it finishes, the refit, the writing. */
  onProgress?: (event: { phase: string; message: string; entry?: LeaderboardEntry; metric?: MetricName }) => void;
  signal?: AbortSignal;
}

export interface TrainResult {
  leaderboard: Leaderboard;
  best: LeaderboardEntry;
  /** The refit best model, as saved in the artifact `DIR/model/`. */
  model: Model;
  manifest: ModelManifest;
  report: ModelReport;
  data: TrainingData;
  holdoutRows: Uint32Array;
  files: { modelDir: string; manifest: string; leaderboard: string; reportJson: string; reportHtml: string };
}

/**
 * Trains candidate models on a data file and writes the best as a servable artifact.
 *
 * @example
 * const { best, leaderboard } = await trainModel('batch.csv', { target: 'readmitted', outDir: 'out', timeLimit: 60 });
 */
export async function trainModel(dataPath: string, options: TrainOptions): Promise<TrainResult> {
  const started = options.startedAtMs ?? performance.now();
  const progress = options.onProgress ?? ((): void => {});
  const seed = options.seed ?? 0;
  const holdout = options.holdout ?? 0.2;
  if (!(holdout > 0 && holdout < 1)) {
    throw new SluiceError('TRAIN_BAD_HOLDOUT', `the holdout fraction must be between 0 and 1 (exclusive), got ${holdout}`, {
      location: { field: 'holdout' },
      hint: 'use for example 0.2 (a fifth of the rows held out)',
    });
  }
  // Reading counts in the limit: its estimate is said before it starts, and a warning when it alone would overrun.
  const bytes = (await stat(dataPath).catch(() => ({ size: 0 }))).size;
  const readEstimate = estimateReadSeconds(bytes);
  const overrun = options.timeLimit !== undefined && readEstimate > options.timeLimit;
  progress({
    phase: 'load',
    message: `reading ${basename(dataPath)}${options.flowPath ? ` and fitting ${basename(options.flowPath)}` : ''} (${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB, estimated ${readEstimate.toFixed(readEstimate < 10 ? 1 : 0)} s at the machine's current load)${overrun ? `: reading alone is estimated to take longer than the ${options.timeLimit}-second limit, which the run will overrun; train on a sample of the file or raise --time-limit` : ''}`,
  });
  const engine = await Engine.open({ memoryLimit: process.env.SLUICE_MEMORY_LIMIT ?? '1GB' });
  let data: TrainingData;
  try {
    data = await loadTrainingData(engine, dataPath, {
      target: options.target,
      ...(options.flowPath ? { flowPath: options.flowPath } : {}),
      ...(options.problemType ? { problemType: options.problemType } : {}),
      ...(options.projectMissingTokens ? { projectMissingTokens: options.projectMissingTokens } : {}),
      ...(options.dateOrder ? { dateOrder: options.dateOrder } : {}),
      ...(options.python ? { python: options.python } : {}),
    });
  } finally {
    engine.close();
  }
  // The report's judgement before the search: ids, constants and empties out (listed), leaks refused.
  const screened = screenFeatures(data.frame, data.target, data.features, {
    ...(options.allowLeaks ? { allowLeaks: options.allowLeaks } : {}),
    where: dataPath,
    stats: { columns: data.columnStats, rows: data.rows.afterFlow, duplicateRows: data.duplicateRows },
  });
  data = {
    ...data,
    frame: screened.frame,
    features: screened.features,
    skipped: [
      ...data.skipped,
      ...screened.dropped,
      ...screened.allowedLeaks.map((l) => ({ name: l.name, reason: `kept although its prediction power is ${l.power.toFixed(3)} (allowed leak)` })),
    ],
  };
  for (const d of screened.dropped) progress({ phase: 'load', message: `left out "${d.name}": ${d.reason}` });
  // A flow step that cannot run on one record (a series' lag needs the earlier rows, python code
  // runs on batches) is said now, before the search: the endpoint would refuse every record, and
  // the pipeline does not make the model champion. Skipped steps (`serve: skip`) are checked
  // against the features the model reads.
  const serving = describeServingProblems(
    servingProblems(
      data.fitted,
      data.features.map((f) => f.name),
    ),
  );
  for (const line of serving) progress({ phase: 'load', message: `this model will not serve single records (the endpoint refuses them): ${line}` });
  for (const l of screened.allowedLeaks)
    progress({ phase: 'load', message: `kept "${l.name}" although its prediction power is ${l.power.toFixed(3)} (--allow-leak)` });
  if (data.frame.features.length === 0) {
    throw new SluiceError('TRAIN_NO_FEATURES', `no feature is left to train on: ${screened.dropped.map((d) => `"${d.name}" ${d.reason}`).join('; ')}`, {
      location: { file: dataPath },
      hint: 'the data needs at least one column that varies and is not an identifier',
    });
  }
  const fingerprint = await fileFingerprint(dataPath);
  progress({
    phase: 'load',
    message: `${data.rows.used} rows, ${data.features.length} features, ${data.problemType}${data.target.kind === 'classification' ? ` (${data.target.labels.length} classes)` : ''}${data.rows.missingTarget > 0 ? `; ${data.rows.missingTarget} rows without a target left out` : ''}`,
  });

  const timeLimit = options.timeLimit ?? defaultTimeLimit(data.rows.used, data.features.length);
  const spent = (performance.now() - started) / 1000;
  const budget = automlSeconds(timeLimit, spent, Math.min(MAX_HOLDOUT_ROWS, Math.round(data.rows.used * holdout)));
  progress({
    phase: 'load',
    message: `time limit ${timeLimit} s${options.timeLimit === undefined ? ' (default for this size: 1 s per 2,000 cells, 5 to 60 s; --time-limit to change)' : ''}: ${spent.toFixed(1)} s spent reading, ${budget.toFixed(1)} s for the search and refit${spent + budget > timeLimit ? ' (reading alone used the budget: the run will overrun it)' : ''}`,
  });
  const leaderboardPath = join(options.outDir, TRAIN_FILES.leaderboard);
  let automl;
  try {
    automl = await runAutoML(data.frame, data.target, {
      timeLimit: budget,
      // The baseline and the first default always train (a slow read or a busy machine must not
      // leave the baseline as "the model"); a limit under a second is taken literally.
      minCandidates: timeLimit >= 1 ? 2 : 0,
      seed,
      holdout,
      ...(options.metric ? { metric: options.metric } : {}),
      ...options.search,
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (e) => progress({ phase: e.phase, message: e.message, metric: e.metric, ...(e.entry ? { entry: e.entry } : {}) }),
    });
  } catch (e) {
    // A run that ends without a model still leaves its leaderboard: what was tried, skipped and why.
    const details = isSluiceError(e) ? (e.details as { leaderboard?: LeaderboardEntry[] } | undefined) : undefined;
    if (details?.leaderboard && isSluiceError(e)) {
      await atomicWriteFile(
        leaderboardPath,
        json({
          status: 'failed',
          error: { code: e.code, message: e.message },
          target: options.target,
          problemType: data.problemType,
          timeLimitSeconds: timeLimit,
          seed,
          entries: details.leaderboard,
        }),
      );
      throw new SluiceError(e.code, e.message, {
        hint: `${e.hint ?? 'raise the time limit'}; ${leaderboardPath} lists every candidate and why it was skipped`,
        details: e.details,
        cause: e,
      });
    }
    throw e;
  }
  const { best, model } = automl;
  const leaderboard: Leaderboard = { ...automl.leaderboard, timeLimitSeconds: timeLimit };

  progress({ phase: 'report', message: 'evaluating the best model on the holdout' });
  const holdoutFrame = takeRows(data.frame, automl.holdoutRows);
  const holdoutTarget = takeTarget(data.target, automl.holdoutRows);
  const report = evaluateModel({
    model,
    frame: holdoutFrame,
    target: holdoutTarget,
    output: automl.holdoutOutput,
    leaderboard,
    best,
    seed,
    source: { file: basename(dataPath), sha256: fingerprint.sha256 },
    targetColumn: options.target,
    skippedColumns: data.skipped,
  });
  const facts = manifestFacts(dataPath, data, leaderboard, best, model, fingerprint, { seed, timeLimit, holdout }, serving);

  const modelDir = join(options.outDir, TRAIN_FILES.modelDir);
  const files = {
    modelDir,
    manifest: join(modelDir, ARTIFACT_FILES.manifest),
    leaderboard: leaderboardPath,
    reportJson: join(options.outDir, TRAIN_FILES.reportJson),
    reportHtml: join(options.outDir, TRAIN_FILES.reportHtml),
  };
  const manifest = await saveArtifact(modelDir, { model, fitted: data.fitted, facts });
  await atomicWriteFile(files.leaderboard, json({ status: 'ok', target: options.target, ...leaderboard, skippedColumns: data.skipped }));
  await atomicWriteFile(files.reportJson, json(report));
  await atomicWriteFile(files.reportHtml, renderModelReportHtml(report));
  progress({ phase: 'done', message: `wrote ${options.outDir}` });
  return { leaderboard, best, model, manifest, report, data, holdoutRows: automl.holdoutRows, files };
}

function manifestFacts(
  dataPath: string,
  data: TrainingData,
  lb: Leaderboard,
  best: LeaderboardEntry,
  model: Model,
  fingerprint: { sha256: string; bytes: number },
  run: { seed: number; timeLimit: number; holdout: number },
  serving: string[],
): ManifestFacts {
  const used = new Set(model.schema.map((s) => s.name));
  const recordId = data.fitted.flow.record_id;
  return {
    learner: best.learner,
    sluiceVersion: sluiceVersion(),
    problemType: lb.problemType,
    target: data.fitted.target ?? '',
    classLabels: model.labels,
    // Exactly the raw columns the fitted flow and the model read (src/training/inputSignature.ts).
    inputSignature: inputSignature(
      data.fitted,
      model.schema.map((s) => s.name),
    ),
    features: data.features.filter((f) => used.has(f.name)),
    ...(recordId ? { recordId } : {}),
    flow: { name: data.fitted.name, flowHash: data.fitted.flowHash, steps: data.fitted.steps.length },
    serving: serving.length ? { records: false, problems: serving } : { records: true },
    metric: lb.metric,
    metrics: {
      holdout: best.holdout ?? {},
      cv: { metric: lb.metric, mean: finite(best.cv?.mean), std: finite(best.cv?.std), folds: best.cv?.folds ?? [] },
    },
    trainingData: {
      file: basename(dataPath),
      sha256: fingerprint.sha256,
      bytes: fingerprint.bytes,
      rows: { ...data.rows, train: lb.trainRows, holdout: lb.holdoutRows },
    },
    seed: run.seed,
    timeLimitSeconds: run.timeLimit,
    holdoutFraction: run.holdout,
    createdAt: new Date().toISOString(),
  };
}

const finite = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';
