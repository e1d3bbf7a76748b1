import { checkTrainingData } from '../checkTrainingData.js';
import { type Frame, frameSchema, type Target } from '../frame.js';
import { fitBinMapper } from '../gbdt/binMapper.js';
import { binFrame } from '../gbdt/binned.js';
import { buildHistClass, buildHistGH, HistogramPool } from '../gbdt/histogram.js';
import type { Tree } from '../gbdt/tree.js';
import { TreeGrower } from '../gbdt/treeGrower.js';
import { Rng } from '../random.js';
import { type ForestParams, resolveForestParams } from './forestParams.js';
import { ForestModel } from './forestModel.js';

/**
 * Trains a random forest on the gradient-boosting histogram machinery: each tree sees a
 * bootstrap sample (as integer row weights) and tries a random subset of features at each
 * split. Classification trees split on the Gini impurity (the variance of the one-hot class,
 * computed from per-class weight histograms) and store class frequencies in their leaves;
 * regression trees split on variance and store means. Tree `t` draws from `Rng(seed).derive(t)`,
 * so a forest does not depend on the order trees are built in.
 *
 * @example
 * const model = trainForest(frame, target, { nTrees: 200, minSamplesLeaf: 10 });
 */
export function trainForest(frame: Frame, target: Target, params: Partial<ForestParams> = {}, options: { deadline?: number } = {}): ForestModel {
  checkTrainingData(frame, target, 'forest');
  const p = resolveForestParams(params, target.kind);
  const mapper = fitBinMapper(frame, { maxBins: p.maxBins });
  const data = binFrame(mapper, frame);
  const n = data.nRows;
  const F = data.nFeatures;
  const classification = target.kind === 'classification';
  const k = classification ? target.labels.length : 1;
  const stride = k + 2;
  const mtry = p.maxFeatures === 'sqrt' ? Math.round(Math.sqrt(F)) : p.maxFeatures === 'third' ? Math.round(F / 3) : Math.round(p.maxFeatures * F);
  const grower = new TreeGrower(data, stride, {
    lambda: 0,
    minSamplesLeaf: p.minSamplesLeaf,
    minHessian: 0,
    minGain: 1e-12,
    catSmooth: 1,
    maxLeaves: Infinity,
    maxDepth: p.maxDepth,
    featuresPerNode: Math.max(1, Math.min(F, mtry)),
  });
  const pool = new HistogramPool(data.offsets[F]! * stride);
  const allFeats = Int32Array.from({ length: F }, (_, f) => f);
  const w = new Float64Array(n);
  const gh = new Float64Array(2 * n);
  const rows = new Uint32Array(n);
  const root = new Rng(p.seed);
  const m = Math.max(1, Math.round(n * p.sampleFraction));
  const trees: Tree[] = [];
  for (let t = 0; t < p.nTrees; t++) {
    if (options.deadline !== undefined && t > 0 && Date.now() > options.deadline) break;
    const rng = root.derive(t);
    w.fill(0);
    for (let i = 0; i < m; i++) w[rng.int(n)]!++;
    let nIn = 0;
    for (let r = 0; r < n; r++) if (w[r]! > 0) rows[nIn++] = r;
    let build;
    if (target.kind === 'classification') {
      const y = target.codes;
      build = (hist: Float64Array, rs: Uint32Array, s: number, e: number): void => buildHistClass(hist, data, null, rs, s, e, y, w, k);
    } else {
      const y = target.values;
      for (let r = 0; r < n; r++) {
        gh[2 * r] = w[r]! * y[r]!;
        gh[2 * r + 1] = w[r]!;
      }
      build = (hist: Float64Array, rs: Uint32Array, s: number, e: number): void => buildHistGH(hist, data, null, rs, s, e, gh, false);
    }
    const { tree } = grower.grow({ data, rows, nRows: nIn, allRows: false, stride, build, pool, feats: allFeats, rng });
    // Leaf values: class frequencies (or the mean) = channel sums / weight sum.
    for (let node = 0; node < tree.weight.length; node++) {
      const ws = tree.weight[node]!;
      for (let c = 0; c < k; c++) tree.value[node * k + c] = ws > 0 ? tree.value[node * k + c]! / ws : 0;
    }
    trees.push(tree);
  }
  return new ForestModel(target.kind, classification ? target.labels : [], frameSchema(frame), { ...p }, mapper, trees);
}
