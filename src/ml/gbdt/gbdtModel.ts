import type { FeatureSchema, Frame } from '../frame.js';
import { alignFrame } from '../alignFrame.js';
import { Model, type ModelJSON, type RowScorer, type RowsScorer } from '../model.js';
import { gbdtScorers } from './gbdtRowScorer.js';
import type { BinMapper } from './binMapper.js';
import { binColumns, binLayout } from './binned.js';
import { type PackedTrees, packedRawScores, packTrees } from './packedTrees.js';
import { type LossName, rawToOutput } from './loss.js';
import type { Tree } from './tree.js';
import { binMapperFromJSON, binMapperToJSON, type FeatureBinsJSON, type TreeJSON, treeFromJSON, treeToJSON } from './treeJson.js';

export interface GbdtBody {
  loss: LossName;
  /** Raw-score columns: 1 for binary and regression, k for multiclass. */
  columns: number;
  init: number[];
  bins: FeatureBinsJSON[];
  trees: TreeJSON[];
  /** Iterations kept (after early stopping rolled back to the best one). */
  iterations: number;
  /** Validation loss after each iteration, when early stopping was on. */
  validationLoss: number[];
  stoppedBy: 'maxIter' | 'earlyStopping' | 'deadline';
}

/** A trained gradient-boosted tree ensemble. Tree `t` adds to raw column `t % columns`. */
export class GbdtModel extends Model {
  readonly learner = 'gbdt' as const;

  constructor(
    task: 'classification' | 'regression',
    labels: string[],
    schema: FeatureSchema[],
    params: Record<string, unknown>,
    readonly loss: LossName,
    readonly columns: number,
    readonly init: Float64Array,
    readonly mapper: BinMapper,
    readonly trees: Tree[],
    readonly validationLoss: number[],
    readonly stoppedBy: GbdtBody['stoppedBy'],
  ) {
    super(task, labels, schema, params);
  }

  get iterations(): number {
    return this.trees.length / this.columns;
  }

  /**
   * Raw scores (logits or values) before the link function: the frame's column-major bins
   * walked through the packed trees (bit for bit the tree-by-tree sums of `addTreeOutput`,
   * without the row-major histogram slots that only training reads).
   */
  rawScores(frame: Frame): Float64Array {
    const n = frame.nRows;
    const bins = binColumns(this.mapper, alignFrame(this.schema, frame));
    const raw = new Float64Array(n * this.columns);
    const { packed, channel } = this.scoring();
    packedRawScores(packed, channel, this.init, bins, n, raw);
    return raw;
  }

  private packedTrees?: { packed: PackedTrees; channel: Int32Array };

  /** The trees packed for scoring, made on first use. */
  private scoring(): { packed: PackedTrees; channel: Int32Array } {
    if (!this.packedTrees) {
      const { nBins } = binLayout(this.mapper);
      const K = this.columns;
      this.packedTrees = { packed: packTrees(this.trees, nBins), channel: Int32Array.from(this.trees, (_, i) => i % K) };
    }
    return this.packedTrees;
  }

  output(frame: Frame): Float64Array {
    return rawToOutput(this.loss, this.rawScores(frame), frame.nRows, this.columns);
  }

  override rowScorer(): RowScorer {
    return gbdtScorers(this).one;
  }

  override rowsScorer(): RowsScorer {
    return gbdtScorers(this).many;
  }

  /**
   * Total split gain of each feature, normalised to sum to 1 (LightGBM's "gain" importance).
   */
  featureImportance(): { name: string; importance: number }[] {
    const imp = new Float64Array(this.schema.length);
    for (const t of this.trees) for (let i = 0; i < t.feature.length; i++) if (t.feature[i]! >= 0) imp[t.feature[i]!]! += t.gain[i]!;
    const total = imp.reduce((a, b) => a + b, 0) || 1;
    return this.schema.map((s, i) => ({ name: s.name, importance: imp[i]! / total }));
  }

  protected body(): GbdtBody {
    return {
      loss: this.loss,
      columns: this.columns,
      init: Array.from(this.init),
      bins: binMapperToJSON(this.mapper),
      trees: this.trees.map(treeToJSON),
      iterations: this.iterations,
      validationLoss: this.validationLoss,
      stoppedBy: this.stoppedBy,
    };
  }

  static fromJSON(j: ModelJSON): GbdtModel {
    const b = j.body as GbdtBody;
    return new GbdtModel(
      j.task,
      j.labels,
      j.schema,
      j.params,
      b.loss,
      b.columns,
      Float64Array.from(b.init),
      binMapperFromJSON(b.bins),
      b.trees.map(treeFromJSON),
      b.validationLoss,
      b.stoppedBy,
    );
  }
}
