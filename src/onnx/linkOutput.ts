import type { GraphBuilder } from './GraphBuilder.js';

/**
 * From raw scores to Sluice's outputs: `sigmoid` turns one logit column into the two class
 * probabilities `[1 - p, p]`, `softmax` normalises k logits per row, `identity` keeps values.
 */
export function linkOutput(g: GraphBuilder, link: 'sigmoid' | 'softmax' | 'identity', raw: string): string {
  if (link === 'identity') return raw;
  if (link === 'softmax') return g.op('Softmax', [raw], { axis: 1 });
  const p = g.op('Sigmoid', [raw]);
  return g.op('Concat', [g.op('Sub', [g.constant(1), p]), p], { axis: 1 });
}
