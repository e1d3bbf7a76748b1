import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../src/server/openapi/buildOpenApi.js';

type Op = { security?: unknown[]; 'x-sluice-role'?: string };
const doc = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as { paths: Record<string, Record<string, Op>> };
const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, op })));

describe('OpenAPI: security and servers', () => {
  it('every operation says how it is authorized: an API role, a console session, or open', () => {
    expect(ops.length).toBeGreaterThan(50);
    expect(ops.filter((o) => !Array.isArray(o.op.security)).map((o) => o.key)).toEqual([]);
    const by = (k: string) => ops.find((o) => o.key === k)!.op.security;
    expect(by('GET /executions')).toEqual([{ session: [] }]); // a console page answers 401 without a session
    expect(by('POST /logout')).toEqual([{ session: [] }]);
    expect(by('GET /api/executions')).toEqual([{ apiToken: [] }, { session: [] }]);
    expect(by('POST /api/s3-events')).toEqual([]); // its own credential: the shared secret or an SNS signature
    expect(by('GET /login')).toEqual([]);
    expect(by('POST /invocations')).toEqual([]);
  });

  it('servers come from server.publicUrl', () => {
    expect(buildOpenApi([], { version: '1', publicUrl: 'https://sluice.example.org/' }).servers).toEqual([
      { url: 'https://sluice.example.org', description: 'this server (server.publicUrl)' },
    ]);
    expect((buildOpenApi([], { version: '1' }).servers as Array<{ url: string }>)[0]!.url).toBe('http://127.0.0.1:7300');
  });
});
