import { SluiceError } from '../core/errors.js';
import type { Feature, FeatureSchema, Frame } from './frame.js';

/**
 * Lines a frame up with the schema a model was trained on: features are taken by name, in
 * training order, and categorical codes are translated through level strings to the training
 * levels, so a frame built from a different batch (different level order, extra columns) is
 * scored correctly. A level never seen in training becomes -1, and so is routed like a missing
 * value. A numeric column given where a categorical was trained (or the reverse) is converted
 * through its text form, because a CSV re-read can guess a column's type differently.
 */
export function alignFrame(schema: FeatureSchema[], frame: Frame): Frame {
  const byName = new Map(frame.features.map((f) => [f.name, f] as const));
  const n = frame.nRows;
  const features: Feature[] = schema.map((s) => {
    const f = byName.get(s.name);
    if (!f) {
      throw new SluiceError('ML_MISSING_FEATURE', `the data has no column "${s.name}", which the model was trained on`, {
        location: { field: s.name },
        hint: `provide all ${schema.length} input columns: ${schema.map((x) => x.name).join(', ')}`,
      });
    }
    if (s.kind === 'numeric') {
      if (f.kind === 'numeric') return f;
      const asNum = f.levels.map((l) => (l.trim() === '' ? NaN : Number(l)));
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = f.codes[i]!;
        values[i] = c < 0 ? NaN : asNum[c]!;
      }
      return { name: s.name, kind: 'numeric', values };
    }
    const index = new Map(s.levels.map((l, i) => [l, i] as const));
    const codes = new Int32Array(n);
    if (f.kind === 'categorical') {
      const remap = Int32Array.from(f.levels, (l) => index.get(l) ?? -1);
      const same = remap.length <= s.levels.length && remap.every((v, i) => v === i);
      if (same) return { name: s.name, kind: 'categorical', codes: f.codes, levels: s.levels };
      for (let i = 0; i < n; i++) {
        const c = f.codes[i]!;
        codes[i] = c < 0 ? -1 : remap[c]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = f.values[i]!;
        codes[i] = Number.isNaN(v) ? -1 : (index.get(String(v)) ?? -1);
      }
    }
    return { name: s.name, kind: 'categorical', codes, levels: s.levels };
  });
  return { nRows: n, features };
}
