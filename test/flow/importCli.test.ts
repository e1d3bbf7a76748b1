import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importWranglerFlowText } from '../../src/flow/import/importWranglerFlow.js';
import { expectCleanError, sluice } from '../cli/run.js';

const SEED = 'test/fixtures/wrangler/HealthCareUncleanWrangler.flow';
const dir = mkdtempSync(join(tmpdir(), 'sluice-import-'));

describe('sluice flow import (the built CLI)', () => {
  it('is listed under sluice flow', async () => {
    const r = await sluice(['flow', '--help']);
    expect(r.stdout).toContain('import');
  });

  it('imports the seed: its pandas node becomes a python step, 9 of 9 transforms mapped, and it validates', async () => {
    const out = join(dir, 'seed.flow.yaml');
    const r = await sluice(['flow', 'import', SEED, '--output', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected = importWranglerFlowText(readFileSync(SEED, 'utf8'), { file: SEED });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`✓ wrote ${out}: ${expected.flow.steps.length} steps, 1 warning`);
    // Then the table, one row per node, and the coverage line; then the notes.
    expect(lines[1]).toMatch(/^node\s+│ operator\s+│ step/);
    expect(r.stdout).toMatch(/132a7eb7 │ custom_code: Python \(Pandas\)\s+│ python/);
    expect(lines).toContain('9 of 9 transforms mapped');
    expect(r.stdout).toContain('"EventTime_Pandas" runs as it is in a python step');
    expect(r.stdout).toContain(`✓ ${out} is a valid flow`);
    expect(readFileSync(out, 'utf8')).toBe(expected.yaml);
    expect((await sluice(['flow', 'validate', out])).code).toBe(0);
  });

  it('refuses to overwrite an existing output unless --force', async () => {
    const out = join(dir, 'existing.flow.yaml');
    writeFileSync(out, '# mine\n');
    expectCleanError(await sluice(['flow', 'import', SEED, '--output', out]), 'FILE_EXISTS');
    expect(readFileSync(out, 'utf8')).toBe('# mine\n');
    const r = await sluice(['flow', 'import', SEED, '--output', out, '--force', '--name', 'diabetes']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('name: diabetes');
  });

  it('bad input: not JSON, not a flow, a cycle, a missing file; clean errors and no output written', async () => {
    const cases: Array<[string, string]> = [
      ['test/fixtures/wrangler/not-json.flow', 'WRANGLER_NOT_JSON'],
      ['test/fixtures/wrangler/no-nodes.flow', 'WRANGLER_INVALID'],
      ['test/fixtures/wrangler/cycle.flow', 'WRANGLER_CYCLE'],
      ['test/fixtures/wrangler/dangling.flow', 'WRANGLER_DANGLING_INPUT'],
      [join(dir, 'absent.flow'), 'FILE_NOT_FOUND'],
    ];
    const sub = mkdtempSync(join(dir, 'bad-'));
    for (const [input, code] of cases) {
      const r = await sluice(['flow', 'import', input, '--output', join(sub, 'out.flow.yaml')]);
      expectCleanError(r, code);
      expect(r.stderr).toContain(input);
    }
    expect(existsSync(join(sub, 'out.flow.yaml'))).toBe(false);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('the user workflow: import, run as it is (the pandas code in python3), or replace the python step by built-in steps', async () => {
    const out = join(dir, 'edited.flow.yaml');
    expect((await sluice(['flow', 'import', SEED, '--output', out])).code).toBe(0);
    // On the first 3,000 rows (test/flow/seedPython.test.ts runs the whole data set in process).
    const head = join(dir, 'head.csv');
    writeFileSync(head, readFileSync('examples/diabetes/diabetic-readmission.csv', 'utf8').split('\n').slice(0, 3001).join('\n') + '\n');
    const asIs = await sluice(['flow', 'run', out, '--input', head, '--output', join(dir, 'as-is.parquet'), '--quiet']);
    expect(asIs.stderr).toBe('');
    expect(asIs.stdout).toMatch(/✓ wrote .*as-is\.parquet: \d+ rows × 12 columns/);
    const text = readFileSync(out, 'utf8');
    // The python step, from its kind to its last field, as a person would cut it.
    const block = /^ {2}- kind: python\n[\s\S]*?^ {4}name: EventTime_Pandas\n/m;
    expect(text).toMatch(block);
    const replacement = ['  - kind: record_id', '    method: hash', '  - kind: event_time', '    format: epoch_seconds', '  - kind: drop_missing', ''].join(
      '\n',
    );
    writeFileSync(out, text.replace(block, replacement));
    expect((await sluice(['flow', 'validate', out])).code).toBe(0);
    const r = await sluice(['flow', 'run', out, '--input', 'examples/diabetes/diabetic-readmission.csv', '--output', join(dir, 'edited.parquet'), '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('69570 rows × 12 columns');
  });

  it('a python step that fails: the CLI prints the step, the Python error and the line of the code, without a stack trace', async () => {
    const out = join(dir, 'broken.flow.yaml');
    writeFileSync(
      out,
      [
        'version: 1',
        'name: broken',
        'steps:',
        '  - kind: python',
        '    name: weeks',
        '    code: |',
        '      x = 1',
        "      df['w'] = df['no_such'] / 7",
        '',
      ].join('\n'),
    );
    const r = await sluice(['flow', 'run', out, '--input', 'examples/diabetes/diabetic-readmission.csv', '--output', join(dir, 'broken.csv'), '--quiet']);
    expectCleanError(r, 'FLOW_PYTHON_ERROR');
    expect(r.stderr).toContain(`step 1 (python "weeks"): KeyError: 'no_such' (line 2 of the step's code)`);
    expect(existsSync(join(dir, 'broken.csv'))).toBe(false);
  });

  it('a flow without placeholders is checked at once, and runs as imported', async () => {
    const out = join(dir, 'clean.flow.yaml');
    const r = await sluice(['flow', 'import', 'test/fixtures/wrangler/clean.flow', '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`✓ wrote ${out}: 4 steps`);
    expect(r.stdout).toContain(`✓ ${out} is a valid flow`);
    expect(r.stdout).toContain('Data Wrangler kept trained parameters (one_hot_encode_parameters)');
    const run = await sluice(['flow', 'run', out, '--input', 'examples/diabetes/diabetic-readmission.csv', '--output', join(dir, 'clean.parquet'), '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/69570 rows × \d+ columns/);
  });
});
