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
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { stratifiedHoldout } from '../../src/ml/splits/stratifiedHoldout.js';
import { prepareBenchData } from './benchData.js';
import { type Fit, fitters, writeFrames } from './gbdtAgainstHgb.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const size = arg('size', '1m');
const seeds = arg('seeds', '0,1,2,3,4').split(',').map(Number);
const threads = arg('threads', '1');

const { fitSluice, fitSklearn } = fitters(threads);

const d = prepareBenchData(size);
process.stderr.write(`data in ${d.dir} (load ${loadavg()[0]!.toFixed(1)})\n`);
const rows: { seed: number; ours: Fit; theirs: Fit }[] = [];
for (const [i, seed] of seeds.entries()) {
  const split = stratifiedHoldout(d.target, { testFraction: 0.2, seed });
  const splitPath = join(d.dir, `split-${seed}.json`);
  writeFileSync(splitPath, JSON.stringify({ train: Array.from(split.train), test: Array.from(split.test) }));
  const frames = join(d.dir, `frames-${seed}.v8`);
  writeFrames(frames, d.frame, d.target, split);
  const sluice = (): Fit => fitSluice(frames);
  const sklearn = (): Fit => fitSklearn(d.csv, splitPath);
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
