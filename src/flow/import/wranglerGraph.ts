import { SluiceError } from '../../core/errors.js';
import type { ImportNote, WranglerNode } from './ImportNote.js';
import { isObj } from './params.js';

/** The nodes of a Data Wrangler flow, checked, and the transform chain the importer converts. */
export interface WranglerGraph {
  nodes: WranglerNode[];
  byId: Map<string, WranglerNode>;
  /** The nodes from the source to the destination (or the last transform), in data order. */
  chain: WranglerNode[];
  /** Analyses (VISUALIZATION nodes), in file order. */
  analyses: WranglerNode[];
  notes: ImportNote[];
}

const HINT = 'a Data Wrangler flow is the JSON file Studio saves as NAME.flow, with a "nodes" list; export it again from Data Wrangler';

/**
 * Reads the node list of a `.flow` document and finds the chain to convert: from the destination
 * back to the source along each node's first input, then reversed. File order is not data order
 * (Studio appends nodes as they are added), so the chain is walked, never read top to bottom.
 *
 * Throws a SluiceError naming the node for a document that is not a flow, a node without id or
 * operator, a duplicate id, an input that names no node, or a cycle.
 */
export function wranglerGraph(json: unknown, file: string): WranglerGraph {
  if (!isObj(json) || !Array.isArray(json.nodes)) {
    throw new SluiceError('WRANGLER_INVALID', `${file} is not a Data Wrangler flow: it has no "nodes" list`, {
      location: { file, field: 'nodes' },
      hint: HINT,
    });
  }
  if (json.nodes.length === 0) {
    throw new SluiceError('WRANGLER_INVALID', `${file} is a Data Wrangler flow without nodes: there is nothing to import`, {
      location: { file, field: 'nodes' },
      hint: HINT,
    });
  }
  const nodes = json.nodes.map((n, i) => readNode(n, i, file));
  const byId = new Map<string, WranglerNode>();
  for (const n of nodes) {
    if (byId.has(n.node_id)) {
      throw new SluiceError('WRANGLER_INVALID', `${file}: node ${n.index} repeats node_id "${n.node_id}"`, {
        location: { file, field: `nodes[${n.index}].node_id` },
        hint: 'node ids must be unique; the file was probably edited by hand or merged badly',
      });
    }
    byId.set(n.node_id, n);
  }
  for (const n of nodes) {
    n.inputs.forEach((inp, j) => {
      if (!byId.has(inp.node_id)) {
        throw new SluiceError(
          'WRANGLER_DANGLING_INPUT',
          `${file}: node "${n.node_id}" (${n.operator}) takes its input from node "${inp.node_id}", which the flow does not have`,
          {
            location: { file, field: `nodes[${n.index}].inputs[${j}].node_id` },
            hint: 'the flow is incomplete: re-export it from Data Wrangler, or remove the node that refers to the missing one',
          },
        );
      }
    });
  }
  assertAcyclic(nodes, byId, file);

  const notes: ImportNote[] = [];
  const chain = pickChain(nodes, byId, file, notes);
  return { nodes, byId, chain, analyses: nodes.filter((n) => n.type === 'VISUALIZATION'), notes };
}

function readNode(raw: unknown, index: number, file: string): WranglerNode {
  const where = { file, field: `nodes[${index}]` };
  if (!isObj(raw)) throw new SluiceError('WRANGLER_INVALID', `${file}: node ${index} is not an object`, { location: where, hint: HINT });
  const { node_id, type, operator } = raw;
  if (typeof node_id !== 'string' || node_id === '') {
    throw new SluiceError('WRANGLER_INVALID', `${file}: node ${index} has no node_id`, { location: { file, field: `nodes[${index}].node_id` }, hint: HINT });
  }
  if (typeof operator !== 'string' || operator === '') {
    throw new SluiceError('WRANGLER_INVALID', `${file}: node "${node_id}" has no operator`, {
      location: { file, field: `nodes[${index}].operator` },
      hint: HINT,
    });
  }
  const rawInputs = raw.inputs ?? [];
  if (!Array.isArray(rawInputs)) {
    throw new SluiceError('WRANGLER_INVALID', `${file}: node "${node_id}" has inputs that are not a list`, {
      location: { file, field: `nodes[${index}].inputs` },
      hint: HINT,
    });
  }
  const inputs = rawInputs.map((inp, j) => {
    if (!isObj(inp) || typeof inp.node_id !== 'string') {
      throw new SluiceError('WRANGLER_INVALID', `${file}: input ${j} of node "${node_id}" names no node_id`, {
        location: { file, field: `nodes[${index}].inputs[${j}]` },
        hint: HINT,
      });
    }
    return {
      node_id: inp.node_id,
      name: typeof inp.name === 'string' ? inp.name : undefined,
      output_name: typeof inp.output_name === 'string' ? inp.output_name : undefined,
    };
  });
  return {
    node_id,
    // Older flows omit the type; the operator name tells it.
    type: typeof type === 'string' ? type : guessType(operator),
    operator,
    parameters: isObj(raw.parameters) ? raw.parameters : {},
    trained_parameters: raw.trained_parameters,
    inputs,
    outputs: raw.outputs,
    index,
  };
}

function guessType(operator: string): string {
  if (/source/i.test(operator)) return 'SOURCE';
  if (/destination/i.test(operator)) return 'DESTINATION';
  if (operator.startsWith('sagemaker.visualizations.')) return 'VISUALIZATION';
  return 'TRANSFORM';
}

/**
 * Depth-first search with three colours; meeting a grey node again closes a cycle. Iterative, so
 * a very long chain cannot overflow the stack.
 */
function assertAcyclic(nodes: WranglerNode[], byId: Map<string, WranglerNode>, file: string): void {
  const colour = new Map<string, 'grey' | 'black'>();
  for (const root of nodes) {
    if (colour.has(root.node_id)) continue;
    const stack: Array<{ node: WranglerNode; next: number }> = [{ node: root, next: 0 }];
    colour.set(root.node_id, 'grey');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inp = top.node.inputs[top.next++];
      if (!inp) {
        colour.set(top.node.node_id, 'black');
        stack.pop();
        continue;
      }
      const c = colour.get(inp.node_id);
      if (c === 'grey') {
        const path = stack.map((f) => f.node.node_id);
        const cycle = [...path.slice(path.indexOf(inp.node_id)), inp.node_id];
        throw new SluiceError('WRANGLER_CYCLE', `${file}: the nodes form a cycle: ${cycle.join(' -> ')}`, {
          location: { file, field: `nodes[${top.node.index}].inputs` },
          hint: 'a flow is a chain from a source to a destination; one of these nodes must not take its input from a later one',
        });
      }
      if (c === undefined) {
        colour.set(inp.node_id, 'grey');
        stack.push({ node: byId.get(inp.node_id)!, next: 0 });
      }
    }
  }
}

/** Walks back from `end` along first inputs to a node without inputs. */
function walkBack(end: WranglerNode, byId: Map<string, WranglerNode>): WranglerNode[] {
  const out: WranglerNode[] = [];
  for (let n: WranglerNode | undefined = end; n; n = n.inputs[0] ? byId.get(n.inputs[0].node_id) : undefined) out.push(n);
  return out.reverse();
}

function pickChain(nodes: WranglerNode[], byId: Map<string, WranglerNode>, file: string, notes: ImportNote[]): WranglerNode[] {
  const destinations = nodes.filter((n) => n.type === 'DESTINATION');
  let chain: WranglerNode[];
  if (destinations.length > 0) {
    chain = walkBack(destinations[0]!, byId);
    for (const d of destinations.slice(1)) {
      notes.push({
        level: 'warning',
        node: d.node_id,
        operator: d.operator,
        message: `the flow has ${destinations.length} destinations; only the chain to the first (node ${destinations[0]!.node_id}) is imported, not the one to node ${d.node_id}`,
      });
    }
  } else {
    // No destination: the longest chain ending at a transform (ties go to the later node).
    const transforms = nodes.filter((n) => n.type === 'TRANSFORM' || n.type === 'SOURCE');
    if (transforms.length === 0) {
      throw new SluiceError('WRANGLER_INVALID', `${file}: the flow has no source and no transform`, { location: { file, field: 'nodes' }, hint: HINT });
    }
    // Chain lengths with memoisation, so a long flow stays linear.
    const depth = new Map<string, number>();
    const depthOf = (n: WranglerNode): number => {
      const path: WranglerNode[] = [];
      let cur: WranglerNode | undefined = n;
      while (cur && !depth.has(cur.node_id)) {
        path.push(cur);
        cur = cur.inputs[0] ? byId.get(cur.inputs[0].node_id) : undefined;
      }
      let d = cur ? depth.get(cur.node_id)! : 0;
      for (const p of path.reverse()) depth.set(p.node_id, ++d);
      return depth.get(n.node_id)!;
    };
    let end = transforms[0]!;
    for (const t of transforms) if (depthOf(t) >= depthOf(end)) end = t;
    chain = walkBack(end, byId);
    const last = chain[chain.length - 1]!;
    notes.push({
      level: 'info',
      node: last.node_id,
      operator: last.operator,
      message: `the flow has no destination; imported the longest chain, which ends at node ${last.node_id}`,
    });
  }
  const first = chain[0]!;
  if (first.type !== 'SOURCE') {
    notes.push({
      level: 'warning',
      node: first.node_id,
      operator: first.operator,
      message: `the chain starts at node ${first.node_id} (${first.operator}), which is not a source`,
    });
  }
  return chain;
}
