import { decodeF64, decodeI32, decodeU32, decodeU8, encodeTyped } from '../encoding.js';
import type { BinMapper, FeatureBins } from './binMapper.js';
import type { Tree } from './tree.js';

export interface TreeJSON {
  feature: string;
  threshold: string;
  missingLeft: string;
  isCategorical: string;
  left: string;
  right: string;
  value: string;
  nOut: number;
  catBits: string;
  gain: string;
  count: string;
  weight: string;
}

/** A tree as JSON (typed arrays in base64). */
export function treeToJSON(t: Tree): TreeJSON {
  return {
    feature: encodeTyped(t.feature),
    threshold: encodeTyped(t.threshold),
    missingLeft: encodeTyped(t.missingLeft),
    isCategorical: encodeTyped(t.isCategorical),
    left: encodeTyped(t.left),
    right: encodeTyped(t.right),
    value: encodeTyped(t.value),
    nOut: t.nOut,
    catBits: encodeTyped(t.catBits),
    gain: encodeTyped(t.gain),
    count: encodeTyped(t.count),
    weight: encodeTyped(t.weight),
  };
}

/** The inverse of {@link treeToJSON}. */
export function treeFromJSON(j: TreeJSON): Tree {
  return {
    feature: decodeI32(j.feature),
    threshold: decodeI32(j.threshold),
    missingLeft: decodeU8(j.missingLeft),
    isCategorical: decodeU8(j.isCategorical),
    left: decodeI32(j.left),
    right: decodeI32(j.right),
    value: decodeF64(j.value),
    nOut: j.nOut,
    catBits: decodeU32(j.catBits),
    gain: decodeF64(j.gain),
    count: decodeF64(j.count),
    weight: decodeF64(j.weight),
  };
}

export type FeatureBinsJSON = { kind: 'numeric'; edges: string; nBins: number } | { kind: 'categorical'; levelBins: string; nBins: number };

/** A bin mapper as JSON. */
export function binMapperToJSON(m: BinMapper): FeatureBinsJSON[] {
  return m.features.map((f) =>
    f.kind === 'numeric'
      ? { kind: 'numeric', edges: encodeTyped(f.edges), nBins: f.nBins }
      : { kind: 'categorical', levelBins: encodeTyped(f.levelBins), nBins: f.nBins },
  );
}

/** The inverse of {@link binMapperToJSON}. */
export function binMapperFromJSON(j: FeatureBinsJSON[]): BinMapper {
  return {
    features: j.map(
      (f): FeatureBins =>
        f.kind === 'numeric'
          ? { kind: 'numeric', edges: decodeF64(f.edges), nBins: f.nBins }
          : { kind: 'categorical', levelBins: decodeI32(f.levelBins), nBins: f.nBins },
    ),
  };
}
