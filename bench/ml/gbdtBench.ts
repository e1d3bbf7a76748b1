/**
 * Sluice's GBDT against scikit-learn's HistGradientBoostingClassifier with the same
 * hyperparameters, fits interleaved in one run (issue 19, target 3).
 *
 *   node --import tsx bench/ml/gbdtBench.ts [--sizes 70k,1m] [--runs 5] [--threads 1] [--split-seeds 5]
 *
 * Both sides read the same rows (bench/ml/benchData.ts) and use the same stratified 80/20 split;
 * each fit runs in a fresh process (Sluice: bench/ml/gbdtFit.ts; scikit-learn:
 * bench/ml/hgb_fit.py with OMP_NUM_THREADS set to `--threads` and OMP_WAIT_POLICY=passive, so idle
 * OpenMP threads sleep instead of spinning on a shared machine; Sluice with its `threads` setting
 * at the same value), alternating which side goes
 * first. Hyperparameters: bench/ml/gbdtAgainstHgb.ts. Prints medians of the fit's CPU seconds (user + system, every thread)
 * and wall seconds, their ratios, the holdout log loss and the load average before and after.
 *
 * Log loss is then judged over `--split-seeds` N draws of the split (seeds 0..N-1; seed 0 is the
 * timed runs' split, not fitted again): one fit a side a seed, the paired differences, their
 * mean, standard error and one-sided 95% bounds, and the verdict "equal or better" when the
 * upper bound is under 0.001 (bench/ml/logLossOverSeeds.ts, bench/ml/pairedDifference.ts).
 * One split says little at 1M rows: its difference moves between −0.0004 and +0.0011 from
 * seed to seed. `--split-seeds 1` leaves the extra fits out.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { prepareBenchData, SEED_CSV } from './benchData.js';
import { type Fit, fitters, SKLEARN_PARAMS, sluiceParams, writeFrames } from './gbdtAgainstHgb.js';
import { readCsv } from './loadCsv.js';
import { fitOverSeeds, seedTable } from './logLossOverSeeds.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const sizes = arg('sizes', '70k,1m').split(',');
const runs = Number(arg('runs', '5'));
const threads = arg('threads', '1');
const splitSeeds = Number(arg('split-seeds', '5'));
if (!Number.isInteger(splitSeeds) || splitSeeds < 1) {
  process.stderr.write(`--split-seeds must be an integer >= 1 (split seeds 0..N-1), got ${arg('split-seeds', '5')}\n`);
  process.exit(2);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const load = (): string => loadavg()[0]!.toFixed(1);
const fit = fitters(threads);
const { fitSluice, fitSklearn } = fit;
const SLUICE = sluiceParams(Number(threads));

console.log(
  `Same hyperparameters on both sides: ${JSON.stringify(SKLEARN_PARAMS)}; Sluice ${JSON.stringify(SLUICE)}. ${threads} thread(s) on both sides (OMP_NUM_THREADS=${threads}, OMP_WAIT_POLICY=passive; Sluice's threads setting).`,
);
const base = readCsv(SEED_CSV);
for (const size of sizes) {
  const d = prepareBenchData(size, base);
  const frames = join(d.dir, 'frames.v8');
  writeFrames(frames, d.frame, d.target, d.split);
  const loadBefore = load();
  const ours: Fit[] = [];
  const theirs: Fit[] = [];
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) {
      theirs.push(fitSklearn(d.csv, d.splitPath));
      ours.push(fitSluice(frames));
    } else {
      ours.push(fitSluice(frames));
      theirs.push(fitSklearn(d.csv, d.splitPath));
    }
    process.stderr.write(`  ${size} run ${r + 1}: sluice ${ours[r]!.cpu_s.toFixed(2)} CPU s, sklearn ${theirs[r]!.cpu_s.toFixed(2)} CPU s (load ${load()})\n`);
  }
  const row = (name: string, fits: Fit[], ref: Fit[]): string => {
    const cpu = median(fits.map((f) => f.cpu_s));
    const wall = median(fits.map((f) => f.fit_s));
    const cpuRatio = cpu / median(ref.map((f) => f.cpu_s));
    const wallRatio = wall / median(ref.map((f) => f.fit_s));
    return `| ${name} | ${cpu.toFixed(2)} (${fits.map((f) => f.cpu_s.toFixed(2)).join(', ')}) | ${cpuRatio.toFixed(2)} | ${wall.toFixed(2)} | ${wallRatio.toFixed(2)} | ${fits[0]!.log_loss.toFixed(4)} | ${fits[0]!.iterations} |`;
  };
  console.log(
    `\n## ${d.n} rows (${d.split.train.length} train / ${d.split.test.length} holdout), ${threads} thread(s), load average ${loadBefore} → ${load()}\n`,
  );
  console.log('| fit | CPU s, median (runs) | CPU / HGB | wall s, median | wall / HGB | holdout log loss | iterations |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(row('scikit-learn HistGradientBoosting', theirs, theirs));
  console.log(row('**Sluice GBDT**', ours, theirs));
  if (splitSeeds > 1) {
    const seedLoad = load();
    const seeds = Array.from({ length: splitSeeds }, (_, s) => s);
    const pairs = fitOverSeeds(d, seeds, fit, [{ seed: 0, ours: ours[0]!, theirs: theirs[0]! }]);
    console.log(`\nLog loss over split seeds 0-${splitSeeds - 1} (seed 0: the runs above), load average ${seedLoad} → ${load()}:\n`);
    for (const line of seedTable(pairs)) console.log(line);
  }
}
