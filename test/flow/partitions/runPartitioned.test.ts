import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/Engine.js';
import { readTable } from '../../../src/engine/readTable.js';
import { parseFlow } from '../../../src/flow/loadFlow.js';
import { runPartitioned } from '../../../src/flow/partitions/runPartitioned.js';
import { runFlow } from '../../../src/flow/runFlow.js';
import { rejectionOf } from '../../support/errors.js';

/** The SluiceError a run rejects with: its code, and its message when a pattern is given. */
async function expectSluiceError(p: Promise<unknown>, code: string, message?: RegExp) {
  const e = await rejectionOf(p);
  expect(e.code).toBe(code);
  if (message) expect(e.message).toMatch(message);
  return e;
}

let engine: Engine;
let dir: string;
beforeAll(async () => {
  engine = await Engine.open();
  dir = mkdtempSync(join(tmpdir(), 'sluice-run-partitions-'));
  await readTable(engine, 'examples/diabetes/diabetic-readmission.csv', { name: 'csv' });
  await engine.exec(`COPY (SELECT * FROM csv) TO '${join(dir, 'whole.parquet')}' (FORMAT parquet)`);
  mkdirSync(join(dir, 'batch', 'more'), { recursive: true });
  const bounds = [0, 20000, 41000, 69570];
  const names = ['part-0.parquet', 'part-1.parquet', 'more/part-2.parquet'];
  for (let p = 0; p < 3; p++)
    await engine.exec(
      `COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER () AS rn FROM csv) WHERE rn > ${bounds[p]} AND rn <= ${bounds[p + 1]} ORDER BY rn) TO '${join(dir, 'batch', names[p]!)}' (FORMAT parquet)`,
    );
  writeFileSync(join(dir, 'batch', '_SUCCESS'), '');
}, 120_000);
afterAll(() => {
  engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const flow = parseFlow(`version: 1
name: partitioned
target: readmitted
inputs:
  race_groups: { file: race-groups.csv }
steps:
  - { kind: filter_rows, expression: "age >= 20" }
  - { kind: impute, columns: [num_medications], strategy: median }
  - { kind: clip_outliers, columns: [num_lab_procedures], method: quantile, lower_quantile: 0.02, upper_quantile: 0.98 }
  - { kind: scale, columns: [time_in_hospital], method: robust }
  - { kind: one_hot, columns: [gender], top_k: 3, other: true }
  - { kind: join, with: race_groups, how: left, on: [race] }
`);
const sources = { baseDir: 'examples/diabetes' };

describe('sluice flow run on a folder of Parquet partitions', () => {
  it('fits once, writes one file per partition, and the files hold what the single-file run gives', async () => {
    const out = join(dir, 'out');
    const seen: string[] = [];
    const r = await runPartitioned(engine, { input: join(dir, 'batch'), output: out, flow, sources, onPartition: (p) => seen.push(p.file) });
    expect(r.partitions.map((p) => p.output)).toEqual([join(out, 'more/part-2.parquet'), join(out, 'part-0.parquet'), join(out, 'part-1.parquet')]);
    expect(seen).toHaveLength(3);
    expect(readdirSync(out).sort()).toEqual(['more', 'part-0.parquet', 'part-1.parquet']);
    const single = await runFlow(engine, { flow, input: join(dir, 'whole.parquet'), output: join(dir, 'single.parquet'), sources });
    expect(r.fitted.steps.map((s) => s.fitted)).toEqual(single.fitted.steps.map((s) => s.fitted));
    expect(r.fitted.rows).toEqual(single.fitted.rows);
    expect(r.fitted.dropped).toEqual(single.fitted.dropped);
    // The union of the partitions' outputs is the single run's output, row for row.
    const diff = await engine.query(
      `SELECT count(*) AS n FROM ((SELECT * FROM read_parquet('${out}/**/*.parquet') EXCEPT ALL SELECT * FROM read_parquet('${join(dir, 'single.parquet')}'))
        UNION ALL (SELECT * FROM read_parquet('${join(dir, 'single.parquet')}') EXCEPT ALL SELECT * FROM read_parquet('${out}/**/*.parquet')))`,
    );
    expect(diff).toEqual([{ n: 0 }]);
    expect(r.partitions.reduce((t, p) => t + p.rows, 0)).toBe(single.rows);
    // Applying the saved fitted flow again (a later batch) gives the same files.
    const again = await runPartitioned(engine, { input: join(dir, 'batch', 'part-*.parquet'), output: join(dir, 'again'), fitted: r.fitted, sources });
    expect(again.partitions.map((p) => p.rows)).toEqual(r.partitions.slice(1).map((p) => p.rows));
  }, 180_000);

  it('refuses an empty folder, a pattern matching nothing, a file that is not Parquet, and differing partitions, naming the file and column', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    await expectSluiceError(runPartitioned(engine, { input: empty, output: join(dir, 'o1'), flow, sources }), 'FLOW_PARTITIONS_EMPTY', /holds no partition/);
    await expectSluiceError(
      runPartitioned(engine, { input: join(dir, 'batch', 'nothing-*.parquet'), output: join(dir, 'o1'), flow, sources }),
      'FLOW_PARTITIONS_EMPTY',
      /matches nothing-\*\.parquet/,
    );
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed, { recursive: true });
    await engine.exec(`COPY (SELECT * FROM csv LIMIT 100) TO '${join(mixed, 'a.parquet')}' (FORMAT parquet)`);
    writeFileSync(join(mixed, 'notes.csv'), 'a,b\n1,2\n');
    await expectSluiceError(
      runPartitioned(engine, { input: mixed, output: join(dir, 'o2'), flow, sources }),
      'FLOW_PARTITION_NOT_PARQUET',
      /notes\.csv is not a Parquet file/,
    );
    rmSync(join(mixed, 'notes.csv'));
    writeFileSync(join(mixed, 'b.parquet'), 'not parquet at all');
    await expectSluiceError(runPartitioned(engine, { input: mixed, output: join(dir, 'o2'), flow, sources }), 'PARQUET_INVALID', /b\.parquet/);
    await engine.exec(`COPY (SELECT * REPLACE (CAST(age AS VARCHAR) AS age) FROM csv LIMIT 100) TO '${join(mixed, 'b.parquet')}' (FORMAT parquet)`);
    await expectSluiceError(
      runPartitioned(engine, { input: mixed, output: join(dir, 'o2'), flow, sources }),
      'FLOW_PARTITION_SCHEMA',
      /column "age" is string in .*b\.parquet but integer in .*a\.parquet/,
    );
    await engine.exec(`COPY (SELECT * EXCLUDE (race) FROM csv LIMIT 100) TO '${join(mixed, 'b.parquet')}' (FORMAT parquet)`);
    await expectSluiceError(
      runPartitioned(engine, { input: mixed, output: join(dir, 'o2'), flow, sources }),
      'FLOW_PARTITION_SCHEMA',
      /b\.parquet has no column "race"/,
    );
    // One text column whose values read as booleans in one file and as text in the other.
    const flags = join(dir, 'flags');
    mkdirSync(flags, { recursive: true });
    await engine.exec(
      `COPY (SELECT *, CASE WHEN change = 1 THEN 'yes' ELSE 'no' END AS flag FROM csv LIMIT 100) TO '${join(flags, 'a.parquet')}' (FORMAT parquet)`,
    );
    await engine.exec(
      `COPY (SELECT *, CASE WHEN change = 1 THEN 'yes' ELSE 'maybe' END AS flag FROM csv LIMIT 100) TO '${join(flags, 'b.parquet')}' (FORMAT parquet)`,
    );
    const e = await expectSluiceError(
      runPartitioned(engine, { input: flags, output: join(dir, 'o2'), flow, sources }),
      'FLOW_PARTITION_SCHEMA',
      /column "flag" is string in .*b\.parquet but boolean in .*a\.parquet \(both files store it as VARCHAR/,
    );
    expect(e.hint).toMatch(/write the column typed/);
    expect(readdirSync(dir)).not.toContain('o2'); // nothing written
  }, 180_000);

  it('refuses steps that need the whole batch, and an output folder inside the batch', async () => {
    const sorted = parseFlow(
      'version: 1\nname: s\nsteps:\n  - { kind: sort, by: [age] }\n  - { kind: impute, columns: [age], strategy: mean }\n  - { kind: drop_duplicates, name: dedupe }\n',
    );
    const e = await expectSluiceError(runPartitioned(engine, { input: join(dir, 'batch'), output: join(dir, 'o3'), flow: sorted }), 'FLOW_PARTITIONS_REFUSED');
    expect(e.message).toMatch(/step 1 \(sort\) needs the whole batch at once/);
    expect(e.message).toMatch(/step 3 \(dedupe\) needs the whole batch at once: a duplicate may sit in another partition/);
    await expectSluiceError(
      runPartitioned(engine, { input: join(dir, 'batch'), output: join(dir, 'batch', 'out'), flow, sources }),
      'FLOW_OUTPUT_INSIDE_BATCH',
    );
  }, 60_000);
});
