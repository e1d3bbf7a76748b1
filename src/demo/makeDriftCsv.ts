import { SluiceError } from '../core/errors.js';
import { Rng } from '../ml/random.js';

/** How the drifted batch differs from the seed data; every number is part of the demo's story. */
export interface DriftSettings {
  /** Rows in the drifted batch. */
  rows: number;
  seed: number;
  /** Sampling weight per row is exp((age - 50) / ageScale): smaller means older patients. */
  ageScale: number;
  /** Share of rows whose `time_in_hospital` is left empty. */
  missingShare: number;
  /** Added to every `num_lab_procedures`. */
  labShift: number;
  /** Every `num_medications` is multiplied by this (rounded): a new treatment guideline. */
  medicationFactor: number;
  /** Added to every `number_diagnoses`: older patients with more conditions. */
  diagnosesShift: number;
  /** Share of rows whose `race` becomes `newCategory`, a value the seed data never has. */
  newCategoryShare: number;
  newCategory: string;
}

export const DEFAULT_DRIFT: DriftSettings = {
  rows: 5000,
  seed: 8,
  ageScale: 12,
  missingShare: 0.3,
  labShift: 15,
  medicationFactor: 1.5,
  diagnosesShift: 2,
  newCategoryShare: 0.1,
  newCategory: 'middle_eastern',
};

const NEEDED = ['age', 'time_in_hospital', 'num_lab_procedures', 'num_medications', 'number_diagnoses', 'race'] as const;

/**
 * Derives the demo's drifted batch from the diabetes seed CSV, deterministically: rows sampled
 * without replacement with older patients more likely, `time_in_hospital` missing in a share of
 * rows, `num_lab_procedures`, `num_medications` and `number_diagnoses` shifted up, and an unseen
 * `race` category. The input is the seed's plain CSV (no quoted fields); the output keeps its
 * header and column order.
 *
 * Used by scripts/makeDriftFile.ts, which writes examples/diabetes/diabetic-readmission-drift.csv;
 * a test checks the committed file is exactly what this returns.
 */
export function makeDriftCsv(csv: string, settings: Partial<DriftSettings> = {}): string {
  const s = { ...DEFAULT_DRIFT, ...settings };
  const lines = csv.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0]?.split(',') ?? [];
  const col: Record<string, number> = {};
  for (const name of NEEDED) {
    const i = header.indexOf(name);
    if (i < 0)
      throw new SluiceError('DEMO_DATA_INVALID', `the seed CSV has no column ${name}`, {
        hint: 'derive the drift file from examples/diabetes/diabetic-readmission.csv',
      });
    col[name] = i;
  }
  const rows = lines.slice(1).map((l) => l.split(','));
  if (rows.length < s.rows)
    throw new SluiceError('DEMO_DATA_INVALID', `the seed CSV has ${rows.length} rows, fewer than the ${s.rows} asked for`, { hint: 'ask for fewer rows' });
  const rng = new Rng(s.seed);
  // Weighted sampling without replacement (Efraimidis-Spirakis): keep the largest u^(1/w).
  const keyed = rows.map((r, i) => {
    const age = Number(r[col.age!]);
    const w = Math.exp(((Number.isFinite(age) ? age : 50) - 50) / s.ageScale);
    return { i, key: Math.log(Math.max(rng.float(), Number.MIN_VALUE)) / w };
  });
  keyed.sort((a, b) => b.key - a.key || a.i - b.i);
  const picked = keyed
    .slice(0, s.rows)
    .map((k) => k.i)
    .sort((a, b) => a - b);
  const out = [header.join(',')];
  for (const i of picked) {
    const r = [...rows[i]!];
    if (rng.float() < s.missingShare) r[col.time_in_hospital!] = '';
    const lab = Number(r[col.num_lab_procedures!]);
    if (Number.isFinite(lab)) r[col.num_lab_procedures!] = String(lab + s.labShift);
    const meds = Number(r[col.num_medications!]);
    if (Number.isFinite(meds)) r[col.num_medications!] = String(Math.round(meds * s.medicationFactor));
    const diagnoses = Number(r[col.number_diagnoses!]);
    if (Number.isFinite(diagnoses)) r[col.number_diagnoses!] = String(diagnoses + s.diagnosesShift);
    if (rng.float() < s.newCategoryShare) r[col.race!] = s.newCategory;
    out.push(r.join(','));
  }
  return out.join('\n') + '\n';
}
