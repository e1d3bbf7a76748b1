import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { builtFixture } from '../support/builtFixture.js';
import { DIABETES } from '../support/data.js';
import { approvePending, expectFeatureRowsOnce, expectSucceededOnce, expectVersionsOnce, runOrKill, seededRandom } from '../support/faults.js';

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

/** The worker over the project `dir`, to its end or SIGKILLed after `killAfterMs`. */
function runWorker(dir: string, killAfterMs?: number) {
  return runOrKill([WORKER], { cwd: ROOT, env: { ...process.env, PROJECT: dir } }, killAfterMs);
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
        await approvePending(p.store);
      } finally {
        await p.close();
      }
    };
    // Kill at random moments (seeded, so a failure can be replayed), approving between runs.
    const rand = seededRandom(7);
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
      const finished = await expectSucceededOnce(p.store, N);
      await expectFeatureRowsOnce({ projectDir: dir }, 'encounters', finished);
      const reg = await ModelRegistry.open(dir);
      try {
        const versions = await expectVersionsOnce(reg, 'readmission', ids, finished);
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
      } finally {
        await reg.close();
      }
    } finally {
      await p.close();
    }
  }, 900_000);
});
