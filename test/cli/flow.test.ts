import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diabetesCsv } from '../support/data.js';
import { expectCleanError, sluice, sluiceProcess } from './run.js';

const FLOW = 'examples/diabetes/diabetes.flow.yaml';
const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
// The CLI's plumbing needs no size: 3,000 records of the seed data (the flow on all of it: test/flow/diabetes.test.ts).
const DATA = join(dir, 'diabetic-readmission-3000.csv');
writeFileSync(DATA, diabetesCsv(3000));

describe('sluice flow (the built CLI)', () => {
  it('--help lists the commands (the sluice command in a child process)', () => {
    const r = sluiceProcess(['flow', '--help']);
    expect(r.code).toBe(0);
    for (const c of ['validate', 'run', 'preview', 'sql', 'steps']) expect(r.stdout).toContain(c);
  });

  it('run writes Parquet and a fitted flow, which then applies without refitting', async () => {
    const out = join(dir, 'out.parquet');
    const fitted = join(dir, 'fitted.json');
    const r = await sluice(['flow', 'run', FLOW, '--input', DATA, '--output', out, '--save-fitted', fitted, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3000 rows × 12 columns');
    expect(existsSync(out) && existsSync(fitted)).toBe(true);
    const csv = join(dir, 'again.csv');
    const r2 = await sluice(['flow', 'run', FLOW, '--input', out, '--output', csv, '--fitted', fitted, '--quiet']);
    expect(r2.code, r2.stderr).toBe(1); // the output lacks the raw columns the flow needs
    expectCleanError(r2, 'FLOW_MISSING_COLUMN');
    const r3 = await sluice(['flow', 'run', FLOW, '--input', DATA, '--output', csv, '--fitted', fitted, '--quiet']);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stdout).toContain('3000 rows × 12 columns');
  });

  it('validate, preview, sql and steps work', async () => {
    expect((await sluice(['flow', 'validate', FLOW])).stdout).toContain('10 steps, valid');
    const v = await sluice(['flow', 'validate', FLOW, '--input', DATA]);
    expect(v.stdout).toContain('3000 rows in');
    const p = await sluice(['flow', 'preview', FLOW, '--input', DATA, '--rows', '2']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('after step 10 (drop_columns): 3000 rows × 12 columns');
    const s = await sluice(['flow', 'sql', FLOW, '--input', DATA]);
    expect(s.stdout).toContain('regexp_replace');
    expect(s.stdout).toContain('WITH s0 AS');
    expect((await sluice(['flow', 'steps'])).stdout).toContain('impute');
  });

  it('bad data gets a located error and no partial output', async () => {
    const bad = join(dir, 'ragged.csv');
    writeFileSync(bad, 'a,b,c\n1,2,3\n4,5\n');
    const out = join(dir, 'never.parquet');
    const r = await sluice(['flow', 'run', FLOW, '--input', bad, '--output', out, '--quiet']);
    expectCleanError(r, 'CSV_RAGGED_ROW');
    expect(r.stderr).toContain('ragged.csv:3');
    expect(existsSync(out)).toBe(false);
  });

  it('a column the recipe needs that is missing names the step and the column', async () => {
    const data = join(dir, 'nocol.csv');
    writeFileSync(data, 'readmitted,age\nno,5\n>30,15\n');
    const r = await sluice(['flow', 'run', FLOW, '--input', data, '--output', join(dir, 'x.csv'), '--quiet']);
    expectCleanError(r, 'FLOW_MISSING_COLUMN');
    expect(r.stderr).toContain('step 1');
    expect(r.stderr).toContain('max_glu_serum');
  });

  it('a failure while writing leaves neither the output nor a temporary file', async () => {
    const flow = join(dir, 'strict.flow.yaml');
    writeFileSync(flow, 'version: 1\nname: strict\nsteps:\n  - kind: cast\n    columns: [v]\n    to: integer\n    on_error: error\n');
    const data = join(dir, 'late-bad.csv');
    writeFileSync(data, 'v\n' + Array.from({ length: 5000 }, (_, i) => String(i)).join('\n') + '\nabc\n');
    const outDir = join(dir, 'strict-out');
    const r = await sluice(['flow', 'run', flow, '--input', data, '--output', join(outDir, 'o.parquet'), '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"v" is not integer: abc');
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
  });

  it("run reads the batch while the flow loads, and again with the flow's own missing_tokens", async () => {
    // The CLI starts reading before the flow is parsed, with the tokens a flow without its own
    // would use; a flow that sets missing_tokens must not get that read.
    const flow = join(dir, 'tokens.flow.yaml');
    writeFileSync(flow, "version: 1\nname: tokens\nmissing_tokens: ['?']\nsteps:\n  - kind: drop_missing\n    columns: [a]\n");
    const data = join(dir, 'tokens.csv');
    writeFileSync(data, 'a,b\n1,x\n?,y\n3,z\n');
    const out = join(dir, 'tokens-out.csv');
    const r = await sluice(['flow', 'run', flow, '--input', data, '--output', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('step 1 (drop_missing): 1 row removed, a missing value in a');
    expect(readFileSync(out, 'utf8')).toBe('a,b\n1,x\n3,z\n');
  });

  it('a broken flow is the error even while its batch is being read, or when the batch is bad too', async () => {
    const flow = join(dir, 'broken-run.flow.yaml');
    writeFileSync(flow, 'version: 1\nname: b\nsteps:\n  - kind: impute\n    columns: [a]\n    strategy: avg\n');
    const out = join(dir, 'broken-run.parquet');
    const r = await sluice(['flow', 'run', flow, '--input', DATA, '--output', out, '--quiet']);
    expectCleanError(r, 'FLOW_INVALID');
    expect(r.stderr).toContain('broken-run.flow.yaml:6');
    const bad = join(dir, 'ragged-too.csv');
    writeFileSync(bad, 'a,b,c\n1,2,3\n4,5\n');
    const r2 = await sluice(['flow', 'run', flow, '--input', bad, '--output', out, '--quiet']);
    expectCleanError(r2, 'FLOW_INVALID');
    expect(existsSync(out)).toBe(false);
  });

  it('a broken flow file names the line', async () => {
    const flow = join(dir, 'broken.flow.yaml');
    writeFileSync(flow, 'version: 1\nname: b\nsteps:\n  - kind: impute\n    columns: [a]\n    strategy: avg\n');
    const r = await sluice(['flow', 'validate', flow]);
    expectCleanError(r, 'FLOW_INVALID');
    expect(r.stderr).toContain('broken.flow.yaml:6');
  });
});
