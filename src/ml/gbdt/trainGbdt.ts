import { alignFrame } from '../alignFrame.js';
import { checkTrainingData } from '../checkTrainingData.js';
import { type Frame, frameSchema, takeRows, takeTarget, type Target } from '../frame.js';
import { Rng, sampleWithoutReplacement } from '../random.js';
import { stratifiedHoldout } from '../splits/stratifiedHoldout.js';
import { fitBinMapper } from './binMapper.js';
import { type Binned, binFrame } from './binned.js';
import { type GbdtParams, resolveGbdtParams } from './gbdtParams.js';
import { GbdtModel } from './gbdtModel.js';
import { histEngine } from './histEngine.js';
import { initialRaw, type LossName, meanLoss } from './loss.js';
import { buildSparseRows, modeBins } from './sparseRows.js';
import { addTreeOutput, type Tree } from './tree.js';
import { TreeGrower } from './treeGrower.js';

export interface GbdtTrainOptions {
  /** Rows to early-stop on; without it, `validationFraction` of the training rows are held out. */
  validation?: { frame: Frame; target: Target };
  /** Epoch milliseconds after which no new iteration starts (the model keeps what it has). */
  deadline?: number;
}

/**
 * Trains histogram gradient-boosted trees (binary log loss, multiclass softmax or squared
 * error, chosen from the target).
 *
 * Each iteration computes gradients, then grows one tree per raw-score column on binned
 * features; leaf values are `-learningRate * G / (H + l2)`. Training predictions are updated
 * through the leaves' row segments, never by traversing the tree. With early
 * stopping the model is rolled back to the iteration with the best validation loss.
 *
 * @example
 * const model = trainGbdt(frame, target, { learningRate: 0.05, maxLeaves: 63 });
 * const proba = model.predictProba(newFrame);
 */
export function trainGbdt(frame: Frame, target: Target, params: Partial<GbdtParams> = {}, options: GbdtTrainOptions = {}): GbdtModel {
  checkTrainingData(frame, target, 'gbdt');
  const p = resolveGbdtParams(params, frame.nRows);
  const schema = frameSchema(frame);
  const es = p.earlyStopping === 'auto' ? options.validation !== undefined || frame.nRows > 10_000 : p.earlyStopping;
  let trainFrame = frame;
  let trainTarget = target;
  let valFrame = options.validation?.frame;
  let valTarget = options.validation?.target;
  if (es && !options.validation) {
    const split = stratifiedHoldout(target, { testFraction: p.validationFraction, seed: p.seed });
    trainFrame = takeRows(frame, split.train);
    trainTarget = takeTarget(target, split.train);
    valFrame = takeRows(frame, split.test);
    valTarget = takeTarget(target, split.test);
  }

  const mapper = fitBinMapper(trainFrame, { maxBins: p.maxBins });
  const data = binFrame(mapper, trainFrame);
  const valData = es && valFrame ? binFrame(mapper, alignFrame(schema, valFrame)) : null;
  const labels = trainTarget.kind === 'classification' ? trainTarget.labels : [];
  const loss: LossName = trainTarget.kind === 'regression' ? 'squared_error' : labels.length === 2 ? 'binary' : 'multiclass';
  const K = loss === 'multiclass' ? labels.length : 1;
  const y = trainTarget.kind === 'classification' ? trainTarget.codes : trainTarget.values;
  const yVal = valTarget ? (valTarget.kind === 'classification' ? valTarget.codes : valTarget.values) : null;

  const n = data.nRows;
  const init = initialRaw(loss, y, labels.length);
  const valRaw = valData ? new Float64Array(valData.nRows * K) : null;
  if (valRaw && valData) for (let r = 0; r < valData.nRows; r++) valRaw.set(init, r * K);

  const identity = new Uint32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const oob = new Uint32Array(n);
  // Sparse rows pay off when many cells hold their feature's most frequent bin (see SparseRows).
  const modes = modeBins(data);
  const sparse = modes.skipped >= SPARSE_MIN_SKIPPED ? buildSparseRows(data, modes) : null;
  const engine = histEngine(data, sparse, {
    K,
    loss,
    y,
    threads: p.threads,
    liveHistograms: Number.isFinite(p.maxLeaves) ? p.maxLeaves + 2 : 16,
  });
  // Training scores are column-major (`raw[k * n + r]`) so a tree's update walks one column.
  const raw = engine.raw;
  for (let k = 0; k < K; k++) raw.fill(init[k]!, k * n, (k + 1) * n);
  const { gh, rows, pool } = engine;
  const grower = new TreeGrower(data, 3, {
    lambda: p.l2,
    minSamplesLeaf: p.minSamplesLeaf,
    minHessian: p.minHessian,
    minGain: p.minGain,
    catSmooth: p.catSmooth,
    maxLeaves: p.maxLeaves,
    maxDepth: p.maxDepth,
    featuresPerNode: 0,
  });
  const rng = new Rng(p.seed);
  const F = data.nFeatures;
  const allFeats = Int32Array.from({ length: F }, (_, f) => f);
  const nFeatTree = Math.max(1, Math.round(F * p.featureFraction));
  const nSample = Math.max(1, Math.round(n * p.subsample));

  const trees: Tree[] = [];
  const history: number[] = [];
  let best = Infinity;
  let bestIter = 0;
  let stoppedBy: 'maxIter' | 'earlyStopping' | 'deadline' = 'maxIter';
  try {
    for (let iter = 0; iter < p.maxIter; iter++) {
      if (options.deadline !== undefined && iter > 0 && Date.now() > options.deadline) {
        stoppedBy = 'deadline';
        break;
      }
      const sample = nSample < n ? sampleWithoutReplacement(rng, n, nSample) : null;
      engine.gradients(sample);
      const unsampled = sample ? complement(sample, n) : null;
      // Every tree of the iteration starts from every row: the engine may build their roots at once.
      let roots = sample === null && nFeatTree >= F && K > 1 && engine.rootHistograms ? Array.from({ length: K }, () => pool.acquire()) : null;
      if (roots && !engine.rootHistograms!(roots)) {
        for (const h of roots) pool.release(h);
        roots = null;
      }
      for (let k = 0; k < K; k++) {
        rows.set(sample ?? identity);
        if (unsampled) oob.set(unsampled);
        const feats = nFeatTree < F ? rng.shuffle(Int32Array.from(allFeats)).subarray(0, nFeatTree).sort() : null;
        const ghk = gh.subarray(k * 2 * n, (k + 1) * 2 * n);
        const { tree, leaves } = grower.grow({
          data,
          rows,
          nRows: sample ? sample.length : n,
          allRows: sample === null,
          stride: 3,
          build: engine.builder(ghk, feats),
          ...(roots ? { rootHist: roots[k]! } : {}),
          ...(engine.partition ? { partition: engine.partition } : {}),
          pool,
          feats: feats ?? allFeats,
          rng,
          ...(unsampled ? { oob, nOob: unsampled.length } : {}),
        });
        setLeafValues(tree, p.learningRate, p.l2);
        const kn = k * n;
        // Every row's score moves by its leaf's value: sampled rows and, partitioned alongside
        // them, the rows left out of this iteration's sample.
        for (const leaf of leaves) {
          const v = tree.value[leaf.node]!;
          engine.addToRows(k, leaf.start, leaf.end, v);
          for (let i = leaf.oobStart; i < leaf.oobEnd; i++) raw[kn + oob[i]!]! += v;
        }
        if (valRaw && valData) addTreeOutput(tree, valData as Binned, valRaw, K, k);
        trees.push(tree);
      }
      if (valRaw && yVal) {
        const vl = meanLoss(loss, valRaw, yVal, K);
        history.push(vl);
        if (vl < best - p.tol) {
          best = vl;
          bestIter = iter + 1;
        } else if (iter + 1 - bestIter >= p.nIterNoChange) {
          stoppedBy = 'earlyStopping';
          break;
        }
      }
    }
  } finally {
    engine.close();
  }
  if (valRaw && bestIter > 0) trees.length = bestIter * K;
  const kept = { ...p } as Record<string, unknown>;
  return new GbdtModel(trainTarget.kind, labels, schema, kept, loss, K, init, mapper, trees, history, stoppedBy);
}

/** Share of mode-bin cells from which histograms are built from sparse rows (measured: docs/benchmarks.md). */
const SPARSE_MIN_SKIPPED = 0.3;

/** The integers of [0, n) not in the sorted list `sample`. */
function complement(sample: Uint32Array, n: number): Uint32Array {
  const out = new Uint32Array(n - sample.length);
  let j = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (j < sample.length && sample[j] === i) j++;
    else out[o++] = i;
  }
  return out;
}

/** Leaf values `-lr * G / (H + l2)`, from the channel and hessian sums the grower left. */
function setLeafValues(tree: Tree, lr: number, l2: number): void {
  const v = tree.value;
  const w = tree.weight;
  for (let i = 0; i < v.length; i++) {
    const d = w[i]! + l2;
    v[i] = d > 0 ? (-lr * v[i]!) / d : 0;
  }
}
