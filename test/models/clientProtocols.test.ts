import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../src/core/types.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { chooseOutput, parseAccept } from '../../src/server/endpoint/predictionOutput.js';
import type { PredictionResult, Predictor } from '../../src/server/endpoint/Predictor.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { sluiceVersion } from '../../src/training/sluiceVersion.js';

/**
 * A real, small binary classifier over any numeric columns: P("1") = sigmoid(sum - threshold).
 * String inputs count their length, so MLflow's question-answering example can be scored too.
 */
class SumPredictor implements Predictor {
  readonly name = 'm';
  readonly version = '3';
  readonly labels = ['0', '1'];
  readonly inputs: ColumnSchema[];
  constructor(
    inputs: Array<[string, ColumnSchema['type']]>,
    private readonly threshold: number,
  ) {
    this.inputs = inputs.map(([name, type]) => ({ name, type }) as ColumnSchema);
  }
  predict(records: Record<string, unknown>[]): PredictionResult[] {
    return records.map((r) => {
      const sum = this.inputs.reduce((s, c) => s + (typeof r[c.name] === 'number' ? (r[c.name] as number) : String(r[c.name] ?? '').length), 0);
      const p1 = 1 / (1 + Math.exp(-(sum - this.threshold)));
      return { predicted_label: p1 >= 0.5 ? '1' : '0', probabilities: [1 - p1, p1], labels: ['0', '1'] };
    });
  }
}

async function serve(
  predictor: Predictor,
  opts: { outputKeys?: Array<'predicted_label' | 'probability' | 'probabilities' | 'labels'> } = {},
): Promise<FastifyInstance> {
  const host = new ModelHost();
  await host.load(() => predictor);
  const app = Fastify();
  await app.register(invocationsRoutes, { host, ...opts });
  await app.ready();
  return app;
}

const post = (app: FastifyInstance, payload: string, contentType: string, accept?: string) =>
  app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': contentType, ...(accept ? { accept } : {}) }, payload });

const p1 = (sum: number, t: number) => 1 / (1 + Math.exp(-(sum - t)));

describe("MLflow scoring protocol (bodies exactly as MLflow's docs show them)", () => {
  let abc: FastifyInstance;
  let two: FastifyInstance;
  let qa: FastifyInstance;
  beforeAll(async () => {
    abc = await serve(
      new SumPredictor(
        [
          ['a', 'float'],
          ['b', 'float'],
          ['c', 'float'],
        ],
        10,
      ),
    );
    two = await serve(
      new SumPredictor(
        [
          ['x0', 'float'],
          ['x1', 'float'],
        ],
        5,
      ),
    );
    qa = await serve(
      new SumPredictor(
        [
          ['question', 'string'],
          ['context', 'string'],
        ],
        25,
      ),
    );
  });
  afterAll(async () => {
    await Promise.all([abc, two, qa].map((a) => a?.close()));
  });

  it('the quick-start body {"inputs": [[1, 2], [3, 4], [5, 6]]} (Content-Type:application/json; as the docs send it)', async () => {
    const r = await post(two, '{"inputs": [[1, 2], [3, 4], [5, 6]]}', 'application/json;');
    expect(r.statusCode, r.body).toBe(200);
    // What MLflow's client reads: the "predictions" key (PredictionsResponse.from_json).
    const preds = r.json().predictions as Array<{ predicted_label: string; probabilities: number[] }>;
    expect(preds.map((p) => p.predicted_label)).toEqual(['0', '1', '1']);
    expect(preds[0]!.probabilities[1]).toBeCloseTo(p1(3, 5), 12);
  });

  it('dataframe_split, dataframe_records, and both with params, give the same predictions', async () => {
    const bodies = [
      `{
  "dataframe_split": {
      "columns": ["a", "b", "c"],
      "data": [[1, 2, 3], [4, 5, 6]]
  }
}`,
      `{
  "dataframe_records": [
    {"a": 1,"b": 2,"c": 3},
    {"a": 4,"b": 5,"c": 6}
  ]
}`,
      '{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, 3], [4, 5, 6]]}, "params": {"max_answer_len": 10}}',
      '{"dataframe_records": [{"a": 1, "b": 2, "c": 3}, {"a": 4, "b": 5, "c": 6}], "params": {"temperature": 0.5}}',
      // TF Serving shapes of the same records: instances (list and dict) and inputs (list and dict).
      '{"instances": [{"a": 1, "b": 2, "c": 3}, {"a": 4, "b": 5, "c": 6}]}',
      '{"instances": {"a": [1, 4], "b": [2, 5], "c": [3, 6]}}',
      '{"inputs": [{"a": 1, "b": 2, "c": 3}, {"a": 4, "b": 5, "c": 6}]}',
      '{"inputs": {"a": [1, 4], "b": [2, 5], "c": [3, 6]}, "params": {"k": 1}}',
    ];
    for (const body of bodies) {
      const r = await post(abc, body, 'application/json');
      expect(r.statusCode, `${body}: ${r.body}`).toBe(200);
      const preds = r.json().predictions as Array<{ predicted_label: string; probabilities: number[] }>;
      expect(
        preds.map((p) => p.predicted_label),
        body,
      ).toEqual(['0', '1']);
      expect(preds[1]!.probabilities[1], body).toBeCloseTo(p1(15, 10), 12);
    }
  });

  it('the documented inputs-with-params example (columnar strings)', async () => {
    const r = await post(
      qa,
      `{
    "inputs": {"question": ["What color is it?"], "context": ["Some contexts"]},
    "params": {"max_answer_len": 10}
}`,
      'application/json',
    );
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().predictions[0].probabilities[1]).toBeCloseTo(p1('What color is it?'.length + 'Some contexts'.length, 25), 12);
  });

  it('MLflow 1.x: format=pandas-split and format=pandas-records', async () => {
    const split = await post(
      abc,
      `{
    "columns": ["a", "b", "c"],
    "data": [[1, 2, 3], [4, 5, 6]]
}`,
      'application/json; format=pandas-split',
    );
    expect(split.statusCode, split.body).toBe(200);
    expect(split.json().predictions.map((p: { predicted_label: string }) => p.predicted_label)).toEqual(['0', '1']);
    const records = await post(
      abc,
      `[
    {"a": 1,"b": 2,"c": 3},
    {"a": 4,"b": 5,"c": 6}
]`,
      'application/json; format=pandas-records',
    );
    expect(records.statusCode, records.body).toBe(200);
    expect(records.json().predictions).toEqual(split.json().predictions);
  });

  it('the documented tensor examples (text or a list for a number column): every record scored, each value read as missing with a warning', async () => {
    const r = await post(
      abc,
      `{
    "instances": [
        {"a": "s1", "b": 1, "c": [1, 2, 3]},
        {"a": "s2", "b": 2, "c": [4, 5, 6]},
        {"a": "s3", "b": 3, "c": [7, 8, 9]}
    ]
}`,
      'application/json',
    );
    expect(r.statusCode).toBe(200);
    const preds = r.json().predictions as Array<{ warnings?: Array<{ field: string; action: string }> }>;
    expect(preds).toHaveLength(3);
    for (const p of preds) {
      expect(p.warnings?.map((w) => w.field).sort()).toEqual(['a', 'c']);
      expect(p.warnings?.every((w) => w.action === 'read as missing')).toBe(true);
    }
    const cols = await post(abc, '{"inputs": {"a": ["s1", "s2", "s3"], "b": [1, 2, 3], "c": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}}', 'application/json');
    expect(cols.statusCode).toBe(200);
    expect((cols.json().predictions as Array<{ warnings?: unknown[] }>).map((p) => p.warnings?.length)).toEqual([2, 2, 2]);
  });

  it('malformed MLflow bodies: a 400 that says what is wrong', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['{"inputs": {"a": [1, 2], "b": [3], "c": [4, 5]}}', 'application/json', /column "a" has 2 values but "b" has 1/],
      ['{"inputs": {"a": [1], "b": 2, "c": [3]}}', 'application/json', /mixes lists and single values \("b" is not a list\)/],
      ['{"inputs": 5}', 'application/json', /the "inputs" body: "inputs" must be a list of records or a dict of columns, not a number/],
      ['{"dataframe_records": [{"a": 1, "b": 2, "c": 3}], "params": [1]}', 'application/json', /"params" must be an object .* not a list/],
      ['{"a": 1}', 'application/json; format=pandas-split', /the pandas-split body: "columns" is missing \(and 1 more error\)/],
      [
        '{"columns": ["a", "b", "c"], "data": [[1, 2, 3]]}',
        'application/json; format=pandas-records',
        /the pandas-records body must be a list of records \[\{"column": value, \.\.\.\}\] \(format=pandas-records\), not an object/,
      ],
      ['{"dataframe_split": {"columns": [1], "data": [[1]]}}', 'application/json', /"dataframe_split\.columns\[0\]" is a number, not a column name/],
      ['{"dataframe_split": {"columns": ["a", "b", "c"], "data": 5}}', 'application/json', /"dataframe_split\.data" must be a list of rows/],
      ['{"dataframe_records": [{"a": 1, "b": 2, "c": 3}, "x"]}', 'application/json', /^record 1 is a string, not an object/],
      ['{"instances": [[1, 2, 3], 7]}', 'application/json', /^record 1 is a number, not a record \(an object, or a list of values in input order\)/],
      ['{"record_ids": "a"}', 'application/json', /the "record_ids" body: "record_ids" must be a list of ids, not a string/],
      [
        '{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, 3]]}, "params": "x"}',
        'application/json',
        /"params" must be an object of parameter names and values, not a string/,
      ],
    ];
    for (const [body, type, msg] of cases) {
      const r = await post(abc, body, type);
      expect(r.statusCode, body).toBe(400);
      expect(r.json().error.message, body).toMatch(msg);
      expect(r.json().error.hint, body).toBeTruthy();
    }
    // Where, as data: the JSON path of a shape error; the record (and its field) of a record's.
    const columns = await post(abc, '{"dataframe_split": {"columns": ["a", 2, "c"], "data": [[1, 2, 3]]}}', 'application/json');
    expect(columns.json().error).toMatchObject({ code: 'INVOCATION_BAD_SHAPE', location: { field: 'dataframe_split.columns[1]' } });
    const rows = await post(abc, '{"dataframe_records": [{"a": 1, "b": 2, "c": 3}, null, 5]}', 'application/json');
    expect(rows.json().error).toMatchObject({ code: 'INVOCATION_BAD_ROW', location: { record: 1 }, details: { total: 2 } });
    expect(rows.json().error.details.errors.map((e: { record: number }) => e.record)).toEqual([1, 2]);
  });

  it("GET /health and /version, as MLflow's scoring server answers them", async () => {
    const h = await abc.inject({ method: 'GET', url: '/health' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toMatchObject({ status: 'ok', model: 'm', model_version: '3' });
    const v = await abc.inject({ method: 'GET', url: '/version' });
    expect(v.statusCode).toBe(200);
    expect(v.body).toBe(sluiceVersion());
    expect(v.body).toMatch(/^\d+\.\d+\.\d+/);
    const empty = Fastify();
    await empty.register(invocationsRoutes, { host: new ModelHost() });
    expect((await empty.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503);
    await empty.close();
  });
});

describe('SageMaker inference conventions', () => {
  let app: FastifyInstance;
  let all: FastifyInstance;
  beforeAll(async () => {
    app = await serve(
      new SumPredictor(
        [
          ['a', 'float'],
          ['b', 'float'],
          ['c', 'float'],
        ],
        10,
      ),
    );
    // As SAGEMAKER_INFERENCE_OUTPUT=predicted_label,probability,probabilities,labels configures it.
    all = await serve(
      new SumPredictor(
        [
          ['a', 'float'],
          ['b', 'float'],
          ['c', 'float'],
        ],
        10,
      ),
      { outputKeys: ['predicted_label', 'probability', 'probabilities', 'labels'] },
    );
  });
  afterAll(async () => {
    await app?.close();
    await all?.close();
  });
  const csvBody = '1,2,3\n4,5,6\n';

  it("text/csv in and out: no header, one line per record, predicted_label by default (Autopilot's default)", async () => {
    const r = await post(app, csvBody, 'text/csv', 'text/csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.body).toBe('0\n1\n');
  });

  it('Autopilot keys in the order chosen, lists written as Autopilot writes them', async () => {
    const r = await post(all, csvBody, 'text/csv', 'text/csv');
    const q = p1(15, 10);
    expect(r.body.split('\n')[1]).toBe(`1,${q},"[${1 - q}, ${q}]","['0', '1']"`);
    // The request can choose, overriding the server's setting.
    const chosen = await post(all, csvBody, 'text/csv', 'text/csv; output="probability,predicted_label"');
    expect(chosen.body).toBe(`${1 - p1(6, 10)},0\n${q},1\n`);
    const json = await post(app, csvBody, 'text/csv', 'application/json; output="predicted_label,probability"');
    expect(json.json().predictions).toEqual([
      { predicted_label: '0', probability: 1 - p1(6, 10) },
      { predicted_label: '1', probability: q },
    ]);
  });

  it('application/jsonlines in and out', async () => {
    for (const body of [
      '{"a": 1, "b": 2, "c": 3}\n{"a": 4, "b": 5, "c": 6}\n',
      '[1, 2, 3]\n[4, 5, 6]',
      '{"features": [1, 2, 3]}\n\n{"features": [4, 5, 6]}\n',
    ]) {
      const r = await post(all, body, 'application/jsonlines', 'application/jsonlines');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/jsonlines/);
      const lines = r.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toEqual({ predicted_label: '1', probability: p1(15, 10), probabilities: [1 - p1(15, 10), p1(15, 10)], labels: ['0', '1'] });
    }
    const bad = await post(app, '{"a": 1, "b": 2, "c": 3}\n{"a": 4,\n', 'application/jsonlines');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'INVOCATION_BAD_JSON', location: { line: 2 } });
    const mixed = await post(app, '{"a": 1, "b": 2, "c": 3}\n[4, 5, 6]\n', 'application/jsonlines');
    expect(mixed.json().error.message).toMatch(/record 1 is an array unlike record 0/);
  });

  it('Accept with q-values; 406 for an Accept it cannot produce; 415 naming the type received', async () => {
    const csvWins = await post(app, csvBody, 'text/csv', 'application/json;q=0.5, text/csv');
    expect(csvWins.headers['content-type']).toMatch(/^text\/csv/);
    const jsonWins = await post(app, csvBody, 'text/csv', 'text/csv;q=0.2, application/*;q=0.9');
    expect(jsonWins.headers['content-type']).toMatch(/^application\/json/);
    const refused = await post(app, csvBody, 'text/csv', 'application/json;q=0, text/csv;q=0');
    expect(refused.statusCode).toBe(406);
    const html = await post(app, csvBody, 'text/csv', 'text/html');
    expect(html.statusCode).toBe(406);
    expect(html.json().error).toMatchObject({ code: 'INVOCATION_NOT_ACCEPTABLE' });
    expect(html.json().error.message).toMatch(/"text\/html"/);
    const anything = await post(app, csvBody, 'text/csv', '*/*');
    expect(anything.json().predictions).toHaveLength(2);
    const unsupported = await post(app, 'a=1', 'application/x-www-form-urlencoded');
    expect(unsupported.statusCode).toBe(415);
    expect(unsupported.json().error.message).toBe('unsupported Content-Type "application/x-www-form-urlencoded"');
    const badKeys = await post(app, csvBody, 'text/csv', 'text/csv; output="predicted_label,score"');
    expect(badKeys.statusCode).toBe(400);
    expect(badKeys.json().error.message).toMatch(/unknown keys "score"/);
  });

  it('parses Accept headers with quoted commas and q-values', () => {
    expect(parseAccept('text/csv; output="a,b";q=0.3, application/json')).toEqual([
      { type: 'text/csv', params: { output: 'a,b', q: '0.3' }, q: 0.3, order: 0 },
      { type: 'application/json', params: {}, q: 1, order: 1 },
    ]);
    expect(chooseOutput(undefined)).toEqual({ media: 'json' });
    expect(chooseOutput('text/*')).toEqual({ media: 'csv' });
    expect(chooseOutput('application/x-jsonlines', ['labels'])).toEqual({ media: 'jsonlines', keys: ['labels'] });
  });
});
