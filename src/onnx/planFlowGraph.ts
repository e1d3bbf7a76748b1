import type { ColumnSchema } from '../core/types.js';
import type { FittedFlow, FittedStep } from '../flow/fittedFlow.js';
import { stepDef } from '../flow/steps/index.js';
import { STEP_CONVERTERS } from './steps/index.js';

/** Where a step of the fitted flow ends up in an export. */
export interface StepPlacement {
  /** 1-based, as Sluice numbers steps in messages. */
  step: number;
  kind: string;
  name?: string;
  /** `graph`: in the ONNX graph; `before`: to be applied before the graph; `unused`: not needed to predict. */
  placement: 'graph' | 'before' | 'unused';
  reason?: string;
}

export interface FlowGraphPlan {
  steps: StepPlacement[];
  /** The last step applied before the graph (1-based), or 0 when the graph starts from the raw records. */
  startsAfter: number;
  /** Why the graph starts after that step (what cannot be expressed). */
  barrier?: { step: number; kind: string; reason: string };
  /** The graph's input columns, with their types at that point. */
  inputs: ColumnSchema[];
  /** The indexes (0-based) of the steps the graph holds, in order. */
  graphSteps: number[];
}

/**
 * Decides which steps of a fitted flow go into the graph, walking back from the model's
 * features: a step matters if it writes a column that the model or a later step in the graph
 * reads. Steps that only remove or reorder rows do not run at prediction time, nor do steps
 * whose columns nothing reads (the record id, the event time, the target's cleaning). The
 * last step that matters and that no converter expresses is where the graph starts: its
 * inputs are the columns after that step.
 */
export function planFlowGraph(fitted: FittedFlow, features: string[]): FlowGraphPlan {
  const want = new Set(features);
  const placements: StepPlacement[] = fitted.steps.map((s, i) => ({
    step: i + 1,
    kind: s.kind,
    ...(typeof s.spec.name === 'string' ? { name: s.spec.name } : {}),
    placement: 'unused',
  }));
  const graphSteps: number[] = [];
  let barrier: FlowGraphPlan['barrier'];
  for (let i = fitted.steps.length - 1; i >= 0; i--) {
    const s = fitted.steps[i]!;
    const def = stepDef(s.kind);
    const p = placements[i]!;
    if (def?.rowsOnly) {
      p.reason = 'removes or reorders rows, which prediction does not do';
      continue;
    }
    const reads = def ? def.inputs(s.spec, { columns: s.input, target: fitted.target, mode: 'serve', index: i }) : s.input.map((c) => c.name);
    const writes = written(s, reads);
    if (!writes.some((c) => want.has(c))) {
      p.reason = 'writes no column the model reads';
      continue;
    }
    const converter = STEP_CONVERTERS.get(s.kind);
    const why = converter ? converter.check(s, want) : `ONNX export has no operators for ${s.kind} steps`;
    if (why !== null) {
      barrier = { step: i + 1, kind: s.kind, reason: why };
      for (let k = 0; k <= i; k++) placements[k] = { ...placements[k]!, placement: 'before', reason: undefined };
      placements[i]!.reason = why;
      break;
    }
    p.placement = 'graph';
    p.reason = undefined;
    graphSteps.unshift(i);
    const needs = converter!.needs ? converter!.needs(s, want) : reads;
    for (const c of writes) want.delete(c);
    for (const c of needs) want.add(c);
  }
  for (const p of placements) if (p.reason === undefined) delete p.reason;
  const at: ColumnSchema[] = barrier ? fitted.steps[barrier.step - 1]!.output : fitted.input;
  const inputs = at.filter((c) => want.has(c.name) && c.name !== fitted.target).map((c) => ({ name: c.name, type: c.type }));
  return { steps: placements, startsAfter: barrier?.step ?? 0, ...(barrier ? { barrier } : {}), inputs, graphSteps };
}

/** The columns a step may change: the ones it adds, and the ones it reads and keeps. */
function written(s: FittedStep, reads: string[]): string[] {
  const before = new Set(s.input.map((c) => c.name));
  const read = new Set(reads);
  return s.output.map((c) => c.name).filter((c) => !before.has(c) || read.has(c));
}
