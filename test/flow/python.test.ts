import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { applyFitted } from '../../src/flow/applyFitted.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import type { FlowSpec, StepSpec } from '../../src/flow/flowSchema.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { findPython } from '../../src/flow/python/findPython.js';
import { loadFixture } from './fixture.js';

/**
 * The python step with Debian's python3 and pandas, in a real subprocess (no mocks): types and
 * missing values round-trip, the two modes of Data Wrangler's custom code, fit then apply, and
 * every bad input gives an error naming the step and the line.
 */
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
  // Every type a column can have, with missing values, extremes and text that needs escaping.
  await engine.exec(`CREATE TABLE typed AS SELECT * FROM (VALUES
    (1::BIGINT, 1.5::DOUBLE, 'a', true, DATE '2020-01-02', TIMESTAMP '2020-01-02 03:04:05.123456'),
    (NULL, NULL, NULL, NULL, NULL, NULL),
    (9007199254740993, 0.1::DOUBLE + 0.2::DOUBLE, 'x"y' || chr(10) || '\u00e9', false, DATE '1900-01-01', TIMESTAMP '1980-01-01 00:00:00'),
    (-9223372036854775808, 5e-324::DOUBLE, '', false, DATE '2262-04-10', TIMESTAMP '1677-09-22 00:00:00'),
    (9223372036854775807, 1.7976931348623157e308::DOUBLE, 'NA', true, DATE '1970-01-01', TIMESTAMP '1970-01-01 00:00:00.000001')
  ) v(i, f, s, b, d, ts)`);
});
afterAll(() => engine.close());

function flow(steps: StepSpec[], target?: string): FlowSpec {
  return parseFlow(JSON.stringify({ version: 1, name: 'py', ...(target ? { target } : {}), steps }), 'py.flow.yaml');
}

async function fit(relation: string, steps: StepSpec[]) {
  return fitFlow(engine, flow(steps), relation);
}

async function errorOf(p: Promise<unknown>): Promise<SluiceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError);
    return e as SluiceError;
  }
  throw new Error('expected an error, got none');
}

describe('python step: types and missing values round-trip through pandas', () => {
  it('an identity step gives every value back exactly, with the same types', async () => {
    const { fitted, relation } = await fit('typed', [{ kind: 'python', code: 'df = df' }]);
    expect(fitted.output).toEqual(fitted.input.map((c) => ({ name: c.name, type: c.type })));
    const before = await engine.query('SELECT * FROM typed');
    const after = await engine.query(`SELECT * FROM ${relation}`);
    expect(after).toEqual(before);
    // and the same through the fixture (400 rows of the seed with dates, timestamps, nulls)
    const fx = await fit('fixture', [{ kind: 'python', code: 'df = df' }]);
    expect(await engine.query(`SELECT * FROM ${fx.relation}`)).toEqual(await engine.query('SELECT * FROM fixture'));
  });

  it('pandas sees the dtypes of the Sluice types, and new columns get types from theirs', async () => {
    const code = [
      "assert str(df['i'].dtype) == 'Int64', df['i'].dtype",
      "assert str(df['f'].dtype) == 'float64'",
      "assert str(df['s'].dtype) == 'object'",
      "assert str(df['b'].dtype) == 'boolean'",
      "assert str(df['d'].dtype) == 'datetime64[ns]' and str(df['ts'].dtype) == 'datetime64[ns]'",
      "assert df['s'].isna().sum() == 1 and df['i'].isna().sum() == 1",
      "df['i2'] = df['i'] // 2",
      "df['half'] = df['f'] / 2",
      "df['flag'] = df['b'].fillna(False) & True",
      "df['label'] = df['s'].str.upper()",
      "df['year'] = df['d'].dt.year.astype('Int64')",
      "df['day_after'] = df['d'] + pd.Timedelta(days=1)",
      "df['noon'] = df['ts'] + pd.Timedelta(hours=12)",
      "df['nothing'] = None",
      "df = df[['i2', 'half', 'flag', 'label', 'year', 'day_after', 'noon', 'nothing', 'd']]",
    ].join('\n');
    const { fitted, relation } = await fit('typed', [{ kind: 'python', code }]);
    expect(fitted.output).toEqual([
      { name: 'i2', type: 'integer' },
      { name: 'half', type: 'float' },
      { name: 'flag', type: 'boolean' },
      { name: 'label', type: 'string' },
      { name: 'year', type: 'integer' },
      { name: 'day_after', type: 'timestamp' },
      { name: 'noon', type: 'timestamp' },
      { name: 'nothing', type: 'string' },
      { name: 'd', type: 'date' },
    ]);
    const rows = await engine.query(`SELECT i2, year, label, flag, d FROM ${relation}`);
    // (integers beyond 2^53 come back from DuckDB as text, exactly)
    expect(rows.map((r) => r.i2)).toEqual([0, null, 4503599627370496, '-4611686018427387904', '4611686018427387903']);
    expect(rows.map((r) => r.year)).toEqual([2020, null, 1900, 2262, 1970]);
    expect(rows.map((r) => r.label)).toEqual(['A', null, 'X"Y\n\u00c9', '', 'NA']);
    expect(rows.map((r) => r.flag)).toEqual([true, false, false, false, true]);
  });

  it('a date outside pandas range is refused, naming the column', async () => {
    await engine.exec("CREATE TABLE old AS SELECT DATE '1500-01-01' AS born");
    const e = await errorOf(fit('old', [{ kind: 'python', code: 'df = df' }]));
    expect(e.code).toBe('FLOW_PYTHON_INPUT');
    expect(e.message).toContain('step 1 (python): column "born" holds a date outside the range pandas can hold');
  });
});

describe('python step: fit, then apply to another batch', () => {
  it('removes rows (reported), and a fitted flow applies the same code to a new batch', async () => {
    const steps: StepSpec[] = [
      { kind: 'drop_columns', columns: ['admit_date', 'admitted_at', 'complaint'] },
      { kind: 'python', name: 'weeks', code: "df['weeks'] = df['time_in_hospital'] / 7\ndf = df.dropna()" },
      { kind: 'impute', columns: ['weeks'], strategy: 'median' },
    ];
    const { fitted, relation } = await fitFlow(engine, flow(steps, 'readmitted'), 'fixture');
    const rows = await engine.count(relation);
    expect(rows).toBeLessThan(400);
    expect(fitted.dropped).toEqual([{ step: 1, kind: 'python', name: 'weeks', rows: 400 - rows, reason: 'the python code removed them' }]);
    await engine.exec('CREATE TABLE later AS SELECT * FROM fixture LIMIT 50');
    const applied = await applyFitted(engine, fitted, 'later', await engine.describe('later'), 'train');
    const got = await engine.query(`SELECT weeks, time_in_hospital FROM ${applied}`);
    expect(got.length).toBeGreaterThan(0);
    for (const r of got) expect(r.weeks).toBeCloseTo(Number(r.time_in_hospital) / 7, 12);
  });

  it('a batch whose code gives other columns than at fit time is refused', async () => {
    const code = "if len(df) > 100:\n    df['extra'] = 1\nelse:\n    df = df.drop(columns=['race'])";
    const { fitted } = await fit('fixture', [{ kind: 'python', code }]);
    await engine.exec('CREATE OR REPLACE TABLE few AS SELECT * FROM fixture LIMIT 10');
    const e = await errorOf(applyFitted(engine, fitted, 'few', await engine.describe('few'), 'train'));
    expect(e.code).toBe('FLOW_PYTHON_COLUMNS');
    expect(e.message).toContain('step 1 (python): the code gave the columns');
    expect(e.message).toContain('when the flow was fitted');
  });
});

describe("python step: Data Wrangler's user-defined functions", () => {
  it('mode series calls custom_func on the column as a Series', async () => {
    const code = 'import pandas as pd\n\ndef custom_func(series: pd.Series) -> pd.Series:\n  return series.str.len()\n';
    const { fitted, relation } = await fit('fixture', [{ kind: 'python', mode: 'series', column: 'race', output: 'race_len', type: 'float', code }]);
    expect(fitted.output.at(-1)).toEqual({ name: 'race_len', type: 'float' });
    const rows = await engine.query(`SELECT race, race_len FROM ${relation}`);
    for (const r of rows) expect(r.race_len).toBe(r.race === null ? null : String(r.race).length);
  });

  it('mode value calls custom_func on each value, None when missing, in place without output', async () => {
    const code = 'def custom_func(value):\n  return None if value is None else value * 10\n';
    const { relation } = await fit('fixture', [{ kind: 'python', mode: 'value', column: 'time_in_hospital', code }]);
    const got = await engine.query(`SELECT time_in_hospital AS t FROM ${relation}`);
    const want = await engine.query('SELECT time_in_hospital * 10 AS t FROM fixture');
    expect(got).toEqual(want);
  });

  it('a function returning a shorter Series is refused', async () => {
    const code = 'def custom_func(series):\n  return series.head(3)\n';
    const e = await errorOf(fit('fixture', [{ kind: 'python', mode: 'series', column: 'race', code }]));
    expect(e.code).toBe('FLOW_PYTHON_RESULT');
    expect(e.message).toContain('custom_func returned 3 values for 400 rows');
  });

  it('modes series and value need a column', () => {
    expect(() => flow([{ kind: 'python', mode: 'series', code: 'def custom_func(s): return s' }])).toThrow(/modes series and value need column/);
  });
});

describe('python step: bad input', () => {
  it('a syntax error names the step and the line of the code', async () => {
    const e = await errorOf(fit('fixture', [{ kind: 'python', name: 'broken', code: "df['a'] = 1\ndf = df[\n" }]));
    expect(e.code).toBe('FLOW_PYTHON_SYNTAX');
    expect(e.message).toMatch(/^step 1 \(python "broken"\): SyntaxError: .* \(line 2 of the step's code\)/);
    expect((e.details as { line: number }).line).toBe(2);
  });

  it("an exception gives the traceback's last lines and the line in the user's code", async () => {
    const code = "x = 1\ny = 2\ndf['z'] = df['no_such_column'] * 2\n";
    const e = await errorOf(fit('fixture', [{ kind: 'python', code }]));
    expect(e.code).toBe('FLOW_PYTHON_ERROR');
    expect(e.message).toContain("step 1 (python): KeyError: 'no_such_column' (line 3 of the step's code)");
    expect(e.message).toContain('File "step 1 (python)", line 3, in <module>');
    expect(e.message).toContain("df['z'] = df['no_such_column'] * 2");
    expect(e.location?.step).toBe(0);
  });

  it('code that never assigns df (df.dropna() alone) is refused: it would change nothing', async () => {
    const e = await errorOf(fit('fixture', [{ kind: 'python', code: 'df.dropna()' }]));
    expect(e.code).toBe('FLOW_PYTHON_RESULT');
    expect(e.message).toContain('the code never assigns df nor changes it');
    // in place is fine, even when nothing changes on this batch
    const ok = await fit('typed', [{ kind: 'python', code: "df.drop(columns=['s'], inplace=True)" }]);
    expect(ok.fitted.output.map((c) => c.name)).toEqual(['i', 'f', 'b', 'd', 'ts']);
  });

  it('code that leaves something else than a DataFrame in df is refused', async () => {
    const e = await errorOf(fit('fixture', [{ kind: 'python', code: "df = df['race']" }]));
    expect(e.code).toBe('FLOW_PYTHON_RESULT');
    expect(e.message).toContain('the code left Series in df, not a pandas DataFrame');
  });

  it('code that removes every row is allowed, and reported', async () => {
    const { fitted, relation } = await fit('fixture', [{ kind: 'python', code: 'df = df.iloc[0:0]' }]);
    expect(await engine.count(relation)).toBe(0);
    expect(fitted.output).toEqual(fitted.input.map((c) => ({ name: c.name, type: c.type })));
    expect(fitted.dropped?.[0]).toMatchObject({ step: 0, kind: 'python', rows: 400 });
    expect(fitted.notes?.[0]?.message).toBe('the code removed every row (400): the steps after it get none');
  });

  it('code that removes a column a later step needs: the later step names it', async () => {
    const e = await errorOf(
      fit('fixture', [
        { kind: 'python', code: "df = df.drop(columns=['race'])" },
        { kind: 'find_replace', columns: ['race'], pattern: '\\?', replacement: 'Other' },
      ]),
    );
    expect(e.code).toBe('FLOW_MISSING_COLUMN');
    expect(e.message).toContain('step 2 needs column "race", which the data does not have at that point');
  });

  it('a column mixing types is refused, naming it', async () => {
    const e = await errorOf(fit('typed', [{ kind: 'python', code: "df['m'] = [1, 'a', None, 2.5, 3]" }]));
    expect(e.code).toBe('FLOW_PYTHON_RESULT');
    expect(e.message).toContain('column "m" mixes values of types');
  });

  it('a timeout stops the code and says so', async () => {
    const started = performance.now();
    const e = await errorOf(fit('typed', [{ kind: 'python', timeout: 2, code: 'import time\ntime.sleep(60)\ndf = df' }]));
    expect(e.code).toBe('FLOW_PYTHON_TIMEOUT');
    expect(e.message).toContain('the code did not finish within 2 s and was stopped');
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('a missing python3 (SLUICE_PYTHON to a path that does not exist) says what to install', async () => {
    const before = process.env.SLUICE_PYTHON;
    process.env.SLUICE_PYTHON = '/nonexistent/python3';
    try {
      const e = await errorOf(fit('typed', [{ kind: 'python', code: 'df = df' }]));
      expect(e.code).toBe('FLOW_PYTHON_MISSING');
      expect(e.message).toContain('/nonexistent/python3 (from SLUICE_PYTHON) not found');
      expect(e.hint).toContain('apt-get install python3-pandas');
    } finally {
      if (before === undefined) delete process.env.SLUICE_PYTHON;
      else process.env.SLUICE_PYTHON = before;
    }
  });

  it('a python3 without pandas says what to install', async () => {
    // /usr/bin/python3 -S skips site-packages, where Debian's pandas is: a python without pandas.
    const { writeFileSync, chmodSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const bare = join(mkdtempSync(join(tmpdir(), 'sluice-bare-python-')), 'python3');
    writeFileSync(bare, '#!/bin/sh\nexec /usr/bin/python3 -S -I "$@"\n');
    chmodSync(bare, 0o755);
    const e = await errorOf(findPython(bare, {}));
    expect(e.code).toBe('FLOW_PYTHON_MISSING');
    expect(e.message).toContain(`${bare} (from sluice.yaml python:) cannot import pandas`);
    expect(e.hint).toContain('apt-get install python3-pandas');
  });

  it('Debian python3 with pandas is found without configuration', async () => {
    expect(await findPython(undefined, {})).toBe('/usr/bin/python3');
  });
});
