// Authentication costs: `node --import tsx bench/auth/authBench.ts` prints a Markdown table.
// What a password check costs (scrypt at the default parameters), and what resolving the caller
// adds to each request (session cookie, API token) compared with a server without the gate.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { hashPassword, verifyPassword } from '../../src/server/auth/password.js';
import { projectAuthGate } from '../../src/server/auth/projectAuthGate.js';
import { createServer } from '../../src/server/createServer.js';
import { fmt, median } from '../lib.js';

const PASSWORD = 'correct horse battery staple';
const REQUESTS = 3000;

async function timeRequests(app: FastifyInstance, headers: Record<string, string>): Promise<number> {
  for (let i = 0; i < 200; i++) await app.inject({ url: '/api/approvals', headers }); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      const res = await app.inject({ url: '/api/approvals', headers });
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${res.body}`);
    }
    runs.push(((performance.now() - t) * 1000) / REQUESTS);
  }
  return median(runs);
}

const hashes: number[] = [];
const checks: number[] = [];
let hash = '';
for (let i = 0; i < 10; i++) {
  let t = performance.now();
  hash = await hashPassword(PASSWORD);
  hashes.push(performance.now() - t);
  t = performance.now();
  if (!(await verifyPassword(PASSWORD, hash))) throw new Error('verify failed');
  checks.push(performance.now() - t);
}
const parallel = performance.now();
await Promise.all(Array.from({ length: 8 }, () => verifyPassword(PASSWORD, hash)));
const parallelMs = performance.now() - parallel;

const dir = join(mkdtempSync(join(tmpdir(), 'sluice-auth-bench-')), 'p');
initProject(dir);
const yaml = join(dir, 'sluice.yaml');
writeFileSync(
  yaml,
  readFileSync(yaml, 'utf8').replace(
    '  - name: Change Me\n    email: approver@example.com\n    role: approver',
    `  - { name: Ana, role: approver, passwordHash: "${hash}" }`,
  ),
);
const project = loadProject(dir);
const runtime = await ProjectRuntime.open(project);
const plain = await createServer({ project, runtime, features: false, endpoint: false });
const gate = projectAuthGate(project, runtime.db);
const guarded = await createServer({ project, runtime, features: false, endpoint: false, auth: gate });
const sessionId = await gate.sessions.create('Ana');
const cookie = gate.sessionCookie(sessionId).split(';')[0]!;
const token = (await gate.tokens.create('Ana')).token;

const none = await timeRequests(plain, {});
const bySession = await timeRequests(guarded, { cookie });
const byToken = await timeRequests(guarded, { authorization: `Bearer ${token}` });
await plain.close();
await guarded.close();
await runtime.close();

const load = loadavg()[0]!;
process.stdout.write(`| measure | value |
|---|---|
| hashPassword, scrypt N=2^15 r=8 p=1 (median of 10) | ${fmt(median(hashes), 1)} ms |
| verifyPassword, same (median of 10) | ${fmt(median(checks), 1)} ms |
| 8 password checks at once (libuv thread pool) | ${fmt(parallelMs, 1)} ms |
| GET /api/approvals without authentication (in-process, median of 3×${REQUESTS}) | ${fmt(none, 0)} µs |
| same with a session cookie (HMAC + SQLite lookup) | ${fmt(bySession, 0)} µs (+${fmt(bySession - none, 0)} µs) |
| same with an API token (SHA-256 + SQLite lookup) | ${fmt(byToken, 0)} µs (+${fmt(byToken - none, 0)} µs) |

Load average during the run: ${fmt(load, 1)} (2 cores shared with other jobs).
`);
