import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sluice } from '../cli/run.js';

/**
 * Issue 15, point 5, on a real flow with four custom PySpark nodes (the CLI in a child process):
 * `flow import` prints one table row per node and the coverage line, and `flow validate` names
 * all four placeholders in one error, with their lines, instead of stopping at the first.
 */
const FLOW = 'test/fixtures/wrangler/corpus/nyc-taxi-timeseries.flow';
const dir = mkdtempSync(join(tmpdir(), 'sluice-import-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flow import and flow validate on a real flow with several placeholders', () => {
  it('import prints the table and the coverage line; validate lists every placeholder at once', async () => {
    const out = join(dir, 'nyc.flow.yaml');
    const r = await sluice(['flow', 'import', FLOW, '--output', out]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`! wrote ${out}: 12 steps, 4 placeholders to replace, 1 warning`);
    expect(lines[1]).toMatch(/^node\s+│ operator\s+│ step/);
    const rows = lines.slice(3, 15);
    expect(rows.map((l) => l.split('│').map((c) => c.trim())[2])).toEqual([
      'infer_types',
      'drop_columns',
      'validate_timestamps',
      'validate_timestamps',
      'PLACEHOLDER (pyspark)',
      'impute',
      'fill_series',
      'PLACEHOLDER (pyspark)',
      'clip_outliers',
      'PLACEHOLDER (pyspark)',
      'PLACEHOLDER (pyspark)',
      'resample',
    ]);
    expect(lines[15]).toBe('8 of 12 transforms mapped; 4 custom PySpark nodes need replacing');

    const v = await sluice(['flow', 'validate', out]);
    expect(v.code).not.toBe(0);
    expect(v.stderr).toContain(`error[FLOW_PROBLEMS]: ${out} has 4 problems:`);
    for (const [n, step] of [5, 8, 10, 11].entries())
      expect(v.stderr).toMatch(new RegExp(`  ${n + 1}\\. step ${step} is a placeholder for custom pyspark code .*\\(line \\d+\\)`));
  });
});
