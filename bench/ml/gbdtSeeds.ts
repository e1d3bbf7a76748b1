/**
 * The holdout log loss of Sluice's GBDT and scikit-learn's HistGradientBoostingClassifier over
 * several draws of the benchmark's stratified 80/20 split, same data and hyperparameters as
 * bench/ml/gbdtBench.ts (issue 19, target 3: "equal or better log loss" on average, not on the
 * luck of one split).
 *
 *   node --import tsx bench/ml/gbdtSeeds.ts [--size 1m] [--seeds 0,1,2,3,4] [--threads 1]
 *
 * One fit of each side per split seed, in fresh processes (bench/ml/gbdtFit.ts and
 * bench/ml/hgb_fit.py), order alternating. Prints each seed's log loss and CPU seconds, then the
 * mean and standard deviation of each side and of the paired difference (Sluice − HGB). The
 * frames and split files stay in the printed folder, so single fits can be rerun on them.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { takeRows, takeTarget } from '../../src/ml/frame.js';
import { stratifiedHoldout } from '../../src/ml/splits/stratifiedHoldout.js';
import { prepareBenchData, TARGET } from './benchData.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const size = arg('size', '1m');
const seeds = arg('seeds', '0,1,2,3,4').split(',').map(Number);
const threads = arg('threads', '1');

const SKLEARN = { max_iter: 100, learning_rate: 0.1, max_leaf_nodes: 31, min_samples_leaf: 20, max_bins: 255, l2_regularization: 0, early_stopping: false };
const SLUICE = {
  maxIter: 100,
  learningRate: 0.1,
  maxLeaves: 31,
  minSamplesLeaf: 20,
  maxBins: 255,
  l2: 0,
  earlyStopping: false,
  subsample: 1,
  threads: Number(threads),
};
const env = { ...process.env, OMP_NUM_THREADS: threads, OMP_WAIT_POLICY: 'passive', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

interface Fit {
  cpu_s: number;
  log_loss: number;
}

const d = prepareBenchData(size);
process.stderr.write(`data in ${d.dir} (load ${loadavg()[0]!.toFixed(1)})\n`);
const rows: { seed: number; ours: Fit; theirs: Fit }[] = [];
for (const [i, seed] of seeds.entries()) {
  const split = stratifiedHoldout(d.target, { testFraction: 0.2, seed });
  const splitPath = join(d.dir, `split-${seed}.json`);
  writeFileSync(splitPath, JSON.stringify({ train: Array.from(split.train), test: Array.from(split.test) }));
  const frames = join(d.dir, `frames-${seed}.v8`);
  writeFileSync(
    frames,
    serialize({
      train: takeRows(d.frame, split.train),
      yTrain: takeTarget(d.target, split.train),
      test: takeRows(d.frame, split.test),
      yTest: takeTarget(d.target, split.test),
    }),
  );
  const sluice = (): Fit =>
    JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', new URL('./gbdtFit.ts', import.meta.url).pathname, frames, JSON.stringify(SLUICE)], {
        env,
      }).toString(),
    ) as Fit;
  const sklearn = (): Fit =>
    JSON.parse(
      execFileSync('/usr/bin/python3', [new URL('./hgb_fit.py', import.meta.url).pathname, d.csv, splitPath, TARGET, JSON.stringify(SKLEARN)], {
        env,
      }).toString(),
    ) as Fit;
  let ours: Fit;
  let theirs: Fit;
  if (i % 2 === 0) {
    ours = sluice();
    theirs = sklearn();
  } else {
    theirs = sklearn();
    ours = sluice();
  }
  rows.push({ seed, ours, theirs });
  process.stderr.write(
    `  seed ${seed}: sluice ${ours.log_loss.toFixed(4)} (${ours.cpu_s.toFixed(2)} CPU s), HGB ${theirs.log_loss.toFixed(4)} (${theirs.cpu_s.toFixed(2)} CPU s), load ${loadavg()[0]!.toFixed(1)}\n`,
  );
}

const stats = (xs: number[], digits = 5): string => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return `${m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
};
console.log(`\n## ${d.n} rows, split seeds ${seeds.join(', ')}, ${threads} thread(s)\n`);
console.log('| split seed | Sluice log loss | HGB log loss | Sluice − HGB | Sluice CPU s | HGB CPU s |');
console.log('|---|---|---|---|---|---|');
for (const { seed, ours, theirs } of rows) {
  const diff = ours.log_loss - theirs.log_loss;
  console.log(
    `| ${seed} | ${ours.log_loss.toFixed(5)} | ${theirs.log_loss.toFixed(5)} | ${diff >= 0 ? '+' : ''}${diff.toFixed(5)} | ${ours.cpu_s.toFixed(2)} | ${theirs.cpu_s.toFixed(2)} |`,
  );
}
const diffs = rows.map((r) => r.ours.log_loss - r.theirs.log_loss);
const losses = `${stats(rows.map((r) => r.ours.log_loss))} | ${stats(rows.map((r) => r.theirs.log_loss))} | ${stats(diffs)}`;
const cpu = (side: 'ours' | 'theirs'): string =>
  stats(
    rows.map((r) => r[side].cpu_s),
    2,
  );
const cpus = `${cpu('ours')} | ${cpu('theirs')}`;
console.log(`| mean ± sd | ${losses} | ${cpus} |`);
