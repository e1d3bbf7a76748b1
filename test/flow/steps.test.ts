import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { planSql } from '../../src/flow/planSql.js';
import { STEPS } from '../../src/flow/steps/index.js';
import { stringify } from 'yaml';
import { EXAMPLE_DIR, loadFixture, oneStepFlow } from './fixture.js';
import { readInputs } from '../../src/flow/loadInputs.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
});
afterAll(() => engine.close());

/** Plain comparable values: dates as ISO text, floats rounded to 9 significant digits. */
function norm(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date)
    return type === 'date'
      ? v.toISOString().slice(0, 10)
      : v
          .toISOString()
          .replace('T', ' ')
          .replace('Z', '')
          .replace(/\.000$/, '');
  if (typeof v === 'string' && type === 'timestamp') return v.replace(/\.000$/, '');
  if (typeof v === 'number' && !Number.isInteger(v)) return Number(v.toPrecision(9));
  return v;
}

/** Columns whose values are random by design (uuid ids, the time the flow runs). */
function randomColumns(step: Record<string, unknown>): string[] {
  if (step.kind === 'record_id' && step.method === 'uuid') return [String(step.output ?? 'record_id')];
  if (step.kind === 'event_time' && (step.from ?? 'now') === 'now') return [String(step.output ?? 'event_time')];
  return [];
}

describe('every step: documented example validates, fits, and its SQL and record paths agree', () => {
  for (const def of STEPS) {
    it(def.kind, async () => {
      // The example as a user would write it, through the YAML loader.
      const spec = parseFlow(stringify(oneStepFlow(def.doc.example, 'readmitted', def.doc.inputs)), `${def.kind}.flow.yaml`);
      const inputs = await readInputs(engine, spec.inputs, { baseDir: EXAMPLE_DIR });
      const { fitted, relation } = await fitFlow(engine, spec, 'fixture', { inputs });
      const trainRows = await engine.count(relation);
      expect(trainRows).toBeGreaterThan(0);
      if (def.rowsOnly) return; // row steps never run on records
      const columns = await engine.describe('fixture');
      const records = await engine.query('SELECT * EXCLUDE (readmitted) FROM fixture');
      const results = compileRecordTransform(fitted)(records);
      // A step that needs other rows (a series' history) or runs outside SQL (python) says why it
      // cannot serve one record, and its record path (and its SQL at prediction time) refuses with
      // that reason instead of computing something else.
      const problem = def.servingProblem?.(fitted.steps[0]!.spec, fitted.steps[0]!.fitted);
      if (problem) {
        for (const r of results) expect(!r.ok && r.error.code).toBe('FLOW_SERVE_REFUSED');
        if (def.batch) expect(() => planSql(fitted, 'fixture', columns, 'serve')).toThrow(/runs on batches/);
        return;
      }
      const sqlRows = await engine.query(planSql(fitted, 'fixture', columns, 'serve'));
      expect(sqlRows).toHaveLength(records.length);
      const skip = new Set(randomColumns(fitted.steps[0]!.spec));
      const types = new Map(fitted.output.map((c) => [c.name, c.type]));
      results.forEach((r, i) => {
        if (!r.ok) throw r.error;
        const want = Object.fromEntries(
          Object.entries(sqlRows[i]!)
            .filter(([k]) => !skip.has(k))
            .map(([k, v]) => [k, norm(v, types.get(k)!)]),
        );
        const got = Object.fromEntries(
          Object.entries(r.row)
            .filter(([k]) => !skip.has(k))
            .map(([k, v]) => [k, norm(v, types.get(k)!)]),
        );
        expect(got, `row ${i}`).toEqual(want);
      });
    });
  }
});

describe('every step is documented', () => {
  for (const def of STEPS) {
    it(def.kind, () => {
      expect(def.doc.title.length).toBeGreaterThan(3);
      expect(def.doc.description.length).toBeGreaterThan(20);
      expect(def.doc.example).toContain(`kind: ${def.kind}`);
    });
  }
});
