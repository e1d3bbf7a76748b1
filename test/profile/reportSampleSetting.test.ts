import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { reportActivity } from '../../src/pipeline/activities/reportActivity.js';
import { expectCleanError } from '../cli/run.js';
import { runCliInProcess } from '../support/runCliInProcess.js';
import { rng, tempDir, writeCsv } from './helpers.js';

// The report's sample bound is the user's to set: `sluice report --sample-rows N|all`, else
// sluice.yaml `reportSampleRows`, else 250,000 (src/profile/reportSample.ts). The pipeline's report
// activity reads the same setting.
const dir = tempDir('sluice-sample-setting-');
const ROWS = 3000;
const r = rng(11);
const data = writeCsv(
  dir,
  'data.csv',
  ['x', 'y', 'c', 't'],
  Array.from({ length: ROWS }, () => {
    const x = r() * 10;
    return [x.toFixed(3), (x + r() * 3).toFixed(3), ['a', 'b'][Math.floor(r() * 2)], x > 5 ? 'yes' : 'no'];
  }),
);

const sampleOf = (out: string): { rows: number; of: number } | undefined => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).correlations.sample;

/** A project folder whose sluice.yaml holds `yaml`. */
function project(name: string, yaml: string): string {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'sluice.yaml'), yaml);
  return root;
}

describe("the report's sample bound, as users set it", () => {
  it('--sample-rows N samples above N rows and says so; digit groups are allowed', async () => {
    const out = join(dir, 'n');
    const run = await runCliInProcess(['report', data, '--target', 't', '--sample-rows', '1,000', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const sample = sampleOf(out);
    expect(sample?.of).toBe(ROWS);
    expect(sample?.rows).toBeGreaterThan(800);
    expect(sample?.rows).toBeLessThan(1200);
  }, 60_000);

  it('sluice.yaml reportSampleRows is the default, and --sample-rows all overrides it', async () => {
    const root = project('proj', 'name: sampled\nreportSampleRows: 1000\n');
    const sampled = join(root, 'sampled');
    const a = await runCliInProcess(['report', data, '--target', 't', '--out', sampled], { cwd: root });
    expect(a.code, a.stderr).toBe(0);
    expect(sampleOf(sampled)?.of).toBe(ROWS);
    const every = join(root, 'every');
    const b = await runCliInProcess(['report', data, '--target', 't', '--sample-rows', 'all', '--out', every], { cwd: root });
    expect(b.code, b.stderr).toBe(0);
    expect(sampleOf(every)).toBeUndefined();
  }, 60_000);

  it('the pipeline report activity reads reportSampleRows from sluice.yaml', async () => {
    const root = project('pipe', 'name: pipe\nreportSampleRows: 1000\n');
    const p = loadProject(root);
    const summary = await reportActivity()(
      { file: data, target: 't' },
      {
        executionId: 'e1',
        step: 'report',
        attempt: 1,
        idempotencyKey: 'e1:report',
        signal: new AbortController().signal,
        project: p.paths,
        execution: { input: { file: data }, results: {} },
        log: pino({ level: 'silent' }),
        config: p.config,
      },
    );
    const report = JSON.parse(readFileSync(summary.reportJson, 'utf8'));
    expect(report.correlations.sample.of).toBe(ROWS);
    expect(report.notes.join(' ')).toContain('uniform random sample');
  }, 60_000);

  it.each([['0'], ['abc'], ['1.5'], ['-3'], ['']])('refuses --sample-rows %j with a hint, before reading anything', async (value) => {
    const out = join(dir, `bad-${value}`);
    const run = await runCliInProcess(['report', data, '--sample-rows', value, '--out', out]);
    expectCleanError(run, 'CLI_USAGE');
    expect(run.stderr).toContain('--sample-rows must be a whole number of rows');
    expect(run.stderr).toContain('--sample-rows all');
  });

  it.each([['0'], ['-1'], ['2.5'], ['some']])('refuses reportSampleRows: %s in sluice.yaml, naming the field and line', async (value) => {
    const root = project(`badyaml-${value}`, `name: bad\nreportSampleRows: ${value}\n`);
    expect(() => loadProject(root)).toThrow(/sluice\.yaml: reportSampleRows: a whole number of rows of at least 1, or 'all'/);
    const run = await runCliInProcess(['report', data, '--out', join(root, 'out')], { cwd: root });
    expectCleanError(run, 'CONFIG_INVALID');
    expect(run.stderr).toContain('sluice.yaml:2:1, field "reportSampleRows"');
  });
});
