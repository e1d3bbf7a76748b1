import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/core/config.js';
import { checkJsonDepth } from '../../src/core/jsonDepth.js';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { boundErrorBody, MAX_ERROR_BODY } from '../../src/server/boundErrorBody.js';
import { createServer } from '../../src/server/createServer.js';
import { invocationGuard } from '../../src/server/endpoint/invocationGuard.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { ThresholdPredictor } from '../models/thresholdPredictor.js';

const host = new ModelHost();
let app: FastifyInstance;
const post = (payload: string, type = 'application/json', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': type, ...headers }, payload });

beforeAll(async () => {
  await host.load(() => new ThresholdPredictor('1', 15));
  app = Fastify();
  await app.register(invocationsRoutes, { host, bodyLimit: 8 * 1024 * 1024 });
  await app.ready();
});
afterAll(async () => app.close());

describe('bounded error answers at /invocations (issue 13, point 7)', () => {
  it('a 5 MB value is never echoed back: the warning quotes 200 characters of it', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    const r = await post(JSON.stringify({ instances: [{ age: big, gender: 'Male', num_medications: 3, insulin: true }] }));
    expect(r.statusCode).toBe(200);
    expect(r.body.length).toBeLessThan(4096);
    const w = r.json().predictions[0].warnings[0];
    expect(w.message).toContain(`(${big.length} characters)`);
    expect(w.value.length).toBeLessThan(260);
  });

  it('a 400 with a thousand bad records stays under 16 KB and says how many it lists', async () => {
    const r = await post(JSON.stringify({ record_ids: Array.from({ length: 1000 }, () => ({ id: 'k'.repeat(3000) })) }));
    expect(r.statusCode).toBe(400);
    expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(MAX_ERROR_BODY + 16);
    const e = r.json().error;
    expect(e.code).toBe('INVOCATION_BAD_TYPE');
    expect(e.message).toContain('(3009 characters as JSON)');
    expect(e.details.total).toBe(1000);
    expect(e.details.errors.length).toBeGreaterThan(10);
    expect(e.details.shown).toBe(e.details.errors.length);
  });

  it('JSON nested 5,000 deep is a 400 naming the limit, not a 500', async () => {
    const r = await post(`{"instances": ${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('JSON_TOO_DEEP');
    expect(r.json().error.message).toContain('more than 400 levels');
    const lines = await post(`{"age": 1}\n${'['.repeat(500)}`, 'application/jsonlines');
    expect(lines.statusCode).toBe(400);
    expect(lines.json().error.message).toMatch(/^line 2 nests/);
  });

  it('400 levels are read (a 400 about the shape), 401 are refused before parsing; neither is a 500', async () => {
    const at = (depth: number) => `{"instances": ${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}}`;
    const ok = await post(at(400));
    expect(ok.statusCode).toBe(400);
    expect(ok.json().error.code).not.toBe('JSON_TOO_DEEP');
    const deep = await post(at(401));
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error).toMatchObject({ code: 'JSON_TOO_DEEP' });
    expect(deep.json().error.message).toContain('(at character 414)');
  });

  it('415 names the type received, and says when there is none', async () => {
    const r = await post('x', 'application/xml');
    expect(r.statusCode).toBe(415);
    expect(r.json().error.message).toBe('unsupported Content-Type "application/xml"');
    const none = await app.inject({ method: 'POST', url: '/invocations', payload: Buffer.from('x') });
    expect(none.statusCode).toBe(415);
    expect(none.json().error.message).toBe('the request has no Content-Type');
  });

  it('1e400 says it is out of range, in JSON and in CSV', async () => {
    const r = await post('{"instances": [{"age": 70, "gender": "Male", "num_medications": 1e400, "insulin": true}]}');
    expect(r.statusCode).toBe(200);
    const w = r.json().predictions[0].warnings[0];
    expect(w).toMatchObject({ field: 'num_medications', action: 'read as missing' });
    expect(w.message).toContain('"num_medications" is a number out of range');
    const c = await post('age,gender,num_medications,insulin\n70,Male,-1e400,true\n', 'text/csv');
    expect(c.json().predictions[0].warnings[0].message).toContain('out of range');
  });
});

describe('boundErrorBody', () => {
  it('keeps small bodies as they are and cuts every string when nothing else helps', () => {
    const small = { code: 'X', message: 'short' };
    expect(boundErrorBody(small)).toBe(small);
    const huge = boundErrorBody({ code: 'X', message: 'm'.repeat(100_000), hint: 'h'.repeat(50_000), details: { a: 'd'.repeat(50_000) } });
    expect(JSON.stringify(huge).length).toBeLessThanOrEqual(MAX_ERROR_BODY);
    expect(huge.code).toBe('X');
    expect(String(huge.message)).toContain('(100000 characters)');
  });

  it('checkJsonDepth ignores brackets inside strings', () => {
    expect(() => checkJsonDepth(JSON.stringify({ s: '['.repeat(1000) }))).not.toThrow();
    expect(() => checkJsonDepth(JSON.stringify({ s: '\\"[' }) + '['.repeat(401))).toThrow(/more than 400/);
    expect(() => checkJsonDepth('['.repeat(10), 9)).toThrow(/more than 9 levels/);
  });
});

describe('endpoint.auth and endpoint.rateLimit', () => {
  const TOKEN = 'tok-0123456789abcdef';
  let guarded: FastifyInstance;
  let clock = 0;
  beforeAll(async () => {
    const config = configSchema.parse({ endpoint: { auth: { tokenEnv: 'TEST_ENDPOINT_TOKENS' }, rateLimit: { perSecond: 2, burst: 3 } } });
    const guard = invocationGuard(config.endpoint, { TEST_ENDPOINT_TOKENS: `${TOKEN}, other-token-0123456789` }, () => clock)!;
    guarded = Fastify();
    await guarded.register(invocationsRoutes, { host, guard });
    await guarded.ready();
  });
  afterAll(async () => guarded.close());
  const call = (auth?: string) =>
    guarded.inject({
      method: 'POST',
      url: '/invocations',
      headers: { 'content-type': 'text/csv', ...(auth ? { authorization: auth } : {}) },
      payload: '70,Male,3,true\n',
    });

  it('401 without a token, with a wrong one, or one of any bytes; 200 with a listed one; /ping stays open', async () => {
    for (const a of [undefined, 'Bearer nope', `Bearer ${TOKEN}x`, 'Bearer ü€\u00ff'.repeat(50), 'Basic abc']) {
      const r = await call(a);
      expect(r.statusCode, String(a)).toBe(401);
      expect(r.headers['www-authenticate']).toContain('Bearer');
      expect(r.json().error.code).toBe('ENDPOINT_UNAUTHORIZED');
    }
    expect((await call(`Bearer ${TOKEN}`)).statusCode).toBe(200);
    expect((await guarded.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(200);
  });

  it('429 with Retry-After past the burst, per token, and again after the refill', async () => {
    clock = 10_000;
    const other = 'Bearer other-token-0123456789';
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await call(other)).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const r = await call(other);
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json().error.code).toBe('ENDPOINT_RATE_LIMITED');
    clock += 500; // 2 per second: one request back
    expect((await call(other)).statusCode).toBe(200);
    expect((await call(other)).statusCode).toBe(429);
  });

  it('auth with no token found refuses to start, naming the variable', async () => {
    const config = configSchema.parse({ endpoint: { auth: { tokenEnv: 'SLUICE_NO_SUCH_VAR' } } });
    expect(() => invocationGuard(config.endpoint, {})).toThrow(/SLUICE_NO_SUCH_VAR, which is not set/);
    expect(() => configSchema.parse({ endpoint: { auth: { tokens: ['short'] } } })).toThrow();
  });
});

describe('the server checks JSON depth on every JSON body', () => {
  it('POST /api/executions with 5,000 nested arrays is a 400 JSON_TOO_DEEP', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-bounded-')), 'p');
    initProject(dir);
    const project = loadProject(dir);
    const runtime = await ProjectRuntime.open(project);
    const server = await createServer({ project, runtime, endpoint: false, features: false });
    try {
      const r = await server.inject({
        method: 'POST',
        url: '/api/executions',
        headers: { 'content-type': 'application/json' },
        payload: `{"file": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('JSON_TOO_DEEP');
      // 400 levels pass the depth check and reach the schema: a 400 about the field, not a 500 (no stack overflow).
      const atLimit = await server.inject({
        method: 'POST',
        url: '/api/executions',
        headers: { 'content-type': 'application/json' },
        payload: `{"file": ${'['.repeat(399)}${']'.repeat(399)}}`,
      });
      expect(atLimit.statusCode).toBe(400);
      expect(atLimit.json().code).not.toBe('JSON_TOO_DEEP');
      const nestedInput = await server.inject({
        method: 'POST',
        url: '/api/executions',
        headers: { 'content-type': 'application/json' },
        payload: `{"file": "inbox/none.csv", "input": ${'{"a": '.repeat(399)}1${'}'.repeat(399)}}`,
      });
      expect(nestedInput.statusCode).toBeLessThan(500);
      const ok = await server.inject({
        method: 'POST',
        url: '/api/executions',
        headers: { 'content-type': 'application/json' },
        payload: '{"file": "x'.concat('y'.repeat(100_000), '"}'),
      });
      expect(ok.statusCode).toBeLessThan(500);
      expect(ok.body.length).toBeLessThan(2000);
    } finally {
      await server.close();
      await runtime.close();
    }
  });
});
