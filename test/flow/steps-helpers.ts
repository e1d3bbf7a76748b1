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

/** Runs each snippet in a namespace of its own, its printed output captured (a traceback if it raises). */
const RUN_SNIPPETS = `import contextlib, io, json, sys, traceback
results = []
for i, code in enumerate(json.load(sys.stdin)):
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f'<snippet {i}>', 'exec'), {'__name__': '__main__'})
        results.append({'out': printed.getvalue()})
    except BaseException:
        results.append({'error': traceback.format_exc()})
sys.stdout.write(json.dumps(results))
`;

/**
 * Python snippets (Debian's python: pandas, scikit-learn) that print JSON, run together in ONE
 * python3 process per test file instead of one each (importing pandas and scikit-learn costs about
 * a CPU-second a process). Register every snippet when the file is collected (in a describe body):
 * `add` takes a function making its code, called when first needed (after beforeAll wrote the
 * data), and gives a function for the snippet's parsed output. The first of those runs every
 * registered snippet, each in a namespace of its own; a snippet that raises fails only the tests
 * that read it, with its traceback.
 */
export function pythonBatch() {
  const snippets: Array<() => string> = [];
  let results: Promise<Array<{ out?: string; error?: string }>> | undefined;
  const run = async (codes: string[]) => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('/usr/bin/python3', ['-c', RUN_SNIPPETS], { input: JSON.stringify(codes), encoding: 'utf8', maxBuffer: 1 << 28 });
    return JSON.parse(out) as Array<{ out?: string; error?: string }>;
  };
  return {
    add<T = unknown>(code: () => string): () => Promise<T> {
      if (results) throw new Error('pythonBatch: register every snippet before the first result is read (in a describe body, not in a test)');
      const i = snippets.push(code) - 1;
      return async () => {
        results ??= run(snippets.map((c) => c()));
        const r = (await results)[i]!;
        if (r.error !== undefined) throw new Error(`python snippet ${i} failed:\n${r.error}\n${snippets[i]!()}`);
        return JSON.parse(r.out!) as T;
      };
    },
  };
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
