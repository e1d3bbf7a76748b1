import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCliDocs } from '../scripts/cliDocs.js';
import { flowJsonSchema, renderFlowDocs } from '../src/flow/renderFlowDocs.js';
import { withWarningCount, withWarningsTable } from '../src/profile/warnings/renderWarningDocs.js';
import { CONSOLE_PAGES } from '../src/server/console/consolePages.js';
import { withConsolePagesTable } from '../src/server/console/renderConsolePagesDoc.js';
import { withActivitiesTable } from '../src/pipeline/activities/renderActivityDocs.js';
import { referenceOpenApi } from '../src/server/openapi/referenceOpenApi.js';
import { ROUTE_SUMMARIES } from '../src/server/openapi/routeSummaries.js';
import { STEPS } from '../src/flow/steps/index.js';

describe('generated docs are up to date (run `npm run docs` after changing a step, a route or a command)', () => {
  it('docs/flows.md', () => {
    expect(readFileSync('docs/flows.md', 'utf8')).toBe(renderFlowDocs());
  });
  it('docs/flow.schema.json', () => {
    expect(JSON.parse(readFileSync('docs/flow.schema.json', 'utf8'))).toEqual(flowJsonSchema());
  });
  it('docs/openapi.json', async () => {
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(await referenceOpenApi());
  });
  it('docs/cli.md (with no path of this machine in it)', () => {
    const cli = readFileSync('docs/cli.md', 'utf8');
    expect(cli).toBe(renderCliDocs());
    expect(cli).not.toContain(process.cwd());
    expect(cli).toContain('## `sluice demo`');
  });
  it("docs/report.md's warnings table and README's count of warning kinds (src/profile/warnings/warningRules.ts)", () => {
    const report = readFileSync('docs/report.md', 'utf8');
    expect(report).toBe(withWarningsTable(report));
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(withWarningCount(readme));
  });

  it("docs/pipelines.md's table of activities is generated from BUILTIN_ACTIVITY_DEFINITIONS", () => {
    const doc = readFileSync('docs/pipelines.md', 'utf8');
    expect(doc).toBe(withActivitiesTable(doc));
  });

  it("docs/console.md's table of pages is generated from CONSOLE_PAGES, which describes every page; the detailed table names no page that is gone", () => {
    const doc = readFileSync('docs/console.md', 'utf8');
    expect(doc).toBe(withConsolePagesTable(doc));
    for (const p of CONSOLE_PAGES) expect(p.summary.length, p.path).toBeGreaterThan(10);
    const detailed = [...doc.split(/<!-- end of the console pages -->/)[1]!.matchAll(/^\| `(\/[^`]*)` \|/gm)].map((m) => m[1]!);
    expect(detailed.length).toBeGreaterThan(0);
    for (const path of detailed)
      expect(
        CONSOLE_PAGES.some((p) => path === p.path || path.startsWith(`${p.path}/`)),
        path,
      ).toBe(true);
  });
});

describe('counts stated in the docs are the lists', () => {
  it('README and the guide give the number of flow step kinds (src/flow/steps/index.ts)', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(`Flows: ${STEPS.length} typed steps`);
    expect(readFileSync('docs/guide.md', 'utf8')).toContain(`[flows.md](flows.md): ${STEPS.length} steps`);
  });
});

describe('docs/openapi.json', () => {
  const doc = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { operationId: string; summary: string; tags: string[]; parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>
    >;
  };
  const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op })));

  it('is OpenAPI 3.1 with every route of the server, each summarized, path parameters declared, ids unique', () => {
    expect(doc.openapi).toBe('3.1.0');
    const listed = ops.map((o) => `${o.method.toUpperCase()} ${o.path.replace(/\{(\w+)\}/g, ':$1')}`);
    // Every summary line names a real route and every route has one.
    expect(listed.sort()).toEqual(Object.keys(ROUTE_SUMMARIES).sort());
    for (const { path, op } of ops) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(op.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? []).toEqual(names);
      expect(op.tags.length).toBe(1);
    }
    expect(new Set(ops.map((o) => o.op.operationId)).size).toBe(ops.length);
  });

  it("carries the routes' JSON schemas: query parameters and request bodies", () => {
    const list = doc.paths['/api/executions']!.get!;
    expect(list.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(['query:status', 'query:file', 'query:limit', 'query:offset']);
    const start = doc.paths['/api/executions']!.post!;
    expect(start.requestBody).toMatchObject({ content: { 'application/json': { schema: { type: 'object', required: ['file'] } } } });
    const decide = doc.paths['/api/approvals/decide']!.post!;
    expect(decide.requestBody).toMatchObject({ content: { 'application/json': { schema: { properties: { decision: { enum: ['approve', 'reject'] } } } } } });
  });
});

describe('buildOpenApi', () => {
  it('turns the routes a Fastify app registers (plugins included) into OpenAPI paths, from their schemas', async () => {
    const { default: Fastify } = await import('fastify');
    const { mountOpenApi } = await import('../src/server/openapi/buildOpenApi.js');
    const app = Fastify();
    mountOpenApi(app, { version: '9.9.9' });
    app.get(
      '/things/:id',
      {
        schema: {
          summary: 'one thing',
          params: { type: 'object', properties: { id: { type: 'integer' } } },
          response: { 200: { type: 'object', properties: { id: { type: 'integer' } } } },
        },
      },
      async () => ({ id: 1 }),
    );
    await app.register(
      async (child) => {
        child.post(
          '/things',
          {
            schema: {
              body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
              querystring: { type: 'object', required: ['dry'], properties: { dry: { type: 'boolean' } } },
            },
          },
          async () => ({}),
        );
        child.delete('/things/:id', async () => ({}));
      },
      { prefix: '/v1' },
    );
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = res.json() as { info: { version: string }; paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(doc.info.version).toBe('9.9.9');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/openapi.json', '/things/{id}', '/v1/things', '/v1/things/{id}']);
    expect(Object.keys(doc.paths['/things/{id}']!)).toEqual(['get']); // no HEAD
    expect(doc.paths['/things/{id}']!.get).toMatchObject({
      summary: 'one thing',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      responses: { 200: { content: { 'application/json': { schema: { type: 'object' } } } } },
    });
    expect(doc.paths['/things/{id}']!.get!['x-sluice-schemas']).toBeUndefined();
    expect(doc.paths['/v1/things']!.post).toMatchObject({
      parameters: [{ name: 'dry', in: 'query', required: true }],
      requestBody: { content: { 'application/json': { schema: { required: ['name'] } } } },
    });
    expect(doc.paths['/v1/things/{id}']!.delete).toMatchObject({
      'x-sluice-schemas': false,
      parameters: [{ name: 'id', in: 'path', schema: { type: 'string' } }],
    });
    await app.close();
  });
});

describe("docs show each client's request and response (issue 18)", () => {
  const endpoint = readFileSync('docs/endpoint.md', 'utf8');
  const pipelines = readFileSync('docs/pipelines.md', 'utf8');

  it('docs/endpoint.md: every MLflow, TF Serving and SageMaker request shape, and each response format', () => {
    const requests = [
      '{"dataframe_split": {"columns"',
      '{"dataframe_records": [{',
      '{"instances": [{',
      '{"instances": [[',
      '{"instances": {"',
      '{"inputs": [[',
      '{"inputs": [{',
      '{"inputs": {"',
      '"params"',
      'format=pandas-split',
      'format=pandas-records',
      '{"record_ids": [',
      'content-type: text/csv',
      'application/jsonlines',
      '{"features": [...]}',
    ];
    for (const r of requests) expect(endpoint, r).toContain(r);
    // Responses: JSON (MLflow reads "predictions"), headerless CSV, JSON Lines, Autopilot's keys, an error.
    for (const r of [
      '{"predictions": [{"predicted_label"',
      "-H 'accept: text/csv'",
      '{"predicted_label":"1","probability":',
      'SAGEMAKER_INFERENCE_OUTPUT=predicted_label,probability,probabilities,labels',
      'output="predicted_label,probability"',
      '{"error": {"code": "INVOCATION_BAD_SHAPE"',
    ])
      expect(endpoint, r).toContain(r);
  });

  it('docs/pipelines.md: a row per object-storage sender with its request and its response', () => {
    const rows = pipelines.split('\n').filter((l) => l.startsWith('| ') && l.split(' | ').length >= 4);
    for (const sender of ['AWS S3', 'MinIO', 'Ceph', 'EventBridge', 'SNS', 's3:TestEvent']) {
      const row = rows.find((l) => l.includes(sender));
      expect(row, sender).toBeDefined();
      const [, , request, response] = row!.split(' | ');
      expect(request, `${sender} request`).toMatch(/\{"|SNS JSON envelope|Records/);
      expect(response, `${sender} response`).toMatch(/`?20[01]/);
    }
  });
});
