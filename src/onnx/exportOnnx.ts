import { SluiceError } from '../core/errors.js';
import type { FittedFlow } from '../flow/fittedFlow.js';
import type { ModelJSON, Task } from '../ml/model.js';
import { sluiceVersion } from '../training/sluiceVersion.js';
import type { GraphColumn } from './graphColumn.js';
import { GraphBuilder, ML, OPSETS } from './GraphBuilder.js';
import { modelToOnnx } from './modelToOnnx.js';
import { encodeOnnxModel, type OnnxValueInfo } from './onnxProto.js';
import { planFlowGraph, type StepPlacement } from './planFlowGraph.js';
import { graphType } from './steps/stepConverter.js';
import { STEP_CONVERTERS } from './steps/index.js';

/** What an export holds and what its user must know, printed by the CLI and stored in the file's metadata. */
export interface OnnxExportSummary {
  format: 'onnx';
  irVersion: number;
  opsets: Record<string, number>;
  learner: string;
  task: Task;
  /** Class labels in the order of the probability columns (empty for regression). */
  labels: string[];
  /** One `[N, 1]` tensor per column: double for integer and float columns, string for text and booleans. */
  inputs: Array<{ name: string; type: string; tensor: GraphColumn['type'] }>;
  outputs: Array<{ name: string; tensor: string; shape: string; description: string }>;
  /** 0: the graph takes the raw records; k: apply steps 1..k of the fitted flow first. */
  startsAfter: number;
  /** The step that cannot be expressed and why (absent when the whole flow is in the graph). */
  barrier?: { step: number; kind: string; reason: string };
  steps: StepPlacement[];
  /** Where the graph's behaviour differs from Sluice's. */
  caveats: string[];
}

export interface OnnxExport {
  bytes: Uint8Array;
  summary: OnnxExportSummary;
}

const IR_VERSION = 10;

/**
 * Exports a trained model and the numeric steps of its fitted flow as one ONNX graph that
 * onnxruntime (or any runtime with the `ai.onnx.ml` opset 5 operators) serves. Steps that no
 * operator expresses stop the graph: it then starts after the last of them, and the summary
 * says which steps to apply first. Everything is computed in double, as Sluice computes it.
 *
 * @example
 * const { model, fitted } = await loadArtifact('out');
 * const { bytes, summary } = exportOnnx(model.toJSON(), fitted);
 * await writeFile('model.onnx', bytes);
 */
export function exportOnnx(model: ModelJSON, fitted: FittedFlow, options: { name?: string } = {}): OnnxExport {
  const features = model.schema.map((s) => s.name);
  const plan = planFlowGraph(fitted, features);
  if (plan.inputs.length === 0) {
    throw new SluiceError('ONNX_NO_INPUTS', 'the model reads no column, so an ONNX graph would have no input to take the batch from', {
      hint: 'a model without features predicts a constant; ONNX export needs at least one feature',
    });
  }
  const g = new GraphBuilder();
  const columns = new Map<string, GraphColumn>();
  const inputs: OnnxValueInfo[] = [];
  const summaryInputs: OnnxExportSummary['inputs'] = [];
  for (const c of plan.inputs) {
    const type = graphType(c.type);
    if (type === null) {
      throw new SluiceError('ONNX_INPUT_TYPE', `column "${c.name}" is ${c.type}; an ONNX graph input can be a number or text`, {
        location: { field: c.name },
        hint: 'derive numbers from dates in the flow (datetime_features) before the model reads them',
      });
    }
    columns.set(c.name, { tensor: c.name, type });
    inputs.push({
      name: c.name,
      elemType: type,
      shape: ['N', 1],
      doc: `${c.type} column${type === 'string' ? ' (empty string = missing)' : ' (NaN = missing)'}`,
    });
    summaryInputs.push({ name: c.name, type: c.type, tensor: type });
  }
  const caveats: string[] = [];
  for (const i of plan.graphSteps) {
    const step = fitted.steps[i]!;
    const converter = STEP_CONVERTERS.get(step.kind)!;
    converter.emit(g, step, columns);
    for (const c of converter.caveats?.(step) ?? []) caveats.push(`step ${i + 1} (${step.kind}): ${c}`);
  }
  if (summaryInputs.some((i) => i.tensor === 'string')) {
    caveats.push('text inputs have no null in ONNX: an empty string is read as a missing value');
  }
  const output = modelToOnnx(g, model, (name) => {
    const c = columns.get(name);
    if (!c) {
      throw new SluiceError('ONNX_FLOW_MISMATCH', `the fitted flow does not produce "${name}", which the model reads`, {
        location: { field: name },
        hint: 'export a model together with the fitted flow it was trained after',
      });
    }
    return c;
  });

  const taken = new Set(plan.inputs.map((c) => c.name));
  const unique = (want: string): string => {
    let n = want;
    while (taken.has(n)) n = `${n}_`;
    taken.add(n);
    return n;
  };
  const outputs: OnnxValueInfo[] = [];
  const summaryOutputs: OnnxExportSummary['outputs'] = [];
  if (model.task === 'classification') {
    const k = model.labels.length;
    const labelName = unique('predicted_label');
    const probaName = unique('probabilities');
    const best = g.op('ArgMax', [output], { axis: 1, keepdims: 0 });
    const labels = g.tensor('labels', { dims: [k], type: 'string', data: model.labels });
    g.nodes.push({
      opType: 'Gather',
      name: g.fresh('label_node'),
      inputs: [labels, best],
      outputs: [labelName],
      attributes: { axis: { kind: 'int', value: 0 } },
    });
    g.nodes.push({ opType: 'Identity', name: g.fresh('proba_node'), inputs: [output], outputs: [probaName] });
    outputs.push({ name: labelName, elemType: 'string', shape: ['N'] }, { name: probaName, elemType: 'double', shape: ['N', k] });
    summaryOutputs.push(
      { name: labelName, tensor: 'string', shape: '[N]', description: 'the most probable class (the first on a tie, as Sluice)' },
      { name: probaName, tensor: 'double', shape: `[N, ${k}]`, description: `class probabilities in label order: ${model.labels.join(', ')}` },
    );
  } else {
    const valueName = unique('prediction');
    g.nodes.push({ opType: 'Identity', name: g.fresh('value_node'), inputs: [output], outputs: [valueName] });
    outputs.push({ name: valueName, elemType: 'double', shape: ['N', 1] });
    summaryOutputs.push({ name: valueName, tensor: 'double', shape: '[N, 1]', description: 'the predicted value' });
  }

  const summary: OnnxExportSummary = {
    format: 'onnx',
    irVersion: IR_VERSION,
    opsets: { 'ai.onnx': OPSETS.onnx, [ML]: OPSETS.ml },
    learner: model.learner,
    task: model.task,
    labels: model.labels,
    inputs: summaryInputs,
    outputs: summaryOutputs,
    startsAfter: plan.startsAfter,
    ...(plan.barrier ? { barrier: plan.barrier } : {}),
    steps: plan.steps,
    caveats,
  };
  const bytes = encodeOnnxModel({
    irVersion: IR_VERSION,
    opsets: [
      { domain: '', version: OPSETS.onnx },
      { domain: ML, version: OPSETS.ml },
    ],
    producerName: 'sluice',
    producerVersion: sluiceVersion(),
    doc: `${model.learner} ${model.task} model${options.name ? ` ${options.name}` : ''} with ${plan.graphSteps.length} step(s) of flow "${fitted.name}"; ${
      plan.startsAfter === 0 ? 'inputs are the raw columns' : `inputs are the columns after step ${plan.startsAfter} (${plan.barrier?.kind})`
    }`,
    graph: { name: options.name ?? fitted.name, nodes: g.nodes, initializers: g.initializers, inputs, outputs },
    metadata: { 'sluice.export': JSON.stringify(summary), 'sluice.labels': JSON.stringify(model.labels) },
  });
  return { bytes, summary };
}
