import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { importWranglerFlowText } from '../../src/flow/import/importWranglerFlow.js';
import { loadFlow, parseFlow } from '../../src/flow/loadFlow.js';
import { runFlow, type RunFlowResult } from '../../src/flow/runFlow.js';
import { DIABETES } from '../support/data.js';

/**
 * Issue 15, "Done when": the seed's Data Wrangler flow, imported as it is, runs with its own
 * custom pandas step (uuid record ids, time.time(), dropna) through the python step, with
 * Debian's python3 and pandas, on the seed data set, and gives the same rows as the native
 * recipe (examples/diabetes/diabetes.flow.yaml), record ids and event times aside.
 * (test/fixtures/wrangler/HealthCareUncleanWrangler.flow is the seed byte for byte, and the
 * examples' CSV the data set: import.test.ts and the fixtures README check their SHA-256.)
 */
const SEED = 'test/fixtures/wrangler/HealthCareUncleanWrangler.flow';
const IDS = { imported: ['Record_id', 'EventTime'], native: ['record_id', 'event_time'] };

let engine: Engine;
let imported: RunFlowResult;
let native: RunFlowResult;
beforeAll(async () => {
  engine = await Engine.open();
  const seed = importWranglerFlowText(readFileSync(SEED, 'utf8'), { file: SEED });
  imported = await runFlow(engine, { flow: parseFlow(seed.yaml, 'seed.flow.yaml'), input: DIABETES });
  native = await runFlow(engine, { flow: await loadFlow('examples/diabetes/diabetes.flow.yaml'), input: DIABETES });
}, 300_000);
afterAll(() => engine.close());

/** The rows of a result without its id and time columns, sorted by every column (rows have no other key). */
async function rowsOf(r: RunFlowResult, leaveOut: string[]): Promise<Array<Record<string, unknown>>> {
  const columns = r.columns.map((c) => c.name).filter((c) => !leaveOut.includes(c));
  const list = columns.map((c) => `"${c}"`).join(', ');
  return engine.query(`SELECT ${list} FROM "${r.relation}" ORDER BY ${list}`);
}

describe('the seed flow imported as it is, its pandas step run by the python step', () => {
  it('holds the pandas code verbatim in a python step, and no placeholder', () => {
    const steps = imported.fitted.flow.steps;
    expect(steps.some((s) => s.kind === 'todo_custom_code')).toBe(false);
    const py = steps.find((s) => s.kind === 'python')!;
    expect(py.name).toBe('EventTime_Pandas');
    const node = (
      JSON.parse(readFileSync(SEED, 'utf8')) as { nodes: Array<{ node_id: string; parameters: { pandas_parameters?: { code: string } } }> }
    ).nodes.find((n) => n.node_id === '132a7eb7-3d16-4040-908e-91c88e6a1b6a')!;
    expect(py.code).toBe(node.parameters.pandas_parameters!.code);
  });

  it('gives the same columns, types and row count as the native recipe, ids and times aside', () => {
    const strip = (r: RunFlowResult, ids: string[]) => r.columns.filter((c) => !ids.includes(c.name)).map((c) => ({ name: c.name, type: c.type }));
    expect(strip(imported, IDS.imported)).toEqual(strip(native, IDS.native));
    expect(imported.rowsIn).toBe(native.rowsIn);
    expect(imported.rows).toBe(native.rows);
    expect(imported.rows).toBe(69570);
    // The pandas step made its own id and time columns: a uuid per row and time.time().
    expect(imported.columns.filter((c) => IDS.imported.includes(c.name)).map((c) => [c.name, c.type])).toEqual([
      ['Record_id', 'string'],
      ['EventTime', 'float'],
    ]);
  });

  it('gives the same rows, row for row (sorted by every column), values equal within float tolerance', async () => {
    const a = await rowsOf(imported, IDS.imported);
    const b = await rowsOf(native, IDS.native);
    expect(a.length).toBe(b.length);
    let compared = 0;
    const differ: string[] = [];
    for (let i = 0; i < a.length; i++) {
      for (const [k, v] of Object.entries(b[i]!)) {
        const got = a[i]![k];
        const same = typeof v === 'number' && typeof got === 'number' ? Math.abs(got - v) <= 1e-9 * Math.max(1, Math.abs(v)) : got === v;
        if (!same && differ.length < 10) differ.push(`row ${i} column ${k}: ${JSON.stringify(got)} vs ${JSON.stringify(v)}`);
        compared++;
      }
    }
    expect(differ).toEqual([]);
    expect(compared).toBe(69570 * 10);
  }, 300_000);

  it('each row got its own uuid and every row the same time.time() of the run', async () => {
    const [r] = await engine.query(
      `SELECT count(DISTINCT "Record_id") AS ids, count(*) FILTER (WHERE regexp_matches("Record_id", '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')) AS uuids, count(DISTINCT "EventTime") AS times, min("EventTime") AS t FROM "${imported.relation}"`,
    );
    expect(Number(r!.ids)).toBe(69570);
    expect(Number(r!.uuids)).toBe(69570);
    expect(Number(r!.times)).toBe(1);
    expect(Math.abs(Number(r!.t) - Date.now() / 1000)).toBeLessThan(3600);
  });
});
