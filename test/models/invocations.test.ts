// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProjectDb } from '../../src/state/openProjectDb.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { PredictionLog } from '../../src/server/endpoint/PredictionLog.js';
import { ServingMetrics } from '../../src/server/endpoint/ServingMetrics.js';
import type { PredictionResult, Predictor } from '../../src/server/endpoint/Predictor.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { metricsRoutes } from '../../src/server/routes/metrics.js';
import { ThresholdPredictor } from './thresholdPredictor.js';

let app: FastifyInstance;
let base = '';
const host = new ModelHost();
const metrics = new ServingMetrics();
const db = openProjectDb(':memory:');
const log = new PredictionLog(db, { sampleRate: 1, flushMs: 10_000 });

beforeAll(async () => {
  app = Fastify();
  await app.register(invocationsRoutes, { host, metrics, predictionLog: log, bodyLimit: 4096, maxRecords: 50 });
  await app.register(metricsRoutes, { metrics });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await log.close();
  await app.close();
});

const csv = (body: string, type = 'text/csv') => app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': type }, payload: body });
const json = (body: unknown) =>
  app.inject({
    method: 'POST',
    url: '/invocations',
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

const RECORDS = [
  { age: 70, gender: 'Female', num_medications: 30, insulin: true },
  { age: 40, gender: 'Male', num_medications: 3, insulin: false },
];

describe('before a model is loaded', () => {
  it('answers 503 on /ping and /invocations', async () => {
    expect((await app.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(503);
    const r = await json({ instances: RECORDS });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe('ENDPOINT_NO_MODEL');
  });
});

describe('POST /invocations', () => {
  let expected: unknown;
  beforeAll(async () => {
    await host.load(() => new ThresholdPredictor('1', 15));
    expected = await new ThresholdPredictor('1', 15).predict(RECORDS.map((r) => ({ ...r })));
  });

  it('answers /ping with the model', async () => {
    const r = await app.inject({ method: 'GET', url: '/ping' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      status: 'ok',
      model: 'readmission',
      model_version: '1',
      labels: ['no', '>30', '<30'],
      inputs: [
        { name: 'age', type: 'integer' },
        { name: 'gender', type: 'string' },
        { name: 'num_medications', type: 'float' },
        { name: 'insulin', type: 'boolean' },
      ],
    });
  });

  it('accepts every input shape and gives the same predictions', async () => {
    const shapes = [
      await json({ instances: RECORDS }),
      await json({ instances: RECORDS.map((r) => [r.age, r.gender, r.num_medications, r.insulin]) }),
      await json({ dataframe_records: RECORDS }),
      await json({
        dataframe_split: {
          columns: ['gender', 'readmitted', 'num_medications', 'age', 'insulin'],
          data: RECORDS.map((r) => [r.gender, 'NO', r.num_medications, r.age, r.insulin]),
        },
      }),
      await csv('age,gender,num_medications,insulin\n70,Female,30,true\n40,Male,3,false\n'),
      // Header in another order, with an extra column (the target), CRLF line ends and a quoted value.
      await csv('readmitted,insulin,"gender",num_medications,age\r\nNO,yes,Female,30,70\r\n>30,no,Male,3.0,40\r\n'),
      await csv('70,Female,30,true\n40,Male,3,false'),
      await csv('70,Female,30,1\n40,Male,3,0\n', 'text/csv; header=absent'),
    ];
    for (const r of shapes) {
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['x-sluice-model']).toBe('readmission');
      expect(r.headers['x-sluice-model-version']).toBe('1');
      const body = r.json();
      expect(body.model_version).toBe('1');
      expect(body.predictions).toEqual(expected);
    }
    // Every request is logged here (sample rate 1): the response says under which id.
    expect(shapes[0]!.headers['x-sluice-prediction-id']).toMatch(/^[0-9a-f-]{36}$/);
    const p = shapes[0]!.json().predictions;
    expect(p[0]).toMatchObject({ predicted_label: '>30', labels: ['no', '>30', '<30'] });
    expect(p[0].probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 10);
    expect(p[0].probabilities[0]).toBeLessThan(0.5); // 30 medications: high risk
  });

  it('answers in CSV when asked with Accept: text/csv: no header, as Autopilot writes it', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      payload: '70,Female,30,true\n40,Male,3,false\n',
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    expect(r.headers['x-sluice-model-version']).toBe('1');
    const p = expected as Array<{ predicted_label: string; probabilities: number[] }>;
    expect(r.body).toBe(p.map((x) => x.predicted_label).join('\n') + '\n');
    // Both accepted at the same quality: the first wins.
    const j = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: { 'content-type': 'text/csv', accept: 'application/json, text/csv' },
      payload: '70,Female,30,true\n',
    });
    expect(j.json().predictions).toHaveLength(1);
  });

  it('a key named constructor is an extra column like any other: ignored, the predictions unchanged', async () => {
    const extra = RECORDS.map((r) => JSON.stringify(r).replace(/^\{/, '{"constructor": "x", "toString": 1, '));
    const shapes = [
      await json(`{"instances": [${extra.join(', ')}]}`),
      await json(`{"constructor": 1, "dataframe_records": [${extra.join(', ')}]}`),
      await json(
        `{"inputs": {"constructor": ["x", "y"], "age": [70, 40], "gender": ["Female", "Male"], "num_medications": [30, 3], "insulin": [true, false]}}`,
      ),
      await json({
        dataframe_split: {
          columns: ['constructor', 'gender', 'num_medications', 'age', 'insulin'],
          data: RECORDS.map((r) => ['x', r.gender, r.num_medications, r.age, r.insulin]),
        },
      }),
      await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/jsonlines' }, payload: extra.join('\n') }),
      await csv('constructor,age,gender,num_medications,insulin\nx,70,Female,30,true\ny,40,Male,3,false\n'),
    ];
    for (const r of shapes) {
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().predictions).toEqual(expected);
    }
  });

  it('a key or column named __proto__ is refused in every shape, over a socket, naming the record and the field (it was ignored)', async () => {
    // JSON.parse keeps "__proto__" as an own key, but a JavaScript object built from it loses it;
    // a data file with such a column is refused (DATA_COLUMN_NAME), and so is a request.
    const post = async (type: string, body: string) => {
      const r = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': type }, body });
      return { status: r.status, error: ((await r.json()) as { error: Record<string, any> }).error };
    };
    const withProto = RECORDS.map((r, i) => JSON.stringify(r).replace(/^\{/, i === 1 ? '{"__proto__": {"age": 1, "polluted": true}, ' : '{'));
    const cases: Array<[string, string, string, Record<string, unknown>]> = [
      ['application/json', `{"instances": [${withProto.join(', ')}]}`, 'instances[1].__proto__', { record: 1, field: '__proto__' }],
      ['application/json', `{"dataframe_records": [${withProto.join(', ')}]}`, 'dataframe_records[1].__proto__', { record: 1, field: '__proto__' }],
      ['application/json', `[${withProto.join(', ')}]`, '[1].__proto__', { record: 1, field: '__proto__' }],
      [
        'application/json',
        `{"__proto__": {"instances": []}, "instances": [${RECORDS.map((r) => JSON.stringify(r)).join(', ')}]}`,
        '__proto__',
        { field: '__proto__' },
      ],
      [
        'application/json',
        '{"inputs": {"__proto__": [1, 2], "age": [70, 40], "gender": ["Female", "Male"], "num_medications": [30, 3], "insulin": [true, false]}}',
        'inputs.__proto__',
        { field: 'inputs.__proto__' },
      ],
      [
        'application/json',
        '{"instances": [{"age": 70, "gender": {"\\u005f_proto__": 1}, "num_medications": 3, "insulin": true}]}',
        'instances[0].gender.__proto__',
        { record: 0, field: 'gender.__proto__' },
      ],
      ['application/json', '{"instances": [[70, "Female", 30, true]], "params": {"__proto__": 1}}', 'params.__proto__', { field: 'params.__proto__' }],
      [
        'application/json',
        JSON.stringify({
          dataframe_split: {
            columns: ['__proto__', 'gender', 'num_medications', 'age', 'insulin'],
            data: RECORDS.map((r) => ['p', r.gender, r.num_medications, r.age, r.insulin]),
          },
        }),
        'dataframe_split.columns[0]',
        { field: 'dataframe_split.columns[0]' },
      ],
      ['application/jsonlines', withProto.join('\n'), 'line 2: __proto__', { line: 2, record: 1, field: '__proto__' }],
      ['text/csv', 'age,gender,__proto__,num_medications,insulin\n70,Female,p,30,true\n', 'column 3', { line: 1, column: 3, field: '__proto__' }],
    ];
    for (const [type, body, at, location] of cases) {
      const r = await post(type, body);
      expect(r.status, `${body}: ${JSON.stringify(r.error)}`).toBe(400);
      expect(r.error.code).toBe('JSON_RESERVED_KEY');
      expect(r.error.message).toContain(`"__proto__" at ${at.replace(/^line \d+: /, '')}`);
      expect(r.error.location).toEqual(location);
      expect(r.error.hint).toMatch(/or leave it out/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // "__proto__" as a value (a category, a cell, a headerless CSV's value) is data like any other.
    const asValue = await post('application/json', JSON.stringify({ instances: [{ ...RECORDS[0], note: '__proto__' }] }));
    expect(asValue.status).toBe(200);
  });

  it('treats null and empty values as missing, not as errors', async () => {
    expect((await json({ instances: [{ age: null, gender: null, num_medications: null, insulin: null }] })).statusCode).toBe(200);
    expect((await csv('age,gender,num_medications,insulin\n,,,\n')).statusCode).toBe(200);
  });
});

describe('input errors are 400 with the record and the field', () => {
  const cases: Array<[string, () => Promise<{ statusCode: number; json(): any }>, number, string, { record?: number; field?: string; line?: number }]> = [
    [
      'missing key in an object',
      () => json({ instances: [RECORDS[0], { age: 1, gender: 'Male', insulin: true }] }),
      400,
      'INVOCATION_MISSING_COLUMN',
      { record: 1, field: 'num_medications' },
    ],
    ['missing CSV column', () => csv('age,gender,insulin\n1,Male,true\n'), 400, 'INVOCATION_MISSING_COLUMN', { record: 0, field: 'num_medications' }],
    [
      'missing dataframe_split column',
      () => json({ dataframe_split: { columns: ['age', 'gender', 'insulin'], data: [[1, 'Male', true]] } }),
      400,
      'INVOCATION_MISSING_COLUMN',
      { field: 'num_medications' },
    ],
    ['empty JSON body', () => json(''), 400, 'INVOCATION_EMPTY_BODY', {}],
    ['empty CSV body', () => csv('\n\n'), 400, 'INVOCATION_EMPTY_BODY', {}],
    ['no records', () => json({ instances: [] }), 400, 'INVOCATION_NO_RECORDS', {}],
    ['malformed JSON', () => json('{"instances": [\n  {"age": 1,, }]}'), 400, 'INVOCATION_BAD_JSON', { line: 2 }],
    ['JSON of the wrong shape', () => json({ rows: [] }), 400, 'INVOCATION_BAD_SHAPE', {}],
    ['JSON array body (MLflow 1.x records) of non-records', () => json([1, 2]), 400, 'INVOCATION_BAD_ROW', { record: 0 }],
    ['JSON number body', () => json('7'), 400, 'INVOCATION_BAD_SHAPE', {}],
    ['record not an object', () => json({ instances: [RECORDS[0], 'x'] }), 400, 'INVOCATION_BAD_ROW', { record: 1 }],
    ['array of the wrong length', () => json({ instances: [[1, 'Male', 3]] }), 400, 'INVOCATION_BAD_ROW', { record: 0 }],
    ['unterminated CSV quote', () => csv('age,gender,num_medications,insulin\n1,"Male,2,true\n'), 400, 'INVOCATION_BAD_CSV', { line: 2 }],
    ['ragged CSV row', () => csv('age,gender,num_medications,insulin\n1,Male,2,true\n1,Male,2\n'), 400, 'INVOCATION_BAD_CSV', { line: 3 }],
    ['headerless CSV with too few fields', () => csv('1,Male,2\n'), 400, 'INVOCATION_BAD_ROW', { record: 0 }],
    [
      'unseen category (the predictor refuses the only record)',
      () => json({ instances: [{ ...RECORDS[1], gender: 'Unknown/Invalid' }] }),
      400,
      'FLOW_UNSEEN_CATEGORY',
      { record: 0, field: 'gender' },
    ],
    ['too many records', () => json({ instances: Array.from({ length: 51 }, () => [1, 'Male', 2, true]) }), 413, 'INVOCATION_TOO_MANY_RECORDS', {}],
    ['body over the limit', () => csv('1,Male,2,true\n'.repeat(400)), 413, 'INVOCATION_TOO_LARGE', {}],
    // Refused before parsing, past 64 levels (issue 13).
    ['deeply nested JSON', () => json('{"instances": ' + '['.repeat(1500) + ']'.repeat(1500) + '}'), 400, 'JSON_TOO_DEEP', {}],
    ['unbalanced deep JSON', () => json('['.repeat(4000)), 400, 'JSON_TOO_DEEP', {}],
    [
      'JSON nested 60 deep is parsed (under the limit)',
      () => json('{"instances": ' + '['.repeat(60) + ']'.repeat(60) + '}'),
      400,
      'INVOCATION_BAD_ROW',
      { record: 0 },
    ],
    [
      'a __proto__ key is refused, never read as a prototype (its "age" does not fill the missing one)',
      () => json('{"instances": [{"__proto__": {"age": 1}, "gender": "Male", "num_medications": 1, "insulin": true}]}'),
      400,
      'JSON_RESERVED_KEY',
      { record: 0, field: '__proto__' },
    ],
    ['record ids without an online store', () => json({ record_ids: ['a'] }), 400, 'INVOCATION_LOOKUP_UNAVAILABLE', { field: 'record_ids' }],
    ['unsupported content type', () => csv('age=1', 'application/x-www-form-urlencoded'), 415, 'INVOCATION_UNSUPPORTED_TYPE', {}],
  ];
  for (const [title, send, status, code, loc] of cases) {
    it(title, async () => {
      const r = await send();
      expect(r.statusCode).toBe(status);
      const err = r.json().error;
      expect(err.code).toBe(code);
      expect(typeof err.message).toBe('string');
      if (status === 400) expect(err.hint, JSON.stringify(err)).toBeTruthy();
      for (const [k, v] of Object.entries(loc)) expect(err.location?.[k], JSON.stringify(err)).toBe(v);
    });
  }
});

describe('a broken predictor', () => {
  it('answers 500 without crashing and keeps serving after a fix', async () => {
    class Broken implements Predictor {
      name = 'readmission';
      version = 'broken';
      labels = ['no'];
      inputs = [{ name: 'age', type: 'integer' as const }];
      predict(): PredictionResult[] {
        throw new TypeError('cannot read properties of undefined');
      }
    }
    class Short extends Broken {
      override version = 'short';
      override predict(): PredictionResult[] {
        return [];
      }
    }
    await host.load(() => new Broken());
    const r = await json({ instances: [{ age: 1 }] });
    expect(r.statusCode).toBe(500);
    expect(r.json().error.code).toBe('INTERNAL');
    expect(r.body).not.toContain('cannot read properties'); // internals stay in the server log
    await host.load(() => new Short());
    expect((await json({ instances: [{ age: 1 }] })).json().error.code).toBe('PREDICTOR_BAD_OUTPUT');
    await host.load(() => new ThresholdPredictor('3', 15));
    expect((await json({ instances: RECORDS })).statusCode).toBe(200);
  });

  it('keeps the current predictor when a load fails', async () => {
    await expect(host.load(() => Promise.reject(new Error('artifact unreadable')))).rejects.toThrow('artifact unreadable');
    await expect(host.load(() => ({ name: 'x' }) as unknown as Predictor)).rejects.toThrow(/labels/);
    expect(host.current?.version).toBe('3');
  });
});

describe('GET /metrics and the prediction log', () => {
  it('exposes requests, errors, latency and records per model version', async () => {
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain; version=0.0.4');
    const text = r.body;
    const okLine = text.split('\n').find((l) => l.startsWith('sluice_invocations_total{model="readmission",version="1",status="200"}'));
    expect(Number(okLine?.split(' ')[1])).toBe(19);
    expect(text).toMatch(/sluice_invocation_errors_total\{model="readmission",version="1",code="INVOCATION_MISSING_COLUMN"\} [1-9]/);
    expect(text).toMatch(/sluice_invocation_errors_total\{model="",version="",code="ENDPOINT_NO_MODEL"\} 1/);
    expect(text).toMatch(/sluice_invocation_errors_total\{model="readmission",version="1",code="INVOCATION_TOO_LARGE"\} 1/);
    expect(text).toMatch(/sluice_invocation_duration_seconds_bucket\{model="readmission",version="1",le="\+Inf"\} \d+/);
    expect(text).toContain('sluice_records_predicted_total{model="readmission",version="1"} 34');
    expect(text).toContain('sluice_model_loaded{model="readmission",version="3"} 1');
    // Histogram buckets are cumulative and end at the count.
    const buckets = text
      .split('\n')
      .filter((l) => l.startsWith('sluice_invocation_duration_seconds_bucket{model="readmission",version="1"'))
      .map((l) => Number(l.split(' ')[1]));
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
  });

  it('accepts collectors from other modules (executions by state)', async () => {
    metrics.addCollector('sluice_executions', 'Pipeline executions by state.', 'gauge', () => [
      { labels: { state: 'waiting_approval' }, value: 2 },
      { labels: { state: 'succeeded' }, value: 5 },
    ]);
    metrics.addCollector('sluice_broken', 'A collector that throws.', 'gauge', () => {
      throw new Error('db gone');
    });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('sluice_executions{state="waiting_approval"} 2');
    expect(text).toContain('# TYPE sluice_broken gauge');
  });

  it('logs sampled predictions with the model version', async () => {
    await log.flush();
    const rows = db.prepare('SELECT model, version, record, input, predicted_label, probabilities FROM predictions ORDER BY id').all() as any[];
    expect(rows.length).toBe(34 + 2); // 34 under version 1, 2 under version 3
    expect(rows[0]).toMatchObject({ model: 'readmission', version: '1', record: 0, predicted_label: '>30' });
    expect(JSON.parse(rows[0].input)).toEqual(RECORDS[0]);
    expect(JSON.parse(rows[0].probabilities)).toHaveLength(3);
    expect(rows.at(-1).version).toBe('3');
  });
});

describe('mounted under a prefix, with a charset in the Content-Type', () => {
  it('serves and counts requests under /api', async () => {
    const m = new ServingMetrics();
    const h = new ModelHost();
    await h.load(() => new ThresholdPredictor('7', 15));
    const prefixed = Fastify();
    await prefixed.register(invocationsRoutes, { host: h, metrics: m, prefix: '/api' });
    try {
      const r = await prefixed.inject({
        method: 'POST',
        url: '/api/invocations',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        payload: JSON.stringify({ instances: RECORDS }),
      });
      expect(r.statusCode, r.body).toBe(200);
      expect((await prefixed.inject({ method: 'GET', url: '/api/ping' })).statusCode).toBe(200);
      const bad = await prefixed.inject({ method: 'POST', url: '/api/invocations', headers: { 'content-type': 'text/plain' }, payload: 'x' });
      expect(bad.statusCode).toBe(415);
      expect(m.render()).toContain('sluice_invocations_total{model="readmission",version="7",status="200"} 1');
      expect(m.render()).toContain('sluice_invocations_total{model="readmission",version="7",status="415"} 1');
    } finally {
      await prefixed.close();
    }
  });
});

describe('dirty values (issue 12): a prediction for every record', () => {
  beforeAll(async () => {
    await host.load(() => new ThresholdPredictor('9', 15));
  });

  it('reads an unparseable value as missing, scores the record and adds warnings to it', async () => {
    const cases: Array<[string, () => ReturnType<typeof json>, string, string]> = [
      ['wrong type in JSON', () => json({ instances: [RECORDS[0], { ...RECORDS[1], age: 'forty' }] }), 'age', 'forty'],
      ['fraction for an integer', () => json({ instances: [RECORDS[0], { ...RECORDS[0], age: 70.5 }] }), 'age', '70.5'],
      ['object for a string', () => json({ dataframe_records: [RECORDS[0], { ...RECORDS[0], gender: { x: 1 } }] }), 'gender', '{"x":1}'],
      ['wrong type in CSV', () => csv('age,gender,num_medications,insulin\n1,Male,2,true\n1,Male,many,true\n'), 'num_medications', 'many'],
      ['wrong boolean', () => csv('1,Male,2,true\n1,Male,2,maybe'), 'insulin', 'maybe'],
    ];
    for (const [title, send, field, value] of cases) {
      const r = await send();
      expect(r.statusCode, `${title}: ${r.body}`).toBe(200);
      const [first, second] = r.json().predictions;
      expect(first.warnings, title).toBeUndefined();
      expect(typeof second.predicted_label, title).toBe('string');
      expect(second.warnings, title).toEqual([{ field, value, action: 'read as missing', message: expect.stringContaining(`"${field}"`) }]);
    }
  });

  it('reads missing tokens (NA, nan, None) as missing without a warning', async () => {
    const r = await csv('age,gender,num_medications,insulin\nNA,None,nan,NULL\n');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().predictions[0].warnings).toBeUndefined();
  });

  it('scores the other records when one cannot be scored, with a row-level error in its place', async () => {
    const r = await json({ instances: [RECORDS[0], RECORDS[1], { ...RECORDS[1], gender: 'Unknown/Invalid' }] });
    expect(r.statusCode, r.body).toBe(200);
    const p = r.json().predictions;
    expect(p).toHaveLength(3);
    expect(typeof p[0].predicted_label).toBe('string');
    expect(typeof p[1].predicted_label).toBe('string');
    expect(p[2].error).toMatchObject({ record: 2, code: 'FLOW_UNSEEN_CATEGORY', field: 'gender' });
    const asCsv = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: { 'content-type': 'application/json', accept: 'text/csv' },
      payload: JSON.stringify({ instances: [RECORDS[0], { ...RECORDS[1], gender: 'Unknown/Invalid' }] }),
    });
    expect(asCsv.body.split('\n')[1]).toMatch(/^,*$/);
  });
});
