import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/Engine.js';
import { readTable } from '../../../src/engine/readTable.js';
import { expectCleanError, sluice } from '../../cli/run.js';

/** `sluice flow run` on a folder of Parquet partitions, as a user runs it. */
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-partitions-cli-'));
  const engine = await Engine.open();
  try {
    await readTable(engine, 'examples/diabetes/diabetic-readmission.csv', { name: 'csv' });
    mkdirSync(join(dir, 'batch'));
    for (let p = 0; p < 4; p++)
      await engine.exec(
        `COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER () AS rn FROM csv) WHERE rn % 4 = ${p} ORDER BY rn) TO '${join(dir, 'batch', `part-${p}.parquet`)}' (FORMAT parquet)`,
      );
  } finally {
    engine.close();
  }
  writeFileSync(
    join(dir, 'batch.flow.yaml'),
    `version: 1
name: partitioned
target: readmitted
steps:
  - { kind: impute, columns: [num_medications, time_in_hospital], strategy: median }
  - { kind: scale, columns: [num_lab_procedures], method: standard }
  - { kind: one_hot, columns: [race], top_k: 3 }
  - { kind: bin, column: age, method: quantile, bins: 4 }
`,
  );
}, 120_000);
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sluice flow run --input FOLDER', () => {
  it('fits once, writes one Parquet file per partition, and applies a saved fit to a pattern of partitions', async () => {
    const r = await sluice([
      'flow',
      'run',
      join(dir, 'batch.flow.yaml'),
      '--input',
      join(dir, 'batch'),
      '--output',
      join(dir, 'out'),
      '--save-fitted',
      join(dir, 'fitted.json'),
    ]);
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote 4 files to .*out: 69570 rows in all/);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['part-0.parquet', 'part-1.parquet', 'part-2.parquet', 'part-3.parquet']);
    const fitted = JSON.parse(readFileSync(join(dir, 'fitted.json'), 'utf8')) as { rows: { in: number; out: number }; steps: Array<{ fitted: unknown }> };
    expect(fitted.rows).toEqual({ in: 69570, out: 69570 });
    // The medians pandas gives on the whole file (test/flow/diabetes.test.ts): 3 and 14 days/medications.
    expect((fitted.steps[0]!.fitted as { values: Record<string, number> }).values).toEqual({ num_medications: 14, time_in_hospital: 3 });
    const again = await sluice([
      'flow',
      'run',
      'x',
      '--fitted',
      join(dir, 'fitted.json'),
      '--input',
      join(dir, 'batch', 'part-[0-1]*.parquet'),
      '--output',
      join(dir, 'again'),
      '-q',
    ]);
    expectCleanError(again, 'FLOW_PARTITIONS_EMPTY'); // only * and ? are wildcards: [ ] is taken as it is
    const pattern = await sluice([
      'flow',
      'run',
      'x',
      '--fitted',
      join(dir, 'fitted.json'),
      '--input',
      join(dir, 'batch', 'part-?.parquet'),
      '--output',
      join(dir, 'again'),
      '-q',
    ]);
    expect(pattern.stderr).not.toMatch(/error\[/);
    expect(pattern.stdout).toMatch(/wrote 4 files/);
  }, 240_000);

  it('says what is wrong with the output, the folder and the flow', async () => {
    expectCleanError(
      await sluice(['flow', 'run', join(dir, 'batch.flow.yaml'), '--input', join(dir, 'batch'), '--output', join(dir, 'one.parquet')]),
      'CLI_USAGE',
    );
    mkdirSync(join(dir, 'nothing'));
    const empty = await sluice(['flow', 'run', join(dir, 'batch.flow.yaml'), '--input', join(dir, 'nothing'), '--output', join(dir, 'o')]);
    expectCleanError(empty, 'FLOW_PARTITIONS_EMPTY');
    writeFileSync(join(dir, 'sorted.flow.yaml'), 'version: 1\nname: s\nsteps:\n  - { kind: sample, n: 10 }\n');
    const refused = await sluice(['flow', 'run', join(dir, 'sorted.flow.yaml'), '--input', join(dir, 'batch'), '--output', join(dir, 'o')]);
    expectCleanError(refused, 'FLOW_PARTITIONS_REFUSED');
    expect(refused.stderr).toMatch(/step 1 \(sample\) needs the whole batch at once/);
  }, 120_000);
});
