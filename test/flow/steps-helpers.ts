import { stringify } from 'yaml';
import type { Engine } from '../../src/engine/Engine.js';
import { compileRecordTransform, type RecordResult } from '../../src/flow/compileRecordTransform.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import type { FittedFlow } from '../../src/flow/fittedFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { planSql } from '../../src/flow/planSql.js';
import type { Row } from '../../src/flow/step.js';

/**
 * Fits a flow of the given steps (validated through the YAML loader, as a user's file is) on
 * `relation`, and returns the fitted flow, the transformed training rows, and helpers to apply
 * the fitted flow to other relations (SQL path) and to records (record path). On the fixture the
 * target defaults to `readmitted`, so records are sent without it, as at prediction time.
 */
export async function fitSteps(
  engine: Engine,
  relation: string,
  steps: Array<Record<string, unknown>>,
  target = relation === 'fixture' ? 'readmitted' : undefined,
) {
  const spec = parseFlow(stringify({ version: 1, name: 'test', ...(target ? { target } : {}), steps }), 'test.flow.yaml');
  const { fitted, relation: out } = await fitFlow(engine, spec, relation);
  const rows = await engine.query(`SELECT * FROM "${out}"`);
  return {
    fitted,
    rows,
    applySql: async (rel: string, mode: 'train' | 'serve' = 'serve'): Promise<Row[]> => engine.query(planSql(fitted, rel, await engine.describe(rel), mode)),
    applyRecords: (records: Row[]): RecordResult[] => compileRecordTransform(fitted)(records),
  };
}

/** The fitted parameters of the first step. */
export function firstFitted<T>(fitted: FittedFlow): T {
  return fitted.steps[0]!.fitted as T;
}

/** Runs a Python snippet with Debian's python (pandas, scikit-learn) and parses its JSON output. */
export async function python(code: string): Promise<unknown> {
  const { execFileSync } = await import('node:child_process');
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8', cwd: process.cwd() }));
}

/** A full fixture record (as a client would send it, without the target) with some fields changed. */
export async function fixtureRecord(engine: Engine, changes: Row = {}): Promise<Row> {
  const [row] = await engine.query('SELECT * EXCLUDE (readmitted) FROM fixture LIMIT 1');
  return { ...row, ...changes };
}

/** Rows as sorted JSON lines, floats rounded, missing as null: order-free comparison with pandas. */
export function canon(rows: Array<Record<string, unknown>>): string[] {
  return rows
    .map((r) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [
            k,
            v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : typeof v === 'number' ? Number(v.toPrecision(9)) : v,
          ]),
        ),
      ),
    )
    .sort();
}
