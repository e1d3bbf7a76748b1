import { basename } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import { MAIN_INPUT, type FlowSpec } from '../flowSchema.js';
import type { ImportedStep, ImportNote, WranglerNode } from './ImportNote.js';
import { mapAnalyses } from './mapAnalyses.js';
import { mapNode } from './mapNode.js';
import { obj, operatorBase, str } from './params.js';
import { renderFlowYaml } from './renderFlowYaml.js';
import { wranglerGraph } from './wranglerGraph.js';

export type { ImportNote } from './ImportNote.js';

export interface ImportOptions {
  /** The `.flow` file's path, for messages, the YAML header and the default name. */
  file?: string;
  /** The flow's name; default: the file name without `.flow`. */
  name?: string;
}

export interface ImportResult {
  flow: FlowSpec;
  /** The flow as commented YAML, ready to write to `NAME.flow.yaml`. */
  yaml: string;
  /** Placeholders first, then warnings, then information. */
  notes: ImportNote[];
  /** Each step made (the inputs' first, then the flow's) with the node it came from, for the import table. */
  nodes: ImportedStep[];
}

const LEVEL_ORDER = { placeholder: 0, warning: 1, info: 2 } as const;

/**
 * Converts a SageMaker Data Wrangler `.flow` document (parsed JSON) into a Sluice flow.
 *
 * read nodes -> check ids, inputs, cycles -> walk the chain source..destination -> map each
 * transform to steps (or a placeholder) -> analyses to target and report -> commented YAML.
 *
 * Custom code and operators Sluice has no step for become `todo_custom_code` placeholders, which
 * `parseFlow` rejects until a person replaces them; each has a note that shows its code.
 *
 * @example
 * const { yaml, notes } = importWranglerFlow(JSON.parse(text), { file: 'HealthCare.flow' });
 */
export function importWranglerFlow(json: unknown, options: ImportOptions = {}): ImportResult {
  const file = options.file ?? '<flow>';
  const graph = wranglerGraph(json, file);
  const notes: ImportNote[] = [...graph.notes];
  const onChain = new Map(graph.chain.map((n, i) => [n.node_id, i]));

  const steps: ImportedStep[] = [];
  const sources: string[] = [];
  const inputs: NonNullable<FlowSpec['inputs']> = {};
  const onBranch = new Set<string>();
  const branchSteps: ImportedStep[] = [];
  for (const [i, node] of graph.chain.entries()) {
    if (node.type === 'SOURCE') sources.push(describeSource(node, notes));
    else if (node.type === 'DESTINATION') describeDestination(node, notes);
    else if (node.type === 'TRANSFORM') {
      let side: string | undefined;
      if (node.inputs.length > 1) {
        const branch = sideBranch(graph, node, onChain, inputs, notes, (fork) => forkPoint(fork, steps, graph, onChain, inputs));
        if (branch) {
          side = branch.name;
          if (branch.input) inputs[branch.name] = branch.input;
          branch.nodes.forEach((id) => {
            onBranch.add(id);
          });
          branchSteps.push(...branch.steps);
        }
        if (node.inputs.length > 2)
          notes.push({
            level: 'warning',
            node: node.node_id,
            operator: node.operator,
            message: `node ${node.node_id} combines ${node.inputs.length} inputs; only its first two are imported`,
          });
      }
      const mapped = mapNode(node, graph.chain[i + 1]?.inputs[0]?.output_name, side);
      steps.push(...mapped.steps);
      notes.push(...mapped.notes);
    } else if (node.type === 'DATASET') {
      notes.push({
        level: 'info',
        node: node.node_id,
        operator: node.operator,
        message: `node ${node.node_id} (${node.operator}) names a dataset of the flow (e.g. a split's part); it changes nothing and needs no step`,
      });
    } else {
      notes.push({
        level: 'warning',
        node: node.node_id,
        operator: node.operator,
        message: `node ${node.node_id} on the chain has type ${node.type}, which the importer does not convert; it is skipped`,
      });
    }
  }
  for (const node of graph.nodes) {
    if (!onChain.has(node.node_id) && !onBranch.has(node.node_id) && (node.type === 'TRANSFORM' || node.type === 'SOURCE')) {
      notes.push({
        level: 'warning',
        node: node.node_id,
        operator: node.operator,
        message: `node ${node.node_id} (${node.operator}${str(node.parameters, 'operator') ? `: ${str(node.parameters, 'operator')}` : ''}) is on a branch that does not lead to the imported destination; it is not imported`,
      });
    }
  }

  const lastTransform = graph.chain.map((n) => n.type).lastIndexOf('TRANSFORM');
  const analyses = mapAnalyses(graph.analyses, (id) => onChain.get(id) ?? -1, lastTransform);
  notes.push(...analyses.notes);

  const name = options.name ?? (basename(file).replace(/\.flow$/i, '') || 'imported-flow');
  const flow: FlowSpec = {
    version: 1,
    name,
    description: `Imported from the SageMaker Data Wrangler flow ${basename(file)}.${sources.length ? ` ${sources.join(' ')}` : ''}`,
    ...(analyses.target ? { target: analyses.target } : {}),
    ...(Object.keys(inputs).length ? { inputs } : {}),
    steps: steps.map((s) => s.step),
    ...(Object.keys(analyses.report).length ? { report: analyses.report } : {}),
  };
  const sideSteps = Object.values(inputs).flatMap((i) => i.steps);
  const placeholders = [...steps.map((s) => s.step), ...sideSteps].filter((s) => s.kind === 'todo_custom_code').length;
  const header = [
    `Imported by \`sluice flow import\` from the SageMaker Data Wrangler flow ${basename(file)}.`,
    `${steps.length} steps from the ${graph.chain.length} nodes on the chain from the source to ${graph.chain[graph.chain.length - 1]!.type === 'DESTINATION' ? 'the destination' : 'the last transform'}.`,
    placeholders
      ? `${placeholders} placeholder${placeholders > 1 ? 's' : ''} (kind: todo_custom_code) must be replaced before \`sluice flow validate\` accepts this flow.`
      : 'Check it with `sluice flow validate`.',
  ];
  const sorted = notes
    .map((n, i) => ({ n, i }))
    .sort((a, b) => LEVEL_ORDER[a.n.level] - LEVEL_ORDER[b.n.level] || a.i - b.i)
    .map((x) => x.n);
  return { flow, yaml: renderFlowYaml(flow, steps, header), notes: sorted, nodes: [...branchSteps, ...steps] };
}

/**
 * Where a branch leaves the main chain at node `fork`: the name of the table after that node's
 * last step (`as:` on the step, added here), or `main` when no step comes before the fork (it is
 * the source). An earlier node's step stands in for a fork node that made no step.
 */
function forkPoint(
  fork: WranglerNode,
  steps: ImportedStep[],
  graph: ReturnType<typeof wranglerGraph>,
  onChain: Map<string, number>,
  taken: Record<string, unknown>,
): string {
  const upTo = onChain.get(fork.node_id)!;
  const at = new Set(graph.chain.slice(0, upTo + 1).map((n) => n.node_id));
  const last = [...steps].reverse().find((s) => at.has(s.node));
  if (!last) return MAIN_INPUT;
  if (typeof last.step.as === 'string') return last.step.as;
  const base = `after_${operatorBase(graph.byId.get(last.node)!.operator)
    .replace(/^sagemaker\.spark\./, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')}`;
  const used = new Set([...Object.keys(taken), ...steps.flatMap((s) => (typeof s.step.as === 'string' ? [s.step.as] : []))]);
  let name = base;
  for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
  last.step.as = name;
  return name;
}

/**
 * The second input of a join or concatenate: walked back to its source along first inputs, it
 * becomes one of the flow's `inputs:`, named after its source, with its transforms as the input's
 * own steps. A branch that leaves the main chain (the flow forks and rejoins) is taken where it
 * leaves (`fork` names that point, a step's `as:`): with transforms of its own it becomes an input
 * `branch:` from there, without any the step reads the point itself (no `input`).
 */
function sideBranch(
  graph: ReturnType<typeof wranglerGraph>,
  node: WranglerNode,
  onChain: Map<string, number>,
  taken: Record<string, unknown>,
  notes: ImportNote[],
  fork: (at: WranglerNode) => string,
): { name: string; input?: NonNullable<FlowSpec['inputs']>[string]; nodes: string[]; steps: ImportedStep[] } | undefined {
  const path: WranglerNode[] = [];
  let from: WranglerNode | undefined;
  for (let n = graph.byId.get(node.inputs[1]!.node_id); n; n = n.inputs[0] ? graph.byId.get(n.inputs[0].node_id) : undefined) {
    if (onChain.has(n.node_id)) {
      from = n;
      break;
    }
    path.push(n);
  }
  path.reverse();
  if (from) return forkBranch(node, from, path, fork(from), taken, notes);
  const source = path[0]!;
  if (source.type !== 'SOURCE') return undefined;
  const def = obj(source.parameters, 'dataset_definition');
  const dataset = str(def, 'name') ?? source.node_id;
  let name =
    dataset
      .replace(/\.[A-Za-z0-9]+$/, '')
      .replace(/[^A-Za-z0-9_]+/g, '_')
      .replace(/^(?=\d)/, '_') || 'other';
  if (name === 'main') name = 'main_2';
  for (let k = 2; Object.hasOwn(taken, name); k++) name = `${name.replace(/_\d+$/, '')}_${k}`;
  const text = describeSource(source, notes);
  const { steps: sideSteps, imported } = branchSteps(path.slice(1), name, notes);
  const file = /\.(csv|tsv|parquet|jsonl?)$/i.test(dataset) ? dataset : `${name}.csv`;
  notes.push({
    level: 'info',
    node: source.node_id,
    operator: source.operator,
    message: `the second input of node ${node.node_id} became input "${name}" (file: ${file}, next to the flow; or --with ${name}=FILE). ${text}`,
  });
  return {
    name,
    input: { file, ...(sideSteps.length ? { steps: sideSteps } : {}) } as NonNullable<FlowSpec['inputs']>[string],
    nodes: path.map((n) => n.node_id),
    steps: imported,
  };
}

/** The transforms on a branch, as an input's own steps. */
function branchSteps(path: WranglerNode[], name: string, notes: ImportNote[]): { steps: FlowSpec['steps']; imported: ImportedStep[] } {
  const steps: FlowSpec['steps'] = [];
  const imported: ImportedStep[] = [];
  for (const n of path) {
    if (n.type !== 'TRANSFORM') continue;
    if (n.inputs.length > 1) {
      notes.push({
        level: 'warning',
        node: n.node_id,
        operator: n.operator,
        message: `node ${n.node_id} on the branch of input ${name} combines datasets itself; an input's steps cannot, so it stays a placeholder`,
      });
    }
    const mapped = mapNode(n, undefined, undefined);
    steps.push(...mapped.steps.map((s) => s.step));
    imported.push(...mapped.steps);
    notes.push(...mapped.notes);
  }
  return { steps, imported };
}

/** A second input that leaves the main chain at `from` (taken there as `point`), with the transforms on its way. */
function forkBranch(
  node: WranglerNode,
  from: WranglerNode,
  path: WranglerNode[],
  point: string,
  taken: Record<string, unknown>,
  notes: ImportNote[],
): { name: string; input?: NonNullable<FlowSpec['inputs']>[string]; nodes: string[]; steps: ImportedStep[] } {
  const transforms = path.filter((n) => n.type === 'TRANSFORM');
  const tell = (message: string) => notes.push({ level: 'info', node: node.node_id, operator: node.operator, message });
  if (transforms.length === 0) {
    tell(`node ${node.node_id} combines the flow with its own data after node ${from.node_id}: the step reads that table, named "${point}" (as: ${point})`);
    return { name: point, nodes: path.map((n) => n.node_id), steps: [] };
  }
  const base = `${point}_branch`;
  let name = base;
  for (let k = 2; Object.hasOwn(taken, name) || name === point; k++) name = `${base}_${k}`;
  const { steps, imported } = branchSteps(transforms, name, notes);
  tell(
    `node ${node.node_id} combines the flow with a branch of its own data, which leaves it after node ${from.node_id}: input "${name}" (branch: ${point}) runs the ${transforms.length} transform${transforms.length > 1 ? 's' : ''} on that branch`,
  );
  return { name, input: { branch: point, steps } as NonNullable<FlowSpec['inputs']>[string], nodes: path.map((n) => n.node_id), steps: imported };
}

/**
 * Parses the text of a `.flow` file and imports it; text that is not JSON is a SluiceError with
 * the line and column where parsing stopped.
 */
export function importWranglerFlowText(text: string, options: ImportOptions = {}): ImportResult {
  const file = options.file ?? '<flow>';
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const message = (e as Error).message;
    const { line, column } = jsonErrorPosition(text, message);
    throw new SluiceError('WRANGLER_NOT_JSON', `${file} is not JSON, so it is not a Data Wrangler flow: ${message}`, {
      location: { file, line, column },
      hint: 'pass the .flow file that Data Wrangler saves (a JSON document with "nodes"); a flow that is already YAML is checked with `sluice flow validate`',
    });
  }
  return importWranglerFlow(json, options);
}

/** Where JSON.parse stopped: its message names a position (Node 20) or a line and column (Node 22). */
function jsonErrorPosition(text: string, message: string): { line?: number; column?: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  // Some messages ("Unexpected token 'v', ...") name no place: then the first character is the culprit.
  const at = pos ? Number(pos[1]) : /^\s*[{[]/.test(text) ? undefined : text.search(/\S/);
  if (at === undefined || at < 0) return {};
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

function describeSource(node: WranglerNode, notes: ImportNote[]): string {
  const def = obj(node.parameters, 'dataset_definition');
  const s3 = obj(def, 's3ExecutionContext');
  const name = str(def, 'name') ?? node.node_id;
  const parts = [str(def, 'datasetSourceType') ?? 'unknown source type'];
  const uri = str(s3, 's3Uri');
  if (uri) parts.push(uri);
  const type = str(s3, 's3ContentType');
  if (type) parts.push(type);
  const delimiter = str(s3, 's3FieldDelimiter');
  if (delimiter) parts.push(`delimiter ${JSON.stringify(delimiter)}`);
  const header = (s3 as { s3HasHeader?: unknown }).s3HasHeader;
  if (header === true) parts.push('with a header row');
  if (header === false) parts.push('without a header row');
  const text = `Source "${name}": ${parts.join(', ')}.`;
  notes.push({
    level: 'info',
    node: node.node_id,
    operator: node.operator,
    message: `${text} Sluice reads its input from the file or inbox you give it, not from this source`,
  });
  const sampling = Array.isArray(node.outputs) ? obj(node.outputs[0], 'sampling') : {};
  const method = str(sampling, 'sampling_method');
  if (method) {
    const size = str(sampling, 'limit_rows') ?? str(sampling, 'sample_size');
    notes.push({
      level: 'info',
      node: node.node_id,
      operator: node.operator,
      message: `Data Wrangler worked on a sample (${method}${size ? `, ${size} rows` : ''}); Sluice fits the flow on every row it is given`,
    });
  }
  return text;
}

function describeDestination(node: WranglerNode, notes: ImportNote[]): void {
  const cfg = obj(node.parameters, 'output_config');
  const path = str(cfg, 'output_path');
  notes.push({
    level: 'info',
    node: node.node_id,
    operator: node.operator,
    message: `destination${path ? ` ${path}` : ''}${str(cfg, 'output_content_type') ? ` (${str(cfg, 'output_content_type')})` : ''}: give Sluice the output with \`sluice flow run --output\``,
  });
}
