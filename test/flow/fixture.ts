import { parse } from 'yaml';
import type { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import type { FlowSpec } from '../../src/flow/flowSchema.js';

/**
 * The shared fixture for step tests: 400 rows of the seed data with missing values planted in
 * a few columns (every 7th time_in_hospital, every 11th num_medications, every 13th race), plus
 * a date, a timestamp, a free-text and a float column, so every step's example has data to
 * work on.
 */
export async function loadFixture(engine: Engine, name = 'fixture'): Promise<void> {
  await readTable(engine, 'examples/diabetes/diabetic-readmission.csv', { name: `${name}_raw` });
  await engine.exec(`CREATE OR REPLACE TABLE ${name} AS
    SELECT * EXCLUDE (rn) REPLACE (
        CASE WHEN rn % 7 = 0 THEN NULL ELSE time_in_hospital END AS time_in_hospital,
        CASE WHEN rn % 11 = 0 THEN NULL ELSE num_medications END AS num_medications,
        CASE WHEN rn % 13 = 0 THEN NULL ELSE race END AS race),
      (DATE '2024-01-01' + (rn * 3 % 400)::INTEGER) AS admit_date,
      (TIMESTAMP '2024-01-01 00:00:00' + to_minutes((rn * 97)::BIGINT)) AS admitted_at,
      CASE rn % 4 WHEN 0 THEN '  Fever, cough ' WHEN 1 THEN 'chest-pain' WHEN 2 THEN 'Headache / nausea' ELSE NULL END AS complaint,
      round(num_lab_procedures / 3.0 + rn % 5 * 0.25, 3)::DOUBLE AS lab_score
    FROM (SELECT *, row_number() OVER () AS rn FROM ${name}_raw LIMIT 400)`);
}

export function oneStepFlow(exampleYaml: string, target = 'readmitted', inputsYaml?: string): FlowSpec {
  return { version: 1, name: 'example', target, ...(inputsYaml ? { inputs: parse(inputsYaml) } : {}), steps: [parse(exampleYaml)] } as FlowSpec;
}

/** The folder the documented examples' input files are in. */
export const EXAMPLE_DIR = 'examples/diabetes';
