import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIABETES, rng, tempDir, writeCsv } from './helpers.js';
import { sluiceProcess } from '../cli/run.js';
import { type CliRun, runCliInProcess } from '../support/runCliInProcess.js';

const dir = tempDir('sluice-report-cli-');

/** `sluice report ARGS`, the built CLI in this process. */
function sluice(...args: string[]): Promise<CliRun> {
  return runCliInProcess(['report', ...args]);
}

function data(name: string, rows: number, seed: number, shift = 0): string {
  const r = rng(seed);
  const out: unknown[][] = [];
  for (let i = 0; i < rows; i++)
    out.push([Math.round((r() * 10 + shift) * 100) / 100, ['a', 'b', 'c'][Math.floor(r() * 3)], r() < 0.5 ? 'm' : 'f', r() < 0.4 ? 'yes' : 'no']);
  return writeCsv(dir, name, ['x', 'cat', 'sex', 'label'], out);
}

describe('sluice report', () => {
  it('writes report.json and report.html with target, baseline, bias and gates; progress on stderr', async () => {
    const cur = data('cur.csv', 300, 1, 5);
    const base = data('base.csv', 300, 2);
    const gates = join(dir, 'gates.yaml');
    writeFileSync(gates, 'gates:\n  - missing_share < 0.05\n  - no high warnings\n  - drift.psi < 0.2\n');
    const out = join(dir, 'out1');
    const r = await sluice(cur, '--target', 'label', '--baseline', base, '--bias', 'sex=f', '--label-value', 'yes', '--gates', gates, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('✓ reading cur.csv');
    // Under a second "(812 ms)", above "(1.3 s)" (a loaded machine).
    expect(r.stderr).toMatch(/✓ drift \((\d+ ms|\d+\.\d s)\)/);
    // gates and high warnings on one line (issue 14 point 3)
    expect(r.stderr).toContain('verdict: gates FAIL (2 of 3) · 1 high warning: drift in x');
    expect(r.stdout.trim().split('\n')).toEqual([join(out, 'report.json'), join(out, 'report.html')]);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.json']);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.source).toEqual({ name: 'cur.csv', baseline: 'base.csv' });
    expect(report.bias.facetValue).toBe('f');
    expect(report.drift.driftedColumns).toEqual(['x']);
    expect(report.gates.rules.map((g: { pass: boolean }) => g.pass)).toEqual([true, false, false]); // the high drift warning fails `no high warnings`

    const strict = await sluice(cur, '--target', 'label', '--baseline', base, '--gates', gates, '--out', join(dir, 'out1b'), '--strict');
    expect(strict.code).toBe(3);
  }, 60_000);

  it('works without a target (no target sections); the `sluice` command in a child process', async () => {
    const out = join(dir, 'out2');
    const r = sluiceProcess(['report', data('plain.csv', 50, 3), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.target).toBeUndefined();
    expect(report.correlations.target).toEqual([]);
  }, 30_000);

  it('on a file of over 1 MB the quick model fits on the thread started before the read; a wrong target stops it', async () => {
    const out = join(dir, 'diabetes');
    const r = await sluice(DIABETES, '--target', 'readmitted', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.quickModel).toMatchObject({ learner: 'gbdt', trainRows: 20001, validationRows: 13914, sampled: true });
    expect(report.quickModel.baseline.metrics.accuracy).toBeGreaterThan(0.5);
    const wrong = await sluice(DIABETES, '--target', 'nope', '--out', join(dir, 'diabetes-wrong'));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('nope');
  }, 120_000);

  it('refuses a missing target with the columns as hint and writes nothing', async () => {
    const out = join(dir, 'out3');
    const r = await sluice(data('t.csv', 20, 4), '--target', 'Label', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[TARGET_NOT_FOUND]');
    expect(r.stderr).toContain('did you mean "label"');
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  it('reports a single-class target, an all-missing column and a one-row file as warnings', async () => {
    const p = writeCsv(dir, 'one.csv', ['x', 'empty', 'label'], [[1, null, 'yes']]);
    const out = join(dir, 'out4');
    const r = await sluice(p, '--target', 'label', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const codes = report.warnings.map((w: { code: string }) => w.code);
    expect(codes).toEqual(expect.arrayContaining(['single_class_target', 'empty_column']));
    // an all-missing column is one high warning (fix: drop), not also a missing-values one
    const onEmpty = report.warnings.filter((w: { columns: string[] }) => w.columns.includes('empty'));
    expect(onEmpty.map((w: { code: string; severity: string }) => [w.code, w.severity])).toEqual([['empty_column', 'high']]);
    expect(report.notes.join(' ')).toContain('single row');
  }, 30_000);

  it('refuses bad gates and bad flags before reading data', async () => {
    const gates = join(dir, 'bad.yaml');
    writeFileSync(gates, '- missing_share < 0.05\n- drop table x\n');
    const r = await sluice(join(dir, 'does-not-exist.csv'), '--gates', gates, '--out', join(dir, 'out5'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[GATE_INVALID]');
    expect(r.stderr).toContain('gates[1]');
    const b = await sluice(join(dir, 'cur.csv'), '--target', 'label', '--bias', 'sex=f', '--out', join(dir, 'out6'));
    expect(b.stderr).toContain('--bias needs --label-value');
    const f = await sluice(join(dir, 'missing.csv'), '--out', join(dir, 'out7'));
    expect(f.stderr).toContain('error[FILE_NOT_FOUND]');
  }, 30_000);
});
