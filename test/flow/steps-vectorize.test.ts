import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import type { Row } from '../../src/flow/step.js';
import { fitSteps, pythonBatch } from './steps-helpers.js';

/** Training text (one missing), and later text with words the vocabulary has never seen. */
const TRAIN = [
  'The cat sat on the mat',
  'the dog sat, the DOG ran',
  'a cat and a dog',
  null,
  'Cats and dogs: the end',
  'mat mat mat on the floor',
  'dog-eat-dog world, the cat said',
];
const LATER = ['the cat and the zebra', 'unseen words only', 'DOG dog dog mat', 'the the the'];

let engine: Engine;
const sqlList = (xs: Array<string | null>): string => `[${xs.map((x) => (x === null ? 'NULL' : `'${x.replace(/'/g, "''")}'`)).join(', ')}]::VARCHAR[]`;
beforeAll(async () => {
  engine = await Engine.open();
  await engine.exec(`CREATE TABLE docs AS SELECT * FROM (SELECT unnest(${sqlList(TRAIN)}) AS txt, unnest(range(${TRAIN.length})) AS id)`);
  await engine.exec(`CREATE TABLE later AS SELECT * FROM (SELECT unnest(${sqlList(LATER)}) AS txt, unnest(range(${LATER.length})) AS id)`);
  await engine.exec('CREATE TABLE nulls AS SELECT NULL::VARCHAR AS txt, 1 AS id');
});
afterAll(() => engine.close());

type Sk = { vocabulary: string[]; train: number[][]; later: number[][]; idf?: number[] };

/** The scikit-learn results of this file, all computed in one python3 process. */
const py = pythonBatch();

/** scikit-learn fitted on the training text (without its missing row) and applied to the later text. */
function sklearn(vectorizer: string, args: string): () => Promise<Sk> {
  const code = `
import json, re
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
train = [t for t in ${JSON.stringify(TRAIN)} if t is not None]
later = ${JSON.stringify(LATER)}
v = ${vectorizer}(${args})
a = v.fit_transform(train).toarray().tolist()
b = v.transform(later).toarray().tolist()
print(json.dumps({"vocabulary": list(v.get_feature_names_out()), "train": a, "later": b, "idf": list(getattr(v, "idf_", []))}))
`;
  return py.add<Sk>(() => code.replace('null', 'None'));
}

/** The step's output columns as a matrix, in vocabulary order, for the rows with text. */
function matrix(rows: Row[], names: string[]): number[][] {
  return rows.filter((r) => r.txt !== null).map((r) => names.map((n) => Number(r[n])));
}

function expectClose(got: number[][], want: number[][]): void {
  expect(got.length).toBe(want.length);
  got.forEach((row, i) => {
    row.forEach((v, j) => {
      expect(Math.abs(v - want[i]![j]!), `row ${i} column ${j}: ${v} vs ${want[i]![j]}`).toBeLessThan(1e-9);
    });
  });
}

/**
 * Fits the step on `docs`, checks the vocabulary and the training values against scikit-learn,
 * then applies the frozen flow to `later` through SQL and record by record: both give
 * scikit-learn's transform of the later text.
 */
async function check(step: Record<string, unknown>, want: Sk, names = want.vocabulary.map((t) => `txt_${t}`)): Promise<void> {
  const r = await fitSteps(engine, 'docs', [{ kind: 'vectorize_text', column: 'txt', ...step }]);
  const vocabulary = (r.fitted.steps[0]!.fitted as { vocabulary: string[] }).vocabulary;
  expect(vocabulary).toEqual(want.vocabulary);
  expect(r.fitted.output.map((c) => c.name)).toEqual(['txt', 'id', ...names]);
  expectClose(matrix(r.rows, names), want.train);
  // the missing text gives missing values, on both paths
  expect(names.map((n) => r.rows.find((x) => x.txt === null)![n])).toEqual(names.map(() => null));
  expect(r.applyRecords([{ txt: null, id: 9 }]).map((x) => x.ok && names.map((n) => x.row[n]))[0]).toEqual(names.map(() => null));
  // later batches and records: the vocabulary (and idf) stay as fitted, unseen words are ignored
  const batch = await r.applySql('later');
  expectClose(matrix(batch, names), want.later);
  const records = r.applyRecords(LATER.map((txt, id) => ({ txt, id })));
  expect(records.every((x) => x.ok)).toBe(true);
  expect(records.map((x) => (x.ok ? names.map((n) => x.row[n]) : []))).toEqual(batch.map((row) => names.map((n) => row[n])));
}

describe('vectorize_text against scikit-learn', () => {
  const counts7 = sklearn('CountVectorizer', 'token_pattern=r"\\S+", max_features=7');
  const tfidfDf = sklearn('TfidfVectorizer', 'token_pattern=r"\\S+", min_df=2, max_df=0.6, norm=None');
  const tfidfPlain = sklearn('TfidfVectorizer', 'token_pattern=r"\\w\\w+", smooth_idf=False, norm="l2"');
  const countsGaps = sklearn('CountVectorizer', 'lowercase=False, token_pattern=None, tokenizer=lambda s: [t for t in re.split(r"[ ,:]+", s) if t]');
  const tfidfSmooth = sklearn('TfidfVectorizer', 'token_pattern=r"\\S+", norm=None');
  const countsAll = sklearn('CountVectorizer', 'token_pattern=r"\\S+"');

  it('count vectors: the vocabulary is the most frequent tokens, capped by max_features', async () => {
    const want = await counts7();
    expect(want.vocabulary).toContain('dog'); // the data set is what the test thinks it is
    await check({ max_features: 7 }, want);
  });

  it('TF-IDF (smooth idf, no normalization) with min_df and max_df', async () => {
    const want = await tfidfDf();
    expect(want.vocabulary).not.toContain('the'); // in 5 of 6 rows: above max_df
    await check({ weighting: 'tfidf', min_df: 2, max_df: 0.6, max_features: 1000 }, want);
  });

  it('TF-IDF with plain idf, l2 normalization and a word pattern', async () => {
    const want = await tfidfPlain();
    expect(want.vocabulary).toContain('eat'); // "dog-eat-dog" splits into words
    await check({ pattern: '\\w\\w+', weighting: 'tfidf', idf: 'plain', norm: 'l2', max_features: 1000 }, want);
  });

  it('case kept, and a pattern that separates tokens (gaps), as Spark RegexTokenizer', async () => {
    const want = await countsGaps();
    expect(want.vocabulary).toContain('DOG');
    // DuckDB compares names without case: txt_dog comes after txt_DOG (and txt_the after txt_The), so it gets a suffix
    const names = want.vocabulary.map((t) => (t === 'dog' || t === 'the' ? `txt_${t}_2` : `txt_${t}`));
    expect(want.vocabulary).toEqual(expect.arrayContaining(['DOG', 'dog', 'The', 'the']));
    await check({ pattern: '[ ,:]+', gaps: true, lowercase: false, max_features: 1000 }, want, names);
  });

  it("Spark's idf is scikit-learn's smooth idf minus 1", async () => {
    const sk = await tfidfSmooth();
    const counts = await countsAll();
    const spark = (m: number[][]) => m.map((row, i) => row.map((c, j) => c * (sk.idf![j]! - 1) + 0 * i));
    await check({ weighting: 'tfidf', idf: 'spark', max_features: 1000 }, { ...sk, train: spark(counts.train), later: spark(counts.later) });
  });
});

describe('vectorize_text: bad input', () => {
  const flow = (extra: string) => `version: 1\nname: t\nsteps:\n  - kind: vectorize_text\n    column: txt\n${extra}`;

  it('a vocabulary cap of 0 (or a fractional row count) is refused when the flow is loaded', () => {
    expect(() => parseFlow(flow('    max_features: 0\n'))).toThrow(/max_features must be at least 1/);
    expect(() => parseFlow(flow('    max_features: 20000\n'))).toThrow(/at most 10000/);
    expect(() => parseFlow(flow('    min_df: 2.5\n'))).toThrow(/min_df is a whole number/);
  });

  it('a column that is not text is refused, naming it', async () => {
    const err = await fitSteps(engine, 'docs', [{ kind: 'vectorize_text', column: 'id' }]).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_TYPE');
    expect(String((err as Error).message)).toMatch(/"id" is integer/);
  });

  it('a column missing on every training row stops the fit with a clear error', async () => {
    const err = await fitSteps(engine, 'nulls', [{ kind: 'vectorize_text', column: 'txt' }]).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_FIT');
    expect(String((err as Error).message)).toMatch(/no text to learn a vocabulary from: "txt" is missing on every training row/);
  });

  it('settings that keep no token say so', async () => {
    const err = await fitSteps(engine, 'docs', [{ kind: 'vectorize_text', column: 'txt', min_df: 50 }]).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/keeps no token/);
  });

  it('a look-around pattern is refused', async () => {
    const err = await fitSteps(engine, 'docs', [{ kind: 'vectorize_text', column: 'txt', pattern: '\\w+(?=s)' }]).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_REGEX');
  });

  it('a token column that would clash with a column (in any case) gets a suffix, never replacing it', async () => {
    await engine.exec("CREATE OR REPLACE TABLE clash AS SELECT * FROM (VALUES ('a b', 1), ('b', 2)) t(txt, \"TXT_B\")");
    const r = await fitSteps(engine, 'clash', [{ kind: 'vectorize_text', column: 'txt' }]);
    expect(r.fitted.output.map((c) => c.name)).toEqual(['txt', 'TXT_B', 'txt_a', 'txt_b_2']);
    expect(r.rows.map((x) => [x.TXT_B, x.txt_a, x.txt_b_2])).toEqual([
      [1, 1, 1],
      [2, 0, 1],
    ]);
  });
});
