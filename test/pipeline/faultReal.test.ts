// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { decideApproval, pendingApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { builtFixture } from '../support/builtFixture.js';
import { DIABETES } from '../support/data.js';

const ROOT = join(import.meta.dirname, '..', '..');
// Compiled once for this file: the worker starts without tsx, and its training threads run dist/.
const WORKER = await builtFixture(join(import.meta.dirname, 'fixtures', 'realWorker.ts'));
const N = 20;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-fault-'));
  copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(dir, 'diabetes.flow.yaml'));
  writeFileSync(
    join(dir, 'sluice.yaml'),
    `name: fault
flow: diabetes.flow.yaml
target: readmitted
concurrency: 3
featureGroup: { name: encounters, recordIdentifier: record_id, eventTime: event_time }
model: { name: readmission, timeLimit: 10, learners: [gbdt, logistic], maxCandidates: 2, ensemble: false }
approvers: [{ name: ana, role: approver }]
`,
  );
  const lines = readFileSync(DIABETES, 'utf8').split('\n');
  for (let i = 0; i < N; i++) writeFileSync(join(dir, `b${i}.csv`), [lines[0], ...lines.slice(1 + i * 400, 1 + (i + 1) * 400)].join('\n') + '\n');
  return dir;
}

async function runWorker(dir: string, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [WORKER], { cwd: ROOT, env: { ...process.env, PROJECT: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let timer: NodeJS.Timeout | undefined;
  if (killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const r = await exited;
  clearTimeout(timer);
  return { ...r, stderr };
}

describe('fault test: the real pipeline survives kills of the server (SIGKILL at random moments)', () => {
  it(`${N} executions through flow, report, approval, features, training, registration and deployment finish with exactly-once effects`, async () => {
    const dir = project();
    const setup = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }) });
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push((await setup.orchestrator.startFile(join(dir, `b${i}.csv`))).id);
    await setup.close();

    const approveWaiting = async () => {
      const p = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }) });
      try {
        for (const ex of await p.store.list({ limit: 1000 })) {
          if (ex.status === 'waiting' && pendingApproval(await p.store.events(ex.id))) {
            await decideApproval(p.store, { executionId: ex.id, approver: { name: 'ana', role: 'approver' }, decision: 'approve', comment: 'fault test' });
          }
        }
      } finally {
        await p.close();
      }
    };
    // Kill at random moments (seeded, so a failure can be replayed), approving between runs.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let kills = 0;
    for (let round = 0; round < 12; round++) {
      const r = await runWorker(dir, 1500 + Math.floor(rand() * 3500));
      if (r.signal === 'SIGKILL') kills++;
      else expect(r.code, r.stderr).toBe(0);
      await approveWaiting();
    }
    expect(kills).toBeGreaterThan(3);
    for (let round = 0; round < 10; round++) {
      const r = await runWorker(dir);
      expect(r.code, r.stderr).toBe(0);
      await approveWaiting();
      const p = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }) });
      const open = (await p.store.list({ limit: 1000 })).filter((e) => e.status !== 'succeeded' && e.status !== 'failed').length;
      await p.close();
      if (open === 0) break;
    }

    const p = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }) });
    try {
      const execs = await p.store.list({ limit: 1000 });
      expect(execs).toHaveLength(N);
      const outputs = new Map<string, Record<string, any>>();
      for (const e of execs) {
        expect(e.status, `${e.id}: ${JSON.stringify(e.error)}`).toBe('succeeded');
        const h = await p.store.events(e.id);
        expect(h.map((x) => x.seq)).toEqual(h.map((_, i) => i + 1));
        expect(h.filter((x) => x.type === 'ExecutionSucceeded')).toHaveLength(1);
        const out: Record<string, any> = {};
        for (const x of h) if (x.type === 'ActivitySucceeded' && x.step) out[x.step.split('/').pop()!] = x.data.output;
        outputs.set(e.id, out);
      }
      // Feature rows: each batch exactly once, offline.
      const fs = await FeatureStore.open({ projectDir: dir });
      try {
        const g = await fs.describeGroup('encounters');
        expect(g.offline.batches).toBe(N);
        // Every transformed row, once (a record id repeated within a batch keeps its latest event).
        const expected = [...outputs.values()].reduce((n, o) => n + (o.run_flow.rows as number) - (o.ingest_features.duplicatesDropped as number), 0);
        expect(g.offline.rows).toBe(expected);
        const counted = (await fs.query('SELECT count(*)::INTEGER AS n FROM encounters')) as Array<{ n: number }>;
        expect(counted[0]?.n).toBe(expected);
      } finally {
        await fs.close();
      }
      // Model versions: one per execution, no orphan artifact folders.
      const reg = await ModelRegistry.open(dir);
      try {
        const versions = await reg.versions('readmission');
        expect(versions).toHaveLength(N);
        expect(new Set(versions.map((v) => v.lineage.trainingBatch?.executionId))).toEqual(new Set(ids));
        // A kill between placing a folder and committing its row leaves a copy the rerun registered
        // again: gc recognises it (same idempotency key); no other folder lacks its row.
        const gc = await reg.collectGarbage({ dryRun: true });
        expect(gc.unregistered).toEqual([]);
        const modelDir = join(dir, '.sluice', 'models', 'readmission');
        expect(
          readdirSync(modelDir)
            .filter((f) => !f.startsWith('.') && !gc.leftovers.includes(join(modelDir, f)))
            .sort(),
        ).toEqual(versions.map((v) => String(v.version)).sort());
        // Deployments: each execution's champion promotion happened at most once, and exactly
        // when its deploy step says it did.
        const history = await reg.history('readmission');
        for (const [id, o] of outputs) {
          const promotions = history.filter((h) => h.by === `pipeline:${id}` && h.kind === 'alias');
          expect(promotions.length, id).toBeLessThanOrEqual(1);
          if (o.deploy)
            expect(
              promotions.map((h) => h.alias),
              id,
            ).toEqual([o.deploy.decision]);
          else expect(promotions, id).toEqual([]);
        }
        expect(await reg.champion('readmission')).toBeDefined();
      } finally {
        await reg.close();
      }
    } finally {
      await p.close();
    }
  }, 900_000);
});
