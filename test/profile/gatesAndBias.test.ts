import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { evaluateGates, parseGateRule, parseGatesFile } from '../../src/profile/gates.js';
import { profileTable } from '../../src/profile/profileTable.js';
import type { Report } from '../../src/profile/reportSchema.js';
import { DIABETES, expectClose } from './helpers.js';

let engine: Engine;
let report: Report;
beforeAll(async () => {
  engine = await Engine.open();
  await readTable(engine, DIABETES, { name: 'diabetes' });
  report = await profileTable(engine, 'diabetes', { target: 'readmitted', bias: { facet: 'gender', facetValue: 'female', labelValue: '<30', group: 'age' } });
}, 60_000);
afterAll(() => engine.close());

describe('gates', () => {
  it('parses the rule grammar and refuses anything else with the grammar as hint', () => {
    expect(parseGateRule('missing_share < 0.05')).toMatchObject({ kind: 'compare', path: ['missing_share'], op: '<', value: 0.05 });
    expect(parseGateRule('quickModel.metrics.accuracy >= 0.6')).toMatchObject({ path: ['quickModel', 'metrics', 'accuracy'], op: '>=' });
    expect(parseGateRule('columns."my col".missingShare <= 1e-2')).toMatchObject({ path: ['columns', 'my col', 'missingShare'], value: 0.01 });
    expect(parseGateRule('drift.verdict == no_drift')).toMatchObject({ value: 'no_drift', op: '==' });
    expect(parseGateRule('no high warnings')).toEqual({ kind: 'noWarnings', text: 'no high warnings', severity: 'high' });
    expect(parseGateRule('no warning target_leakage')).toMatchObject({ code: 'target_leakage' });
    for (const bad of ['process.exit() > 1', 'rows <', 'rows < 1; drop', 'rows ~ 3', 'x > "a"']) {
      expect(() => parseGateRule(bad), bad).toThrow(SluiceError);
    }
  });

  it('reads a gates file and reports each rule with its value and pass/fail', () => {
    const rules = parseGatesFile(
      'gates:\n  - missing_share < 0.05\n  - no high warnings\n  - rule: duplicate_share <= 0.001\n  - columns.age.mean > 60\n  - target.classes.no.share >= 0.5\n  - drift.psi < 0.2\n  - warnings.count < 100\n  - quickModel.metrics.accuracy >= 0.3\n',
    );
    const g = evaluateGates(report, rules);
    expect(g.rules.map((r) => [r.rule, r.pass])).toEqual([
      ['missing_share < 0.05', true],
      ['no high warnings', true],
      ['duplicate_share <= 0.001', false],
      ['columns.age.mean > 60', true],
      ['target.classes.no.share >= 0.5', false],
      ['drift.psi < 0.2', false],
      ['warnings.count < 100', true],
      ['quickModel.metrics.accuracy >= 0.3', true],
    ]);
    expect(g.rules[7]!.value).toBe(report.quickModel!.metrics.accuracy);
    expect(g.rules[2]!.value).toBeCloseTo(84 / 69570, 12);
    expect(g.rules[5]!.detail).toContain('not in the report');
    expect(g.verdict).toBe('fail');
    expect(evaluateGates(report, [parseGateRule('rows == 69570')]).verdict).toBe('pass');
  });

  it('says which item of a bad gates file is wrong', () => {
    const e = (() => {
      try {
        parseGatesFile('- rows > 1\n- 42\n', 'g.yaml');
      } catch (x) {
        return x as SluiceError;
      }
    })();
    expect(e?.code).toBe('GATES_INVALID');
    expect(e?.location?.field).toBe('gates[1]');
    expect(() => parseGatesFile('a: [', 'g.yaml')).toThrow(/not valid YAML/);
  });
});

describe('bias (Clarify pre-training metrics)', () => {
  it('matches an independent pandas computation on the diabetes data', () => {
    // /usr/bin/python3 -c <the script below> DIABETES
    const script = `
import json, sys, numpy as np, pandas as pd
df = pd.read_csv(sys.argv[1], keep_default_na=False, na_values=[""])
d = df[df.gender == "female"]; a = df[df.gender != "female"]
labels = sorted(df.readmitted.unique())
pa = a.readmitted.value_counts(normalize=True).reindex(labels, fill_value=0).to_numpy()
pd_ = d.readmitted.value_counts(normalize=True).reindex(labels, fill_value=0).to_numpy()
kl = lambda p, q: float(np.sum(np.where(p > 0, p * np.log(p / q), 0)))
m = (pa + pd_) / 2
cdd, n = 0.0, 0
for _, g in df.groupby(df.age.astype(str)):
    acc, rej = g[g.readmitted == "<30"], g[g.readmitted != "<30"]
    dd = ((rej.gender == "female").sum() / len(rej) if len(rej) else 0) - ((acc.gender == "female").sum() / len(acc) if len(acc) else 0)
    cdd += len(g) * dd; n += len(g)
print(json.dumps({"CI": (len(a) - len(d)) / len(df), "DPL": float((a.readmitted == "<30").mean() - (d.readmitted == "<30").mean()),
  "KL": kl(pa, pd_), "JS": 0.5 * (kl(pa, m) + kl(pd_, m)), "LP": float(np.linalg.norm(pa - pd_)), "TVD": float(0.5 * np.abs(pa - pd_).sum()),
  "KS": float(np.abs(pa - pd_).max()), "CDD": cdd / n}))`;
    const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, DIABETES], { encoding: 'utf8' }));
    expect(report.bias!.counts).toEqual({ facet: 37044, rest: 32526 });
    for (const k of ['CI', 'DPL', 'KL', 'JS', 'LP', 'TVD', 'KS', 'CDD'] as const) expectClose(report.bias!.metrics[k], ref[k], 1e-9, k);
  });

  it('refuses a facet value or label value that does not occur', async () => {
    const e = await profileTable(engine, 'diabetes', { target: 'readmitted', bias: { facet: 'gender', facetValue: 'Female', labelValue: '<30' } }).catch(
      (x) => x,
    );
    expect(e).toMatchObject({ code: 'BIAS_FACET_VALUE_NOT_FOUND' });
    const e2 = await profileTable(engine, 'diabetes', { target: 'readmitted', bias: { facet: 'gender', facetValue: 'female', labelValue: 'yes' } }).catch(
      (x) => x,
    );
    expect(e2).toMatchObject({ code: 'BIAS_LABEL_VALUE_NOT_FOUND' });
    expect((e2 as SluiceError).hint).toContain('<30');
  });
});
