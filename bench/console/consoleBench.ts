/**
 * Console page latency: a project with the seed data set (69,570 rows) run through the real
 * report step and waiting for approval, a second, drifted batch against it, and 1,000 further
 * executions in the store; each page is requested 30 times in-process (`app.inject`, so no
 * network), median and p95 reported.
 *
 *   npx tsx bench/console/consoleBench.ts
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { decideApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { hashPassword } from '../../src/server/auth/password.js';
import { projectAuthGate } from '../../src/server/auth/projectAuthGate.js';
import { consoleRoutes } from '../../src/server/console/consoleRoutes.js';
import { createServer } from '../../src/server/createServer.js';
import { fmt, median } from '../lib.js';

const SEED = new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url).pathname;
const RUNS = 30;

const dir = join(mkdtempSync(join(tmpdir(), 'sluice-console-bench-')), 'p');
initProject(dir);
const hash = await hashPassword('bench-password', { N: 1024, r: 8, p: 1 });
writeFileSync(
  join(dir, 'sluice.yaml'),
  readFileSync(join(dir, 'sluice.yaml'), 'utf8')
    .replace(
      /^pipeline: default$/m,
      `pipeline:
  name: bench
  start: report
  states:
    report: { type: task, activity: report, next: ask }
    ask: { type: approval, timeout: 7d, next: done }
    done: { type: succeed }`,
    )
    .replace(/^gates: gates.yaml$/m, '')
    .replace('  - name: Change Me\n    email: approver@example.com\n    role: approver', `  - { name: ana, role: approver, passwordHash: "${hash}" }`),
);
const project = loadProject(dir);
const runtime = await ProjectRuntime.open(project);
const auth = projectAuthGate(project, runtime.db);
const registry = await ModelRegistry.open(dir);
const features = await FeatureStore.open({ projectDir: dir });
const app = await createServer({
  project,
  runtime,
  auth,
  features: false,
  endpoint: false,
  plugins: [async (s) => s.register(consoleRoutes, { runtime, auth, registry, features })],
});

const t0 = performance.now();
const first = await runtime.orchestrator.startFile(SEED);
await runtime.orchestrator.runUntilIdle();
decideApproval(runtime.store, { executionId: first.id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
await runtime.orchestrator.runUntilIdle();
// The same rows again under another name, so the second report measures drift against the first.
const copy = join(dir, 'second.csv');
copyFileSync(SEED, copy);
const second = await runtime.orchestrator.startFile(copy, { allowDuplicate: true });
await runtime.orchestrator.runUntilIdle();
const setupS = (performance.now() - t0) / 1000;
for (let i = 0; i < 1000; i++) runtime.store.create(project.pipeline, { file: `/data/batch-${i}.csv` });

const login = await auth.login('ana', 'bench-password', {});
if (!login.ok) throw new Error(login.message);
const cookie = auth.sessionCookie(login.sessionId).split(';')[0]!;

const pages = [
  '/',
  '/executions',
  '/executions?file=batch-9&page=2',
  `/executions/${second.id}`,
  `/executions/${second.id}/report`,
  '/reports',
  '/settings',
  '/audit',
];
const rows: string[] = [];
for (const url of pages) {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const res = await app.inject({ url, headers: { accept: 'text/html', cookie } });
    ms.push(performance.now() - t);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    bytes = res.body.length;
  }
  const sorted = [...ms].sort((a, b) => a - b);
  rows.push(
    `| \`${url.replace(second.id, ':id')}\` | ${fmt(median(ms), 1)} | ${fmt(sorted[Math.floor(sorted.length * 0.95)]!, 1)} | ${(bytes / 1024).toFixed(1)} |`,
  );
}
process.stdout.write(
  `Setup (two reports of 69,570 rows, one approval): ${fmt(setupS, 1)} s; 1,002 executions in the store.\n\n| page | median ms | p95 ms | KB |\n|---|---|---|---|\n${rows.join('\n')}\n`,
);
await app.close();
await features.close();
await registry.close();
await runtime.close();
