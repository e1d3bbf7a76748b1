// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped HTTP error bodies; a wrong shape fails its assertions
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { createServer } from '../../src/server/createServer.js';

// A `__proto__` key in an API body. JSON.parse keeps it as an own key, but zod's records (an
// execution's `input`, a model's or a feature record's keys) and object spreads drop it or take
// it as a prototype. Before, Fastify's parser refused such a body as "Body is not valid JSON"
// (code INTERNAL): valid JSON, said to be invalid, with nothing naming the key. Now every body
// the server parses is refused with JSON_RESERVED_KEY, naming the key's path and the fix.

let app: FastifyInstance;
let runtime: ProjectRuntime;
let base = '';
let file = '';

beforeAll(async () => {
  process.env.TEST_RESERVED_HOOK_SECRET = 's3cret';
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-reserved-api-')), 'p');
  initProject(dir);
  writeFileSync(
    join(dir, 'sluice.yaml'),
    readFileSync(join(dir, 'sluice.yaml'), 'utf8')
      .replace(/^inputRoots: \[\]$/m, 'inputRoots: [data]')
      .replace(/^pipeline: default$/m, 's3Events:\n  endpoint: http://127.0.0.1:9\n  secretEnv: TEST_RESERVED_HOOK_SECRET\npipeline: default'),
  );
  const project = loadProject(dir);
  runtime = await ProjectRuntime.open(project, { pollMs: 20, activities: { report: async () => ({ verdict: 'pass', gates: [] }) } });
  app = await createServer({ project, runtime });
  app.addHook('onClose', async () => runtime.close());
  mkdirSync(join(dir, 'data'));
  file = join(dir, 'data', 'batch.csv');
  writeFileSync(file, 'id,v\n1,2\n');
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
});

async function send(method: string, path: string, body: string, type = 'application/json'): Promise<{ status: number; json: Record<string, any> }> {
  const r = await fetch(`${base}${path}`, { method, headers: { 'content-type': type, 'x-sluice-secret': 's3cret' }, body });
  return { status: r.status, json: (await r.json()) as Record<string, any> };
}

/** The error a route answers with, whichever shape it uses (`{code}` or `{error: {code}}`). */
const errorIn = (json: Record<string, any>): Record<string, any> => (json.error ?? json) as Record<string, any>;

describe('a __proto__ key in an HTTP API body', () => {
  it("POST /api/executions: an input's __proto__ entry is refused with its path, written plainly or escaped; nothing starts", async () => {
    const before = (await runtime.store.list({ limit: 1000 })).length;
    const start = (input: string) => send('POST', '/api/executions', `{"file": ${JSON.stringify(file)}, "input": ${input}}`);
    for (const input of ['{"__proto__": {"x": 1}, "y": 2}', '{"y": 2, "\\u005f_proto__": 1}', '{"y": {"deep": [{"__proto__": 1}]}}']) {
      const r = await start(input);
      expect(r.status, JSON.stringify(r.json)).toBe(400);
      expect(r.json.code).toBe('JSON_RESERVED_KEY');
      expect(r.json.message).toMatch(
        /^the JSON body has a key "__proto__" at input\.(__proto__|y\.deep\[0\]\.__proto__), which Sluice refuses rather than drop: /,
      );
      expect(r.json.location.field).toMatch(/^input\./);
      expect(r.json.hint).toContain('rename the key "__proto__" or leave it out');
    }
    expect((await runtime.store.list({ limit: 1000 })).length).toBe(before);
    // "__proto__" as a value, or inside a string that looks like a key, is data like any other.
    const ok = await start('{"note": "__proto__", "quoted": "a\\"__proto__\\": 1"}');
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    const rec = await runtime.store.require(ok.json.id as string);
    expect(rec.input).toMatchObject({ note: '__proto__', quoted: 'a"__proto__": 1' });
  });

  it('the approval and registry APIs and feature store writes refuse it the same way, before anything else is checked', async () => {
    const cases: Array<[string, string, string, string, number]> = [
      ['POST', '/api/approvals/decide', '{"token": "t", "decision": "approve", "__proto__": {"comment": "x"}}', '__proto__', 403],
      ['POST', '/api/executions/ex-none/approve', '{"comment": "ok", "__proto__": 1}', '__proto__', 401],
      ['POST', '/api/models/nope/versions/1/tags', '{"by": "ana", "tags": {"team": "care", "__proto__": "x"}}', 'tags.__proto__', 404],
      ['PUT', '/api/features/groups/nope/records', '{"record": {"id": "1", "__proto__": {"age": 1}}}', 'record.__proto__', 404],
      ['POST', '/api/features/records/batch-get', '{"requests": [{"group": "g", "ids": ["1"], "__proto__": 1}]}', 'requests[0].__proto__', 404],
    ];
    for (const [method, path, body, field, without] of cases) {
      const r = await send(method, path, body);
      const e = errorIn(r.json);
      expect(r.status, `${path}: ${JSON.stringify(r.json)}`).toBe(400);
      expect(e.code).toBe('JSON_RESERVED_KEY');
      expect(e.location).toEqual({ field });
      // The same body without the key gets the route's own answer: the key alone was refused.
      const plain = await send(method, path, JSON.stringify(JSON.parse(body, (k, v) => (k === '__proto__' ? undefined : v))));
      expect(plain.status, `${path} without the key: ${JSON.stringify(plain.json)}`).toBe(without);
    }
  });

  it('an SNS message posted as text/plain to /api/s3-events is read by the same rule', async () => {
    const sns = JSON.stringify({
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: 'arn:aws:sns:eu-west-1:1:t',
      Timestamp: '2026-12-05T00:00:00.000Z',
      SignatureVersion: '2',
      Signature: 's',
      SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/c.pem',
      Message: '{"Records": []}',
      x: 1,
    });
    // Without the key it is read (no records: nothing to start); with it, refused.
    expect((await send('POST', '/api/s3-events', sns, 'text/plain')).status).toBe(200);
    const r = await send('POST', '/api/s3-events', sns.replace('"x"', '"__proto__"'), 'text/plain');
    expect(r.status, JSON.stringify(r.json)).toBe(400);
    expect(r.json).toMatchObject({ code: 'JSON_RESERVED_KEY', location: { field: '__proto__' } });
    expect(r.json.message).toMatch(/^the body has a key "__proto__" at __proto__/);
  });

  it('a "constructor" key stays an ordinary key; a body that is not JSON still says so', async () => {
    const r = await send('POST', '/api/executions', `{"file": ${JSON.stringify(file)}, "allowDuplicate": true, "input": {"constructor": "x"}}`);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const bad = await send('POST', '/api/executions', '{"file": ');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('not valid JSON');
    // The client's error, named so (it was INTERNAL, as a server fault would be).
    expect(bad.json.code).toBe('BAD_REQUEST');
    expect(bad.json.hint).toContain('FST_ERR_CTP_INVALID_JSON_BODY');
  });
});
