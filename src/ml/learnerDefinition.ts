/**
 * What a learner is to the rest of Sluice: one definition per learner (`ml/<learner>/<learner>Learner.ts`),
 * listed once in `ml/learners.ts`. The learner names, `trainByName`, `loadModel`, AutoML's search
 * space and fit-cost estimates, and the `model.learners` setting all derive from that list, and
 * test/ml/learnerConformance.test.ts runs every learner through the same checks.
 */
import type { Frame, Target } from './frame.js';
import type { Model, ModelJSON, Task } from './model.js';
import type { Rng } from './random.js';

/** How a learner is told to train: a deadline for iterative learners, rows to early-stop on. */
export interface LearnerTrainOptions {
  /** Epoch ms after which no new iteration or tree starts (the model keeps what it has). */
  deadline?: number;
  /** Rows to early-stop on; learners without early stopping ignore them. */
  validation?: { frame: Frame; target: Target };
}

/** One hyperparameter a learner accepts as plain JSON. */
export interface SettingSpec {
  /** JSON types allowed; `null` stands for "no limit" (Infinity) where listed. */
  types: readonly ('number' | 'integer' | 'boolean' | 'null')[];
  /** Words allowed besides the types (`'sqrt'`, `'auto'`). */
  words?: readonly string[];
  description: string;
}

export interface LearnerDefinition<N extends string = string> {
  readonly name: N;
  /** One line for docs and errors. */
  readonly description: string;
  /** The targets it can learn; AutoML offers it only for these. */
  readonly tasks: readonly Task[];
  /** Every hyperparameter it accepts; `trainByName` rejects any other (ranges are the trainer's to check). */
  readonly settings: Readonly<Record<string, SettingSpec>>;
  train(frame: Frame, target: Target, params: Record<string, unknown>, options: LearnerTrainOptions): Model;
  /** Rebuilds a model from the JSON its `toJSON` wrote. */
  load(json: ModelJSON): Model;
  readonly search: {
    /** Configurations AutoML tries first; `rank` places them among every learner's (ascending). */
    readonly defaults: readonly { rank: number; params: Record<string, unknown> }[];
    /** Share of AutoML's random draws for this learner (0: never drawn). */
    readonly weight: number;
    /** In every search, whatever `learners` says (the baseline: what learning nothing scores). */
    readonly always?: boolean;
    /** One random configuration; draws from `rng` only. */
    draw?(rng: Rng): Record<string, unknown>;
  };
  readonly cost: {
    /** Work units of one fit (what its loops grow with); seconds per unit are measured per machine. */
    units(params: Record<string, unknown>, rows: number, features: number): number;
    /** A short version of its default fit, timed to calibrate the cost. */
    readonly calibration: Record<string, unknown>;
  };
  /** Facts worth showing about a fitted model (iterations kept, why it stopped). */
  info?(model: Model): Record<string, unknown>;
}

/** A number setting of `params`, or `d` when absent or not finite. */
export function numberSetting(params: Record<string, unknown>, key: string, d: number): number {
  const v = params[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : d;
}

/** A drawn hyperparameter to three significant digits (readable leaderboards). */
export const round3 = (x: number): number => Number(x.toPrecision(3));
