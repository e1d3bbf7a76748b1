/**
 * The holdout log loss of Sluice's GBDT and scikit-learn's HistGradientBoostingClassifier over
 * several draws of the benchmark's stratified 80/20 split, same data and hyperparameters as
 * bench/ml/gbdtBench.ts (issue 19, target 3: "equal or better log loss" on average, not on the
 * luck of one split).
 *
 *   node --import tsx bench/ml/gbdtSeeds.ts [--size 1m] [--seeds 0,1,2,3,4] [--threads 1]
 *
 * One fit of each side per split seed, in fresh processes (bench/ml/gbdtFit.ts and
 * bench/ml/hgb_fit.py), order alternating. Prints each seed's log loss and CPU seconds, the mean
 * and standard deviation of each side and of the paired difference (Sluice − HGB), and the
 * verdict of bench/ml/pairedDifference.ts (the same table gbdtBench.ts prints). The frames and
 * split files stay in the printed folder, so single fits can be rerun on them.
 */
import { loadavg } from 'node:os';
import { prepareBenchData } from './benchData.js';
import { fitters } from './gbdtAgainstHgb.js';
import { fitOverSeeds, seedTable } from './logLossOverSeeds.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const size = arg('size', '1m');
const seeds = arg('seeds', '0,1,2,3,4').split(',').map(Number);
const threads = arg('threads', '1');

const d = prepareBenchData(size);
process.stderr.write(`data in ${d.dir} (load ${loadavg()[0]!.toFixed(1)})\n`);
const rows = fitOverSeeds(d, seeds, fitters(threads));
console.log(`\n## ${d.n} rows, split seeds ${seeds.join(', ')}, ${threads} thread(s)\n`);
for (const line of seedTable(rows)) console.log(line);
