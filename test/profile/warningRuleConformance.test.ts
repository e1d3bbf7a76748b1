import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { STEPS } from '../../src/flow/steps/index.js';
import { evaluateGates, parseGateRule, parseGatesFile } from '../../src/profile/gates.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { DEFAULT_THRESHOLDS } from '../../src/profile/thresholds.js';
import { defineWarningRule } from '../../src/profile/warnings/defineWarningRule.js';
import { WARNING_CODES, WARNING_RULES } from '../../src/profile/warnings/warningRules.js';
import { errorOf } from '../support/errors.js';
import { rng, tempDir, writeCsv } from './helpers.js';

/** What every rule of warningRules.ts must be, checked here for each one (a new rule included). */
describe('warning rules (src/profile/warnings/warningRules.ts)', () => {
  it('codes are unique snake_case words; README counts them', () => {
    expect(new Set(WARNING_CODES).size).toBe(WARNING_RULES.length);
    for (const code of WARNING_CODES) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(readFileSync('README.md', 'utf8')).toContain(`${WARNING_RULES.length} warning kinds`);
  });

  it('every fix is a real flow step kind (or review), every threshold exists, every rule is documented', () => {
    const kinds = new Set(STEPS.map((s) => s.kind));
    const doc = readFileSync('docs/report.md', 'utf8');
    for (const r of WARNING_RULES) {
      expect(r.fixes.length, r.code).toBeGreaterThan(0);
      for (const f of r.fixes) expect(f === 'review' || kinds.has(f), `${r.code}: fix "${f}" is not a step kind`).toBe(true);
      for (const t of r.thresholds) expect(Object.keys(DEFAULT_THRESHOLDS), r.code).toContain(t);
      expect(r.severities.length, r.code).toBeGreaterThan(0);
      expect(r.raisedWhen.length, r.code).toBeGreaterThan(5);
      expect(doc, r.code).toContain(`| \`${r.code}\` |`);
    }
  });

  it('a rule can only raise its own severities and fix steps (checked by the compiler)', () => {
    const rule = defineWarningRule({
      code: 'example_rule',
      severities: ['low'],
      raisedWhen: 'never, an example',
      thresholds: [],
      fixes: ['drop_columns'],
      run: (_ctx, raise) => [
        // @ts-expect-error: medium is not one of its severities
        raise('medium', [], 'x', ['drop_columns', 'y']),
        // @ts-expect-error: impute is not one of its fixes
        raise('low', [], 'x', ['impute', 'y']),
      ],
    });
    expect(rule.code).toBe('example_rule');
  });

  describe('on planted problems, each warning matches its rule', () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await Engine.open();
    });
    afterAll(() => engine.close());

    it('severity and fix step are among those its rule declares', async () => {
      const r = rng(3);
      const rows = Array.from({ length: 400 }, (_, i) => {
        const x = r();
        return [
          `C-${String(i).padStart(5, '0')}`,
          'same',
          i % 7 === 0 ? '' : x,
          i % 9 === 0 ? '?' : String(Math.round(x * 10)),
          Math.exp(8 * r()),
          x * 2 + 0.001 * r(),
          x > 0.5 ? 'yes' : 'no',
          i % 50 === 0 ? 'odd' : 'common',
        ];
      });
      rows.push([...rows[0]!]);
      const file = writeCsv(tempDir(), 'planted.csv', ['id', 'constant', 'x', 'tokens', 'skewed', 'twin', 'y', 'near'], rows);
      await readTable(engine, file, { name: 'planted' });
      const report = await profileTable(engine, 'planted', { target: 'y' });
      const seen = new Set(report.warnings.map((w) => w.code));
      for (const code of [
        'id_column',
        'constant_column',
        'missing_values',
        'disguised_missing_values',
        'skewed',
        'high_correlation',
        'target_leakage',
        'duplicate_rows',
      ])
        expect(seen, code).toContain(code);
      for (const w of report.warnings) {
        const rule = WARNING_RULES.find((x) => x.code === w.code);
        expect(rule, w.code).toBeDefined();
        expect(rule!.severities as readonly string[], w.code).toContain(w.severity);
        expect(rule!.fixes as readonly string[], w.code).toContain(w.fix.step);
      }
    }, 60_000);
  });
});

describe('gates name only known warning codes', () => {
  it('no warning CODE with a typo is an error naming the unknown code and the closest known one', () => {
    const e = errorOf(() => parseGateRule('no warning target_leakge'));
    expect(e).toMatchObject({ code: 'GATE_INVALID', location: { field: 'gate' } });
    expect(e.message).toBe('gate: "no warning target_leakge" names the unknown warning code "target_leakge"; did you mean "target_leakage"?');
    expect(e.hint).toContain('id_column');
    const far = errorOf(() => parseGateRule('no warning xyzzy-plugh'));
    expect(far.message).toBe('gate: "no warning xyzzy-plugh" names the unknown warning code "xyzzy-plugh"');
    const inFile = errorOf(() => parseGatesFile('gates:\n  - no high warnings\n  - no warning id_colum\n', 'gates.yaml'));
    expect(inFile).toMatchObject({ code: 'GATE_INVALID', location: { field: 'gates[1]' } });
    expect(inFile.message).toContain('did you mean "id_column"?');
  });

  it('every known code is accepted and evaluated', () => {
    for (const code of WARNING_CODES) expect(parseGateRule(`no warning ${code}`)).toMatchObject({ kind: 'noWarnings', code });
    const report = {
      warnings: [{ code: 'skewed', severity: 'low', columns: ['a'], message: 'a is skewed', fix: { step: 'compute', description: '' } }],
    } as never;
    expect(evaluateGates(report, [parseGateRule('no warning skewed'), parseGateRule('no warning outliers')]).rules.map((r) => r.pass)).toEqual([false, true]);
  });
});
