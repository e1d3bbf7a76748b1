import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { projectAuthGate } from '../../src/server/auth/projectAuthGate.js';
import { createServer } from '../../src/server/createServer.js';

type Json = Record<string, unknown>;
type Op = { requestBody?: { content: Json }; responses: Record<string, { content?: Json }>; security?: unknown[] };

/** POST/PUT/DELETE routes that take no body, each with why. */
const NO_BODY: Record<string, string> = {
  'POST /api/executions/:id/redrive': 'the path names the execution; nothing else to say',
  'DELETE /api/features/groups/:group/records/:id': 'the path and ?eventTime say it all',
};

describe('OpenAPI: every route of a full server is documented from its schemas', () => {
  let dir: string;
  let runtime: ProjectRuntime;
  let app: FastifyInstance;
  let doc: { paths: Record<string, Record<string, Op>> };
  const registered: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-openapi-all-'));
    initProject(dir);
    const project = loadProject(dir);
    runtime = await ProjectRuntime.open(project);
    app = await createServer({ project, runtime, auth: projectAuthGate(project, runtime.db) });
    await app.ready();
    // Every route Fastify has, as its router prints them (not as the document's hook saw them).
    // The printed tree indents each level by 4 characters; a line's path is its parent's plus its own part.
    const parents: string[] = [];
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^([\s│├└─]*)(\S+) \(([A-Z, ]+)\)$/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length / 4;
      const parent = parents[depth - 1] ?? '';
      const path = `${parent.replace(/\/$/, '')}${m[2]!.startsWith('/') || parent === '' ? '' : '/'}${m[2]}`;
      parents[depth] = path;
      parents.length = depth + 1;
      for (const method of m[3]!.split(/,\s*/)) if (method !== 'HEAD') registered.push(`${method} ${path}`);
    }
    doc = JSON.parse(JSON.stringify(app.openApi!())) as typeof doc;
  });

  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, op })),
    );

  it('lists exactly the routes Fastify has', () => {
    expect(registered.length).toBeGreaterThan(50);
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual([...new Set(registered)].sort());
  });

  it('gives each one its request body, a success answer with its body, and its error answers', () => {
    const problems: string[] = [];
    for (const { key, op } of operations()) {
      const responses = Object.entries(op.responses);
      if ('default' in op.responses) problems.push(`${key}: declared without a contract (routeContract.ts)`);
      const ok = responses.filter(([s]) => /^[23]/.test(s));
      if (!ok.length) problems.push(`${key}: no success answer`);
      for (const [status, r] of ok) if (!r.content && status !== '204' && status !== '303') problems.push(`${key}: answer ${status} has no body schema`);
      if (!responses.some(([s]) => /^4/.test(s)) && op.security?.length) problems.push(`${key}: no error answer`);
      const method = key.split(' ')[0]!;
      if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) && !op.requestBody && !NO_BODY[key]) problems.push(`${key}: no request body`);
    }
    expect(problems).toEqual([]);
  });

  it('uses one error body per shape: Error or WrappedError for JSON, a page for HTML', () => {
    const refs = new Set<string>();
    for (const { op } of operations()) {
      for (const [status, r] of Object.entries(op.responses)) {
        if (!/^4/.test(status)) continue;
        const content = (r.content ?? {}) as Record<string, { schema: { $ref?: string; type?: string } }>;
        for (const [type, c] of Object.entries(content)) refs.add(type === 'text/html' ? `html:${c.schema.type}` : `${type}:${c.schema.$ref}`);
      }
    }
    expect([...refs].sort()).toEqual(['application/json:#/components/schemas/Error', 'application/json:#/components/schemas/WrappedError', 'html:string']);
  });
});

/** Open routes without input: nothing a client sends can make them answer 4xx. */
const CANNOT_FAIL_4XX = ['GET /api/health', 'GET /api/openapi.json', 'GET /ping', 'GET /health', 'GET /version', 'GET /metrics', 'GET /login'];
/** Browser forms that answer success with a redirect (POST, then 303 to the page showing the result): no 2xx by design. */
const REDIRECT_ONLY = ['POST /executions/{id}/decide', 'POST /login', 'POST /logout', 'POST /models/{name}/promote', 'POST /models/{name}/rollback'];

describe('OpenAPI: redocly lint with the recommended rules', () => {
  it('finds no error and no warning in the generated document', async () => {
    const require = createRequire(import.meta.url);
    // Missing @redocly/cli fails here (it is a devDependency): this test never skips.
    const cli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
    const { referenceOpenApi } = await import('../../src/server/openapi/referenceOpenApi.js');
    const tmp = mkdtempSync(join(tmpdir(), 'sluice-redocly-'));
    try {
      const file = join(tmp, 'openapi.json');
      writeFileSync(file, JSON.stringify(await referenceOpenApi(), null, 2));
      let out: string;
      try {
        out = execFileSync(process.execPath, [cli, 'lint', file, '--extends=recommended', '--format=json'], {
          encoding: 'utf8',
          cwd: tmp,
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 120_000,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        });
      } catch (e) {
        // Lint exits 1 when it finds errors; its report is still on stdout.
        out = String((e as { stdout?: string }).stdout ?? '');
        if (!out.trim().startsWith('{')) throw e;
      }
      const report = JSON.parse(out.slice(out.indexOf('{'))) as {
        totals: { errors: number; warnings: number };
        problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
      };
      const found = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
      const warning = (rule: string, k: string) => {
        const [method, path] = k.split(' ') as [string, string];
        return `operation-${rule}-response #/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses: Operation must have at least one \`${rule.toUpperCase()}\` response.`;
      };
      // Routes that cannot answer a 4xx and redirect-only forms are the only warnings allowed.
      const allowed = new Set([...CANNOT_FAIL_4XX.map((k) => warning('4xx', k)), ...REDIRECT_ONLY.map((k) => warning('2xx', k))]);
      expect(found.filter((f) => !allowed.has(f))).toEqual([]);
      expect(report.totals.errors).toBe(0);
      expect(report.totals.warnings).toBeLessThanOrEqual(allowed.size);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('OpenAPI: bodies a route reads itself are validated by the schemas the document shows', () => {
  it('/invocations: each JSON shape the parser validates with is an option of the documented body', async () => {
    const { INVOCATION_JSON_SHAPES, invocationBodies, invocationJsonBody, invocationJsonShape } = await import('../../src/server/endpoint/invocationShapes.js');
    expect(invocationBodies['application/json']).toBe(invocationJsonBody);
    const shapes = Object.values(INVOCATION_JSON_SHAPES);
    expect(shapes).toHaveLength(7);
    for (const s of shapes) expect(invocationJsonBody.options, s.what).toContain(s.schema);
    // Every shape is reachable: the body's keys (or MLflow 1.x's format=) pick it.
    const picked = [
      invocationJsonShape({ dataframe_split: {} }, undefined),
      invocationJsonShape({ dataframe_records: [] }, undefined),
      invocationJsonShape({ instances: [] }, undefined),
      invocationJsonShape({ inputs: [] }, undefined),
      invocationJsonShape({ record_ids: [] }, undefined),
      invocationJsonShape({}, 'pandas-split'),
      invocationJsonShape([], undefined),
    ];
    expect(new Set(picked)).toEqual(new Set(shapes));
    expect(invocationJsonShape({ rows: [] }, undefined)).toBeUndefined();
  });

  it('/api/s3-events: each event shape the route validates with is an option of the documented body', async () => {
    const { objectEventShape, s3NotificationShape, s3TestEventShape, eventBridgeShape, snsMessageShape } = await import(
      '../../src/pipeline/triggers/eventShapes.js'
    );
    for (const s of [s3NotificationShape, s3TestEventShape, eventBridgeShape, snsMessageShape]) expect(objectEventShape.options).toContain(s);
  });
});
