import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { routePolicy } from '../auth/routePolicy.js';
import { SESSION_COOKIE } from '../auth/SessionCookie.js';
import { ROUTE_SUMMARIES } from './routeSummaries.js';

/** The document's version and where clients reach the server (`server.publicUrl`). */
export interface OpenApiInfo {
  version: string;
  publicUrl?: string | undefined;
}

/** Routes a browser or a client reaches without signing in (besides the `open` API routes of the route policy). */
const PUBLIC_PAGES = new Set(['GET /login', 'POST /login', 'GET /ping', 'GET /health', 'GET /version', 'GET /metrics', 'POST /invocations', 'GET /approve/:token', 'POST /approve/:token']);

/** What the document needs of a route, as Fastify's onRoute hook saw it. */
export interface RouteRecord {
  method: string;
  /** Fastify's form: `/api/executions/:id`. */
  url: string;
  schema?: (FastifySchema & { summary?: string; description?: string; tags?: string[] }) | undefined;
}

type Json = Record<string, unknown>;

/**
 * Records every route registered on `app` from now on (plugins included: the hook is inherited),
 * for {@link buildOpenApi}. Call it before the routes are added. HEAD routes Fastify adds for each
 * GET are left out.
 */
export function collectRoutes(app: FastifyInstance): RouteRecord[] {
  const routes: RouteRecord[] = [];
  app.addHook('onRoute', (r: RouteOptions) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method, url: r.url, schema: r.schema as RouteRecord['schema'] });
    }
  });
  return routes;
}

const ERROR_SCHEMA = {
  type: 'object',
  description: 'Every error of the API: a SluiceError (docs/pipelines.md, REST API). The endpoint routes wrap it as `{ error: {...} }`.',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Machine-readable code, e.g. APPROVAL_TOKEN_USED' },
    message: { type: 'string' },
    hint: { type: 'string', description: 'How to fix it' },
    location: { type: 'object', description: 'Where: file, line, column, field, step, record' },
  },
};

/**
 * The OpenAPI 3.1 document of the collected routes: paths from the URLs (`:id` -> `{id}`),
 * parameters and request bodies from each route's JSON schemas (`params`, `querystring`,
 * `body`), responses from `response` when the route declares them. A route without schemas
 * still gets its path parameters; `x-sluice-schemas: false` marks it, so what is missing is
 * visible in the document itself. Routes that need a role when the server has authentication
 * carry `security` and `x-sluice-role` (viewer, approver, admin) from the route policy; routes
 * with their own credential (`open`) have `security: []`. Deterministic: paths and methods sorted.
 */
export function buildOpenApi(routes: readonly RouteRecord[], info: OpenApiInfo): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const seen = new Set<string>();
  for (const r of [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))) {
    const key = `${r.method} ${r.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice HTTP API',
      version: info.version,
      description: 'REST API, approval pages, reports, feature store and the real-time endpoint of a Sluice server (`sluice serve`). Generated from the Fastify route schemas by `npm run docs`.',
    },
    servers: [info.publicUrl ? { url: info.publicUrl.replace(/\/+$/, ''), description: 'this server (server.publicUrl)' } : { url: 'http://127.0.0.1:7300', description: 'sluice serve (default address; set server.publicUrl)' }],
    tags: [...new Set(Object.values(ROUTE_SUMMARIES).map((s) => s.tag))].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'An API token (`sluice tokens create`), sent as `Authorization: Bearer <token>`' },
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The console session of a signed-in user (POST /login); writes also need the CSRF token' },
      },
    },
  };
}

function operation(r: RouteRecord): Json {
  const doc = ROUTE_SUMMARIES[`${r.method} ${r.url}`];
  const s = r.schema ?? {};
  const parameters: Json[] = [];
  const pathSchema = (s.params ?? {}) as Json;
  for (const name of [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)) {
    parameters.push({ name, in: 'path', required: true, schema: (pathSchema.properties as Json | undefined)?.[name] ?? { type: 'string' } });
  }
  const query = s.querystring as Json | undefined;
  for (const [name, schema] of Object.entries((query?.properties ?? {}) as Json)) {
    parameters.push({ name, in: 'query', required: ((query?.required ?? []) as string[]).includes(name), schema });
  }
  const op: Json = {
    operationId: operationId(r),
    summary: s.summary ?? doc?.summary ?? `${r.method} ${r.url}`,
    ...((s.description ?? doc?.description) ? { description: s.description ?? doc?.description } : {}),
    tags: s.tags ?? (doc ? [doc.tag] : []),
  };
  if (parameters.length) op.parameters = parameters;
  if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: s.body } } };
  const responses: Json = {};
  for (const [status, schema] of Object.entries((s.response ?? {}) as Json)) {
    responses[status] = { description: (schema as Json).description ?? 'response', content: { 'application/json': { schema } } };
  }
  if (!Object.keys(responses).some((k) => k.startsWith('2'))) responses['200'] = { description: 'OK (no response schema declared)' };
  responses.default = { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  op.responses = responses;
  if (!(s.body || s.querystring || s.params || s.response)) op['x-sluice-schemas'] = false;
  // Who may call it when the server has authentication (src/server/auth/routePolicy.ts).
  const need = routePolicy(r.method, r.url);
  if (need === 'open' || PUBLIC_PAGES.has(`${r.method} ${r.url}`)) op.security = [];
  else if (need !== undefined) {
    op.security = [{ apiToken: [] }, { session: [] }];
    op['x-sluice-role'] = need;
  } else {
    // The console's pages and forms, and sign-out: a signed-in user's session (401/redirect to /login otherwise).
    op.security = [{ session: [] }];
  }
  return op;
}

function operationId(r: RouteRecord): string {
  const words = r.url.split(/[/.-]/).filter(Boolean).map((w) => (w.startsWith(':') ? `by ${w.slice(1)}` : w));
  const camel = [r.method.toLowerCase(), ...words.flatMap((w) => w.split(/[\s_]+/))].map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return camel.replace(/[^A-Za-z0-9]/g, '');
}

/**
 * Collects the routes of `app` and serves their document at `GET /api/openapi.json` (and as
 * `app.openApi()`, which needs no sign-in). Call it first, before any route is added.
 */
export function mountOpenApi(app: FastifyInstance, info: OpenApiInfo): RouteRecord[] {
  const routes = collectRoutes(app);
  app.decorate('openApi', () => buildOpenApi(routes, info));
  app.get('/api/openapi.json', async () => buildOpenApi(routes, info));
  return routes;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenAPI document of the routes registered so far (see {@link mountOpenApi}). */
    openApi?: () => Record<string, unknown>;
  }
}
