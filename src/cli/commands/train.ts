import { basename } from 'node:path';
import type { Command } from 'commander';
import { ARTIFACT_DIR, ARTIFACT_FILES } from '../../artifact/artifactFiles.js';
import { SluiceError } from '../../core/errors.js';
import type { Leaderboard, LeaderboardEntry } from '../../ml/automl/leaderboard.js';
import { isMetricName, METRIC_NAMES, METRICS, type MetricName } from '../../ml/metrics/metricRegistry.js';
import { projectReading, readingNote } from '../projectReading.js';
import { renderTable } from '../renderTable.js';
import type { TrainOptions } from '../../training/trainModel.js';

interface TrainFlags {
  target: string;
  flow?: string;
  problemType?: string;
  metric?: string;
  timeLimit?: string;
  maxCandidates?: string;
  seed?: string;
  holdout?: string;
  allowLeak: string[];
  out: string;
  dateOrder?: string;
}

/** `sluice train DATA --target COL --out DIR`: AutoML, the servable model, leaderboard and model report. */
export function register(program: Command): void {
  program
    .command('train')
    .description('train candidate models, pick the best on cross-validation, write the model, leaderboard and model report')
    .argument('<data>', 'CSV, Parquet or JSON-lines file')
    .requiredOption('-t, --target <column>', 'the column to predict')
    .requiredOption(
      '-o, --out <dir>',
      `output folder: ${ARTIFACT_DIR}/ (the artifact: ${ARTIFACT_FILES.manifest}, ${ARTIFACT_FILES.model}, ${ARTIFACT_FILES.fittedFlow}), leaderboard.json, model-report.*`,
    )
    .option('--flow <file>', 'flow to fit on the data first; the model trains on its output')
    .option('--problem-type <type>', 'classification or regression (detected when absent)')
    .option('--metric <name>', `selection metric: ${METRIC_NAMES.join(', ')} (default: f1 binary, accuracy multiclass, mse regression)`)
    .option('--time-limit <seconds>', 'seconds for the whole run, reading and writing included (default: 1 s per 2,000 cells of data, 5 to 60 s)')
    .option(
      '--max-candidates <n>',
      'stop the search after this many candidates (with --seed: the same models on any machine, if the time limit is not reached first)',
    )
    .option('--seed <n>', 'random seed (splits, search, subsampling)', '0')
    .option('--holdout <fraction>', 'fraction of rows held out for the final score', '0.2')
    .option(
      '--allow-leak <column>',
      'keep this feature although it predicts the target almost alone (prediction power >= 0.98); repeat for several',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--date-order <order>', 'dmy or mdy: how to read dates such as 12/06/1998 (default: sluice.yaml dateOrder; without one they stay text)')
    .action(async (data: string, flags: TrainFlags) => {
      const options = parseFlags(flags);
      const reading = await projectReading(flags);
      process.stderr.write(readingNote(reading));
      const { trainModel } = await import('../../training/trainModel.js');
      const started = Date.now();
      const shown = candidateLines();
      const r = await trainModel(data, {
        ...options,
        // The limit counts from the process start: Node's start-up and the imports are part of the run.
        startedAtMs: 0,
        ...(reading.missingTokens ? { projectMissingTokens: reading.missingTokens } : {}),
        ...(reading.dateOrder ? { dateOrder: reading.dateOrder } : {}),
        ...(reading.python ? { python: reading.python } : {}),
        onProgress: (e) => {
          if (e.phase === 'search' && e.entry) {
            const x = e.entry;
            if (!shown(x, e.metric)) return;
            const score = x.cv ? `${x.cv.mean.toPrecision(4)}${Number.isFinite(x.cv.std) ? ` ± ${x.cv.std.toPrecision(2)}` : ''}` : '';
            process.stderr.write(
              `  ${x.id.padEnd(4)} ${x.learner.padEnd(9)} ${x.status.padEnd(7)} ${score}${x.reason ? `  (${x.reason})` : ''}${x.fitSeconds !== undefined ? `  ${x.fitSeconds.toFixed(2)} s/fold` : ''}\n`,
            );
          } else {
            process.stderr.write(`${e.phase === 'load' || e.phase === 'report' || e.phase === 'done' ? '· ' : '· '}${e.message}\n`);
          }
        },
      });
      const lb = r.leaderboard;
      process.stdout.write(renderLeaderboard(lb, r.files.leaderboard));
      process.stderr.write(
        `best: ${r.best.id} (${r.best.learner}), holdout ${lb.metric} ${r.best.holdout?.[lb.metric]?.toPrecision(4) ?? '–'} · ${lb.entries.length} candidates in ${((Date.now() - started) / 1000).toFixed(1)} s\nwrote ${r.files.modelDir}/ (manifest ${basename(r.files.manifest)}), ${r.files.leaderboard}, ${r.files.reportHtml}\n`,
      );
    });
}

/** The leaderboard as the terminal shows it: the top 20 rows as a table, then the count of all and where they are. */
export function renderLeaderboard(lb: Leaderboard, jsonPath: string): string {
  const f = (v: number | undefined, digits = 4): string => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
  const rows = lb.entries.slice(0, TOP_ROWS).map((e) => ({
    '': e.best ? '★' : '',
    id: e.id,
    learner: e.learner,
    status: e.status,
    [`cv ${lb.metric}`]: f(e.cv?.mean),
    '± std': f(e.cv?.std),
    [`holdout ${lb.metric}`]: f(e.holdout?.[lb.metric]),
    'holdout log_loss': f(e.holdout?.log_loss),
    'fit s': f(e.fitSeconds, 2),
    note: e.reason ?? '',
  }));
  const cols = Object.keys(rows[0] ?? {}).filter((c) => c !== 'holdout log_loss' || lb.problemType !== 'regression');
  return `${renderTable(cols, rows, 60)}\n${leaderboardCount(lb.entries, TOP_ROWS)}; the full leaderboard: ${jsonPath}\n`;
}

/** Leaderboard rows shown on the terminal (the JSON keeps all). */
export const TOP_ROWS = 20;

/** "top 20 of 2,620 candidates (1,210 ok, 1,380 pruned, 30 failed)": what the table shows of the whole. */
export function leaderboardCount(entries: readonly LeaderboardEntry[], top: number): string {
  const by = new Map<string, number>();
  for (const e of entries) by.set(e.status, (by.get(e.status) ?? 0) + 1);
  const parts = [...by].map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ');
  return `${entries.length > top ? `top ${top} of ` : ''}${entries.length.toLocaleString('en-US')} candidate${entries.length === 1 ? '' : 's'} (${parts})`;
}

/**
 * Which finished candidates get a progress line: the first 20, then only a new best (by
 * cross-validated score) and failures, so a long search on small data does not flood the terminal.
 */
function candidateLines(): (e: LeaderboardEntry, metric?: MetricName) => boolean {
  let count = 0;
  let best: number | undefined;
  return (e, metric) => {
    count++;
    const score = e.status === 'ok' ? e.cv?.mean : undefined;
    const higher = metric ? METRICS[metric].higherIsBetter : true;
    const isBest = score !== undefined && Number.isFinite(score) && (best === undefined || (higher ? score > best : score < best));
    if (isBest) best = score;
    return count <= TOP_ROWS || isBest || e.status === 'failed';
  };
}

/** The train options the flags give (the rest are the project's or trainModel's defaults). */
function parseFlags(flags: TrainFlags): Pick<TrainOptions, 'target' | 'outDir' | 'flowPath' | 'problemType' | 'metric' | 'timeLimit' | 'allowLeaks'> & {
  search?: { maxCandidates: number };
  seed: number;
  holdout: number;
} {
  const pt = flags.problemType;
  if (pt !== undefined && pt !== 'classification' && pt !== 'regression') {
    throw new SluiceError('CLI_USAGE', `--problem-type must be classification or regression, not "${pt}"`, {
      hint: 'omit it to detect the type from the target',
    });
  }
  if (flags.metric !== undefined && !isMetricName(flags.metric)) {
    throw new SluiceError('CLI_USAGE', `unknown metric "${flags.metric}"`, { hint: `use one of: ${METRIC_NAMES.join(', ')}` });
  }
  const number = (name: string, v: string | undefined, check: (x: number) => boolean, hint: string): number => {
    const x = Number(v);
    if (v === undefined || v.trim() === '' || !Number.isFinite(x) || !check(x))
      throw new SluiceError('CLI_USAGE', `${name} must be ${hint}, not "${v}"`, {
        hint: `e.g. ${name} ${name === '--holdout' ? '0.2' : name === '--seed' ? '0' : name === '--max-candidates' ? '10' : '60'}`,
      });
    return x;
  };
  return {
    target: flags.target,
    outDir: flags.out,
    ...(flags.flow ? { flowPath: flags.flow } : {}),
    ...(pt ? { problemType: pt } : {}),
    ...(flags.metric ? { metric: flags.metric as MetricName } : {}),
    ...(flags.timeLimit !== undefined ? { timeLimit: number('--time-limit', flags.timeLimit, (x) => x > 0, 'a positive number of seconds') } : {}),
    ...(flags.maxCandidates !== undefined
      ? { search: { maxCandidates: number('--max-candidates', flags.maxCandidates, (x) => Number.isInteger(x) && x >= 1, 'a positive whole number') } }
      : {}),
    seed: number('--seed', flags.seed, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer'),
    holdout: number('--holdout', flags.holdout, (x) => x > 0 && x < 1, 'a fraction between 0 and 1'),
    ...(flags.allowLeak.length > 0 ? { allowLeaks: flags.allowLeak } : {}),
  };
}
