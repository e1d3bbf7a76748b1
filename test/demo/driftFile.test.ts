import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDriftCsv } from '../../src/demo/makeDriftCsv.js';
import { sluice } from '../cli/run.js';
import { DIABETES, tempDir } from '../support/data.js';

const DRIFT = DIABETES.replace(/\.csv$/, '-drift.csv');
const FLOW = join(DIABETES, '..', 'diabetes.flow.yaml');
const GATES = join(DIABETES, '..', 'diabetes.gates.yaml');

describe('examples/diabetes/diabetic-readmission-drift.csv', () => {
  it('is exactly what scripts/makeDriftFile.ts generates from the seed data (and small)', async () => {
    const committed = readFileSync(DRIFT, 'utf8');
    expect(committed).toBe(makeDriftCsv(readFileSync(DIABETES, 'utf8')));
    expect(statSync(DRIFT).size).toBeLessThan(1_000_000);
    expect(committed.trim().split('\n')).toHaveLength(5001);
  });

  it('the CLI report flags its drift against the seed data, and the demo gates pass the seed and fail it', async () => {
    const dir = tempDir('sluice-drift-');
    const clean = join(dir, 'clean.parquet');
    const drifted = join(dir, 'drift.parquet');
    // The pipeline profiles the flow's output, so the gates are checked on it, as the demo does.
    for (const [input, output] of [
      [DIABETES, clean],
      [DRIFT, drifted],
    ] as const) {
      const r = await sluice(['flow', 'run', FLOW, '--input', input, '--output', output, '-q']);
      expect(r.code, r.stderr).toBe(0);
    }
    const ok = await sluice(['report', clean, '--out', join(dir, 'clean'), '--target', 'readmitted', '--gates', GATES, '--strict']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('gates: pass (6/6 rules pass)');

    const bad = await sluice(['report', drifted, '--out', join(dir, 'drift'), '--target', 'readmitted', '--gates', GATES, '--baseline', clean, '--strict']);
    expect(bad.code, bad.stderr).toBe(3);
    const report = JSON.parse(readFileSync(join(dir, 'drift', 'report.json'), 'utf8'));
    expect(report.drift.verdict).toBe('drift');
    expect(report.drift.driftedColumns).toEqual(
      expect.arrayContaining(['age', 'num_lab_procedures', 'num_medications', 'number_diagnoses', 'time_in_hospital']),
    );
    const failed = report.gates.rules.filter((r: { pass: boolean }) => !r.pass).map((r: { rule: string }) => r.rule);
    expect(failed).toEqual([
      'columns.age.mean < 70',
      'columns.num_lab_procedures.mean < 50',
      'columns.num_medications.mean < 20',
      'columns.number_diagnoses.mean < 8.5',
    ]);
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: 'drift', severity: 'high' }));

    // On the raw files too: every changed column is flagged, the new category included.
    const raw = await sluice(['report', DRIFT, '--out', join(dir, 'raw'), '--target', 'readmitted', '--baseline', DIABETES]);
    expect(raw.code, raw.stderr).toBe(0);
    const rawReport = JSON.parse(readFileSync(join(dir, 'raw', 'report.json'), 'utf8'));
    expect(rawReport.drift.driftedColumns).toEqual(expect.arrayContaining(['race', 'age', 'num_lab_procedures', 'num_medications', 'number_diagnoses']));
    const race = rawReport.columns.find((c: { name: string }) => c.name === 'race');
    expect(race.topValues.map((v: { value: string }) => v.value)).toContain('middle_eastern');
    expect(rawReport.warnings.some((w: { code: string; message: string }) => w.code === 'missing_values' && w.message.includes('time_in_hospital'))).toBe(true);
  });
});
