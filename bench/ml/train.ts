/**
 * Training benchmark: Sluice's learners against scikit-learn and XGBoost on identical rows.
 *
 *   node --import tsx bench/ml/train.ts [--sizes 70k,1m] [--runs 3] [--models gbdt,logistic,baseline,automl]
 *
 * For each size it writes the data (the seed CSV, or a seeded resample with noise) and a
 * stratified 80/20 split (seed 0) to a temporary folder, runs bench/ml/anchor.py there with
 * Debian's python and OMP_NUM_THREADS=1, runs ours in this process, and prints holdout metrics
 * and the median fit times (wall and CPU) with their ratios.
 */
import { execFileSync } from 'node:child_process';
import { takeRows, takeTarget, type Frame, type Target } from '../../src/ml/frame.js';
import { accuracy } from '../../src/ml/metrics/accuracy.js';
import { argmaxRows } from '../../src/ml/metrics/argmax.js';
import { logLoss } from '../../src/ml/metrics/logLoss.js';
import { macroF1 } from '../../src/ml/metrics/precisionRecallF1.js';
import { rocAuc } from '../../src/ml/metrics/rocAuc.js';
import type { Model } from '../../src/ml/model.js';
import { prepareBenchData, SEED_CSV, TARGET } from './benchData.js';
import { learners } from './learners.js';
import { readCsv } from './loadCsv.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const sizes = arg('sizes', '70k,1m').split(',');
const runs = Number(arg('runs', '3'));
const ours = arg('models', 'baseline,gbdt,logistic,forest,automl').split(',');
const theirs = arg('anchors', 'baseline,hgb,xgb,lr').split(',');
const timeLimit = Number(arg('time-limit', '60'));

interface Result {
  accuracy: number;
  macro_f1: number;
  roc_auc: number;
  log_loss: number;
  fit_s: number[];
  cpu_s: number[];
  predict_s?: number;
  note?: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function score(model: Model, test: Frame, y: Target): Omit<Result, 'fit_s' | 'cpu_s'> {
  const t0 = performance.now();
  const p = model.predictProba(test);
  const predict_s = (performance.now() - t0) / 1000;
  const k = model.labels.length;
  const codes = y.kind === 'classification' ? y.codes : new Int32Array();
  const pred = argmaxRows(p, k);
  return { accuracy: accuracy(codes, pred), macro_f1: macroF1(codes, pred, k), roc_auc: rocAuc(codes, p, k), log_loss: logLoss(codes, p, k), predict_s };
}

const base = readCsv(SEED_CSV);
for (const size of sizes) {
  const { n, csv, splitPath, frame, target, split } = prepareBenchData(size, base);
  const train = takeRows(frame, split.train);
  const yTrain = takeTarget(target, split.train);
  const test = takeRows(frame, split.test);
  const yTest = takeTarget(target, split.test);
  console.log(`\n## ${n} rows (${split.train.length} train / ${split.test.length} holdout), ${frame.features.length} features`);

  const anchorRuns = (m: string): number => (n > 200_000 && m !== 'hgb' && m !== 'baseline' ? 1 : runs);
  const results: Record<string, Result> = {};
  for (const m of theirs) {
    const out = execFileSync('/usr/bin/python3', [new URL('./anchor.py', import.meta.url).pathname, csv, splitPath, TARGET, String(anchorRuns(m)), m], {
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      maxBuffer: 1 << 26,
    }).toString();
    Object.assign(results, Object.fromEntries(Object.entries(JSON.parse(out) as Record<string, Result>).map(([k, v]) => [`sklearn:${k}`, v])));
  }
  for (const m of ours) {
    const learner = learners[m];
    if (!learner) throw new Error(`unknown model ${m}`);
    const fit_s: number[] = [];
    const cpu_s: number[] = [];
    let model: Model | undefined;
    let note = '';
    for (let r = 0; r < (m === 'automl' ? 1 : runs); r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const fitted = await learner(train, yTrain, { timeLimit });
      fit_s.push((performance.now() - t0) / 1000);
      cpu_s.push(process.cpuUsage(c0).user / 1e6);
      model = fitted.model;
      note = fitted.note ?? '';
    }
    results[`sluice:${m}`] = { ...score(model!, test, yTest), fit_s, cpu_s, note };
  }
  const hgb = results['sklearn:hgb'];
  console.log('| model | accuracy | macro F1 | ROC AUC | log loss | fit s (median) | CPU s (median) | fit / HGB | notes |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [name, r] of Object.entries(results)) {
    const ratio = hgb ? (median(r.fit_s) / median(hgb.fit_s)).toFixed(2) : '';
    console.log(
      `| ${name} | ${r.accuracy.toFixed(4)} | ${r.macro_f1.toFixed(4)} | ${r.roc_auc.toFixed(4)} | ${r.log_loss.toFixed(4)} | ${median(r.fit_s).toFixed(2)} (${r.fit_s.map((x) => x.toFixed(2)).join(', ')}) | ${median(r.cpu_s).toFixed(2)} | ${ratio} | ${r.note ?? ''} |`,
    );
  }
}
