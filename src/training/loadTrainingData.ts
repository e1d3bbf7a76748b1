import { basename, dirname, extname } from 'node:path';
import { SluiceError, isSluiceError } from '../core/errors.js';
import type { ColumnSchema } from '../core/types.js';
import { frameFromView, type FrameColumn } from '../data/frameFromView.js';
import type { Engine } from '../engine/Engine.js';
import type { FlowSpec } from '../flow/flowSchema.js';
import type { FittedFlow } from '../flow/fittedFlow.js';
import { loadFlow } from '../flow/loadFlow.js';
import { runFlow } from '../flow/runFlow.js';
import { detectProblemType, problemTypeOf, targetFromValues, type ProblemType } from '../ml/automl/problemType.js';
import type { Frame, Target } from '../ml/frame.js';

/** A feature as training saw it: its column type after the flow and how the model reads it. */
export interface TrainingFeature extends ColumnSchema {
  kind: 'numeric' | 'categorical';
}

export interface TrainingData {
  /** The flow fitted on the data (a flow with no steps when none was given). */
  fitted: FittedFlow;
  frame: Frame;
  target: Target;
  problemType: ProblemType;
  features: TrainingFeature[];
  /** Columns of the flow's output that are not features, with the reason. */
  skipped: Array<{ name: string; reason: string }>;
  rows: { file: number; afterFlow: number; missingTarget: number; used: number };
}

export interface LoadTrainingDataOptions {
  target: string;
  /** A flow file (YAML or JSON) to fit on the data first. */
  flowPath?: string;
  problemType?: 'classification' | 'regression';
}

/**
 * Reads a data file, fits the flow on it (or an empty flow, so serving still has a fitted flow
 * to apply), and builds the frame and target AutoML trains on. Features are the flow's output
 * columns except the target, the record id and the event time; numbers are numeric, text and
 * booleans categorical, and dates / timestamps are left out (a flow step can derive numbers
 * from them). Rows without a target value are left out and counted.
 */
export async function loadTrainingData(engine: Engine, dataPath: string, options: LoadTrainingDataOptions): Promise<TrainingData> {
  const spec = await flowFor(dataPath, options);
  let result;
  try {
    result = await runFlow(engine, { input: dataPath, flow: spec, sources: options.flowPath ? { baseDir: dirname(options.flowPath) } : undefined });
  } catch (e) {
    if (isSluiceError(e) && e.code === 'FLOW_MISSING_TARGET') {
      throw new SluiceError('TRAIN_MISSING_TARGET', `${options.flowPath ? 'the flow output' : 'the data'} has no target column "${options.target}"`, {
        location: { file: options.flowPath ?? dataPath, field: options.target },
        hint: `${e.hint ?? ''}; pass one of them to --target`,
      });
    }
    throw e;
  }
  const { fitted, relation } = result;
  const target = options.target;
  const notFeatures = new Map<string, string>([[target, 'target']]);
  if (spec.record_id) notFeatures.set(spec.record_id, 'record id of the flow');
  if (spec.event_time) notFeatures.set(spec.event_time, 'event time of the flow');
  const skipped: TrainingData['skipped'] = [];
  const features: TrainingFeature[] = [];
  for (const c of fitted.output) {
    const why = notFeatures.get(c.name);
    if (why) {
      if (c.name !== target) skipped.push({ name: c.name, reason: why });
    } else if (c.type === 'date' || c.type === 'timestamp') {
      skipped.push({ name: c.name, reason: `${c.type} column (derive numbers from it with a flow step to use it)` });
    } else {
      features.push({ ...c, kind: c.type === 'integer' || c.type === 'float' ? 'numeric' : 'categorical' });
    }
  }
  const targetType = fitted.output.find((c) => c.name === target)!.type;
  const numericTarget = targetType === 'integer' || targetType === 'float';
  if (options.problemType === 'regression' && !numericTarget) {
    throw new SluiceError('TRAIN_TARGET_NOT_NUMERIC', `the target "${target}" is ${targetType}, regression needs numbers`, {
      location: { field: target },
      hint: 'use --problem-type classification, or convert the column to numbers with a flow step',
    });
  }
  const loaded = await frameFromView(engine, relation, {
    features: features.map((f): FrameColumn => ({ name: f.name, kind: f.kind })),
    target: { column: target, cast: numericTarget && options.problemType !== 'classification' ? 'DOUBLE' : 'VARCHAR' },
  });
  const values = loaded.targetValues ?? [];
  const type: ProblemType = options.problemType === 'regression' ? 'regression' : options.problemType === 'classification' ? 'multiclass' : detectProblemType(values);
  const built = targetFromValues(values, type);
  return {
    fitted,
    frame: loaded.frame,
    target: built,
    problemType: problemTypeOf(built),
    features,
    skipped,
    rows: { file: fitted.rows.in, afterFlow: fitted.rows.out, missingTarget: fitted.rows.out - loaded.rows, used: loaded.frame.nRows },
  };
}

/** The flow to fit: the given one (its target must be ours), or one with no steps. */
async function flowFor(dataPath: string, options: LoadTrainingDataOptions): Promise<FlowSpec> {
  if (!options.flowPath) {
    return { version: 1, name: basename(dataPath, extname(dataPath)), target: options.target, steps: [] };
  }
  const spec = await loadFlow(options.flowPath);
  if (spec.target && spec.target !== options.target) {
    throw new SluiceError('TRAIN_TARGET_MISMATCH', `the flow's target is "${spec.target}", but --target is "${options.target}"`, {
      location: { file: options.flowPath, field: 'target' },
      hint: `use --target ${spec.target}, or change the flow's target`,
    });
  }
  return { ...spec, target: options.target };
}
