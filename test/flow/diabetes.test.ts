import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import { parseFittedFlow } from '../../src/flow/fittedFlow.js';
import { loadFlow } from '../../src/flow/loadFlow.js';
import { planSql } from '../../src/flow/planSql.js';

const DATA = 'examples/diabetes/diabetic-readmission.csv';
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await readTable(engine, DATA, { name: 'raw' });
});
afterAll(() => engine.close());

describe('the diabetes recipe (the seed expressed natively)', () => {
  it('gives 69,570 rows and the 12 columns the seed ends with', async () => {
    const spec = await loadFlow('examples/diabetes/diabetes.flow.yaml');
    const { fitted, relation } = await fitFlow(engine, spec, 'raw');
    expect(fitted.rows).toEqual({ in: 69570, out: 69570 });
    expect(fitted.output.map((c) => c.name)).toEqual([
      'readmitted',
      'age',
      'time_in_hospital',
      'num_lab_procedures',
      'num_medications',
      'number_emergency',
      'number_inpatient',
      'number_diagnoses',
      'change',
      'diabetes_med',
      'record_id',
      'event_time',
    ]);
    const labels = await engine.query<{ readmitted: string; n: number }>(`SELECT readmitted, count(*) AS n FROM "${relation}" GROUP BY 1 ORDER BY 1`);
    const raw = await engine.query<{ n: number }>(`SELECT count(*) FILTER (WHERE readmitted = 'no') AS n FROM raw`);
    expect(labels.map((l) => l.readmitted)).toEqual(['0', '1']);
    expect(labels[0]!.n).toBe(raw[0]!.n);
    // The fitted median is the one pandas gives: recorded with
    // /usr/bin/python3 -c "import pandas as pd; d=pd.read_csv('examples/diabetes/diabetic-readmission.csv'); print(d.time_in_hospital.median(), d.num_medications.median())"
    const impute = fitted.steps.find((s) => s.kind === 'impute')!.fitted as { values: Record<string, number> };
    expect(impute.values.time_in_hospital).toBe(3);
    expect(impute.values.num_medications).toBe(14);
  });

  it('the fitted flow round-trips through JSON and applies to a later batch without refitting', async () => {
    const spec = await loadFlow('examples/diabetes/diabetes.flow.yaml');
    const { fitted } = await fitFlow(engine, spec, 'raw');
    const again = parseFittedFlow(JSON.stringify(fitted));
    // a later batch: 100 rows with missing values, which must get the fit-time medians
    await engine.exec(`CREATE OR REPLACE TABLE later AS SELECT * REPLACE (NULL::BIGINT AS time_in_hospital) FROM raw LIMIT 100`);
    const rows = await engine.query(`SELECT DISTINCT time_in_hospital FROM (${planSql(again, 'later', await engine.describe('later'), 'train')})`);
    expect(rows).toEqual([{ time_in_hospital: 3 }]);
  });

  it('single records at prediction time give the same features as the batch, without the target', async () => {
    const spec = await loadFlow('examples/diabetes/diabetes.flow.yaml');
    const { fitted } = await fitFlow(engine, spec, 'raw');
    const batch = await engine.query(`SELECT * EXCLUDE (event_time) FROM (${planSql(fitted, 'raw', await engine.describe('raw'), 'serve')}) LIMIT 50`);
    const records = await engine.query('SELECT * EXCLUDE (readmitted) FROM raw LIMIT 50');
    const out = compileRecordTransform(fitted)(records);
    out.forEach((r, i) => {
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const { event_time, ...rest } = r.row;
      expect(typeof event_time).toBe('number');
      expect(rest).toEqual(batch[i]);
      expect('readmitted' in r.row).toBe(false);
    });
  });

  it('a record with a missing field or a wrong type gets an error naming the record and field', async () => {
    const spec = await loadFlow('examples/diabetes/diabetes.flow.yaml');
    const { fitted } = await fitFlow(engine, spec, 'raw');
    const [good] = await engine.query('SELECT * EXCLUDE (readmitted) FROM raw LIMIT 1');
    const { age: _age, ...noAge } = good!;
    const out = compileRecordTransform(fitted)([good!, noAge, { ...good, num_lab_procedures: 'many' }]);
    expect(out[0]!.ok).toBe(true);
    expect(out[1]!.ok).toBe(false);
    if (!out[1]!.ok) expect(out[1]!.error.location).toMatchObject({ record: 1, field: 'age' });
    if (!out[2]!.ok) expect(out[2]!.error.location).toMatchObject({ record: 2, field: 'num_lab_procedures' });
    expect(out[2]!.ok).toBe(false);
  });

  it('a batch missing a column the recipe needs is refused, naming the column, the step and the file', async () => {
    await engine.exec('CREATE OR REPLACE TABLE noage AS SELECT * EXCLUDE (age) FROM raw LIMIT 10');
    const spec = await loadFlow('examples/diabetes/diabetes.flow.yaml');
    spec.steps.splice(1, 0, { kind: 'compute', output: 'old', expression: 'age > 60', type: 'boolean', replace: false });
    const err = (await fitFlow(engine, spec, 'noage', { file: 'batch.csv' }).catch((e: unknown) => e)) as SluiceError;
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.code).toBe('FLOW_MISSING_COLUMN');
    expect(err.location).toMatchObject({ step: 1, field: 'age', file: 'batch.csv' });
  });

  it('every example flow in examples/ validates', async () => {
    for (const dir of readdirSync('examples')) {
      for (const f of readdirSync(`examples/${dir}`).filter((n) => n.endsWith('.flow.yaml'))) {
        await expect(loadFlow(`examples/${dir}/${f}`)).resolves.toBeTruthy();
      }
    }
  });
});
