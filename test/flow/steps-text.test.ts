import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { loadFixture } from './fixture.js';
import { fitSteps, python } from './steps-helpers.js';

let engine: Engine;
const WORDS = ['hELLO wOrld-foo_bar 3rd élan', "it's o'neil", '', '  x  ', 'ÅNGSTRÖM straße'];
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
  await engine.exec(`CREATE TABLE words AS SELECT unnest(['${WORDS.map((w) => w.replace(/'/g, "''")).join("', '")}']::VARCHAR[]) AS w, 1 AS n`);
});
afterAll(() => engine.close());

describe('change_case', () => {
  it('title case matches Python str.title on both paths', async () => {
    // /usr/bin/python3 -c "print(json.dumps([w.title() for w in WORDS]))"
    const want = (await python(`import json; print(json.dumps([w.title() for w in ${JSON.stringify(WORDS)}]))`)) as string[];
    const r = await fitSteps(engine, 'words', [{ kind: 'change_case', columns: ['w'], to: 'title' }]);
    expect(r.rows.map((x) => x.w)).toEqual(want);
    // A record's empty field is missing (docs/data.md: one definition of missing), as in a CSV.
    expect(r.applyRecords(WORDS.map((w) => ({ w, n: 1 }))).map((x) => x.ok && x.row.w)).toEqual(want.map((w, i) => (WORDS[i] === '' ? null : w)));
  });

  it('upper and lower agree with DuckDB on characters whose full case mapping changes length', async () => {
    const text = ['straße ﬁne ŉ', 'İstanbul ẞ ΣΑΣ', 'ǅemal'];
    await engine.exec(`CREATE OR REPLACE TABLE odd AS SELECT unnest(['${text.join("', '")}']) AS w, 1 AS n`);
    for (const to of ['upper', 'lower', 'title']) {
      const r = await fitSteps(engine, 'odd', [{ kind: 'change_case', columns: ['w'], to }]);
      expect(
        r.applyRecords(text.map((w) => ({ w, n: 1 }))).map((x) => x.ok && x.row.w),
        to,
      ).toEqual(r.rows.map((x) => x.w));
    }
  });

  it('refuses a numeric column', async () => {
    const err = await fitSteps(engine, 'fixture', [{ kind: 'change_case', columns: ['age'], to: 'upper' }]).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_TYPE');
  });
});

describe('regex_extract', () => {
  it('extracts the capture group; no match is missing', async () => {
    const r = await fitSteps(engine, 'words', [{ kind: 'regex_extract', column: 'w', pattern: '(\\d+)rd', output: 'num' }]);
    expect(r.rows.map((x) => x.num)).toEqual(['3', null, null, null, null]);
    expect(
      r
        .applyRecords([
          { w: 'the 21rd', n: 1 },
          { w: null, n: 1 },
        ])
        .map((x) => x.ok && x.row.num),
    ).toEqual(['21', null]);
  });

  it('a pattern without exactly one capture group is refused when the flow is validated', () => {
    const flow = (pattern: string) => `version: 1\nname: t\nsteps:\n  - kind: regex_extract\n    column: w\n    output: x\n    pattern: '${pattern}'\n`;
    expect(() => parseFlow(flow('\\d+'))).toThrow(/has 0 capture groups/);
    expect(() => parseFlow(flow('(a)(b)'))).toThrow(/has 2 capture groups/);
    expect(() => parseFlow(flow('(?:a)(b)'))).not.toThrow();
  });
});

describe('split_column, trim, missing_indicator, move_column', () => {
  it('split: fewer parts give missing values, extra parts are dropped', async () => {
    const r = await fitSteps(engine, 'words', [{ kind: 'split_column', column: 'w', delimiter: ' ', outputs: ['a', 'b'], drop_original: true }]);
    expect(r.fitted.output.map((c) => c.name)).toEqual(['n', 'a', 'b']);
    expect(r.rows.map((x) => [x.a, x.b])).toEqual([
      ['hELLO', 'wOrld-foo_bar'],
      ["it's", "o'neil"],
      ['', null],
      ['', ''],
      ['ÅNGSTRÖM', 'straße'],
    ]);
    // A record's empty field is missing (docs/data.md), so it splits into two missing parts.
    const onRecords = r.rows.map((x, i) => (WORDS[i] === '' ? [null, null] : [x.a, x.b]));
    expect(r.applyRecords(WORDS.map((w) => ({ w, n: 1 }))).map((x) => x.ok && [x.row.a, x.row.b])).toEqual(onRecords);
  });

  it('trim strips only the listed characters at the chosen side', async () => {
    const r = await fitSteps(engine, 'words', [{ kind: 'trim', columns: ['w'], side: 'left', characters: ' h' }]);
    expect(r.rows.map((x) => x.w)).toEqual(['ELLO wOrld-foo_bar 3rd élan', "it's o'neil", '', 'x  ', 'ÅNGSTRÖM straße']);
  });

  it('missing_indicator counts NULL and NaN as missing', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE nan AS SELECT * FROM (VALUES (1.5), ('NaN'::DOUBLE), (NULL)) t(x)`);
    const r = await fitSteps(engine, 'nan', [{ kind: 'missing_indicator', columns: ['x'] }]);
    expect(r.rows.map((x) => x.x_missing)).toEqual([0, 1, 1]);
  });

  it('move_column refuses an anchor that is being moved', async () => {
    const err = await fitSteps(engine, 'fixture', [{ kind: 'move_column', columns: ['race', 'age'], to: 'before', anchor: 'age' }]).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/relative to itself/);
    const r = await fitSteps(engine, 'fixture', [{ kind: 'move_column', columns: ['lab_score'], to: 'start' }]);
    expect(r.fitted.output[0]!.name).toBe('lab_score');
    expect(Object.keys(r.rows[0]!)[0]).toBe('lab_score');
  });
});

describe('text_stats (Data Wrangler: Featurize text, Character statistics)', () => {
  it('counts characters, words, digits, upper, lower and special characters as pandas does, on both paths', async () => {
    const want = (await python(`
import json, pandas as pd
s = pd.Series(${JSON.stringify(WORDS)})
out = {'characters': s.str.len(), 'words': s.str.split().str.len(), 'digits': s.str.count('[0-9]'), 'upper': s.str.count('[A-Z]'), 'lower': s.str.count('[a-z]'), 'special': s.str.count(r'[^\\w\\s]|_')}
print(json.dumps([{f'w_{k}': int(v[i]) for k, v in out.items()} for i in range(len(s))]))`)) as Array<Record<string, number>>;
    const r = await fitSteps(engine, 'words', [{ kind: 'text_stats', columns: ['w'] }]);
    expect(r.fitted.output.map((c) => `${c.name}:${c.type}`)).toEqual([
      'w:string',
      'n:integer',
      ...['characters', 'words', 'digits', 'upper', 'lower', 'special'].map((k) => `w_${k}:integer`),
    ]);
    const pick = (row: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.keys(want[0]!).map((k) => [k, row[k]]));
    expect(r.rows.map(pick)).toEqual(want);
    // a record's empty field is missing (docs/data.md), so its counts are missing
    const records = r.applyRecords(WORDS.map((w) => ({ w, n: 1 })));
    expect(records.map((x) => (x.ok ? pick(x.row) : x.error.message))).toEqual(
      want.map((w, i) => (WORDS[i] === '' ? Object.fromEntries(Object.keys(w).map((k) => [k, null])) : w)),
    );
  });

  it('refuses a column that is not text, an output name that exists, and an unknown statistic', async () => {
    const notText = await fitSteps(engine, 'words', [{ kind: 'text_stats', columns: ['n'] }]).catch((e: unknown) => e);
    expect(isSluiceError(notText) && notText.message).toContain('(text_stats) works on text, but "n" is integer');
    await engine.exec(`CREATE OR REPLACE TABLE clash AS SELECT 'a b' AS w, 3 AS w_words`);
    await expect(fitSteps(engine, 'clash', [{ kind: 'text_stats', columns: ['w'], stats: ['words'] }])).rejects.toThrow(
      /creates column "w_words", which already exists/,
    );
    expect(() => parseFlow('version: 1\nname: t\nsteps:\n  - kind: text_stats\n    columns: [w]\n    stats: [vowels]\n', 't.flow.yaml')).toThrow(/stats/);
  });
});
