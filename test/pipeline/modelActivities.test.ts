// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { decideApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { scoreArtifact } from '../../src/training/scoreArtifact.js';
import { DIABETES } from '../support/data.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** A project on the default pipeline with the diabetes recipe and a short, reproducible search. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-models-'));
  copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(dir, 'diabetes.flow.yaml'));
  writeFileSync(
    join(dir, 'sluice.yaml'),
    `name: readmission demo
flow: diabetes.flow.yaml
target: readmitted
featureGroup: { name: encounters, recordIdentifier: record_id, eventTime: event_time }
model: { name: readmission, timeLimit: 20, holdout: 0.25, learners: [gbdt, logistic], maxCandidates: 2, ensemble: false }
approvers: [{ name: ana, email: ana@example.com, role: approver }]
`,
  );
  const lines = readFileSync(DIABETES, 'utf8').split('\n');
  writeFileSync(join(dir, 'b1.csv'), [lines[0], ...lines.slice(1, 2001)].join('\n') + '\n');
  writeFileSync(join(dir, 'b2.csv'), [lines[0], ...lines.slice(2001, 4001)].join('\n') + '\n');
  writeFileSync(join(dir, 'b3.csv'), [lines[0], ...lines.slice(4001, 5001)].join('\n') + '\n');
  return dir;
}

const runtimes: ProjectRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

async function runtime(dir: string): Promise<ProjectRuntime> {
  const r = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }), pollMs: 20 });
  runtimes.push(r);
  return r;
}

async function output<T>(r: ProjectRuntime, id: string, step: string): Promise<T> {
  const e = (await r.store.events(id)).find((x) => x.type === 'ActivitySucceeded' && (x.step === step || x.step?.endsWith(`/${step}`)));
  if (!e) throw new Error(`no ActivitySucceeded for ${step} in ${id}: ${JSON.stringify(await r.store.require(id))}`);
  return e.data.output as T;
}

describe('train, register_model and deploy in the default pipeline', () => {
  it('approved batches are ingested, trained, registered with lineage, and deployed only when better on the same holdout; a rejected batch changes nothing', async () => {
    const dir = project();
    const r = await runtime(dir);
    const o = r.orchestrator;
    const ana = r.approver('ana');

    // Batch 1: no champion yet, so the candidate becomes champion.
    const e1 = await o.startFile(join(dir, 'b1.csv'));
    await o.runUntilIdle();
    expect((await r.store.require(e1.id)).status).toBe('waiting');
    await decideApproval(r.store, { executionId: e1.id, approver: ana, decision: 'approve', comment: 'looks right' });
    await o.runUntilIdle();
    const rec1 = await r.store.require(e1.id);
    expect(rec1.status, JSON.stringify(rec1.error)).toBe('succeeded');
    expect(rec1.outcome).toBe('deployed');
    const t1 = await output<any>(r, e1.id, 'train');
    expect(t1.champion).toBeNull();
    expect(t1.betterThanChampion).toBe(true);
    expect(t1.rows.holdout).toBeGreaterThan(300);
    expect(t1.rows.train + t1.rows.holdout).toBe(2000);
    const reg1 = await output<any>(r, e1.id, 'register_model');
    expect(reg1.version).toBe(1);
    const dep1 = await output<any>(r, e1.id, 'deploy');
    expect(dep1.decision).toBe('champion');

    const registry = await ModelRegistry.open(dir);
    try {
      const v1 = await registry.get('readmission', 1);
      expect(v1.aliases).toContain('champion');
      expect(v1.status).toBe('approved');
      expect(v1.lineage.trainingBatch?.executionId).toBe(e1.id);
      expect(v1.lineage.trainingBatch?.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(v1.lineage.approval).toEqual(expect.objectContaining({ by: 'ana', comment: 'looks right' }));
      expect(v1.metrics[`holdout_${t1.metric}`]).toBe(t1.candidate.value);
    } finally {
      await registry.close();
    }
    const fs = await FeatureStore.open({ projectDir: dir });
    try {
      const groups = await fs.listGroups();
      expect(groups.map((g) => g.name)).toEqual(['encounters']);
    } finally {
      await fs.close();
    }

    // Batch 2: compared with champion v1 on batch 2's holdout; the decision follows the scores.
    const e2 = await o.startFile(join(dir, 'b2.csv'));
    await o.runUntilIdle();
    await decideApproval(r.store, { executionId: e2.id, approver: ana, decision: 'approve' });
    await o.runUntilIdle();
    const rec2 = await r.store.require(e2.id);
    expect(rec2.status, JSON.stringify(rec2.error)).toBe('succeeded');
    const t2 = await output<any>(r, e2.id, 'train');
    expect(t2.champion.version).toBe(1);
    // Before the approval, the report step measured champion v1 on batch 2, next to its registered figure.
    const rep2 = await output<any>(r, e2.id, 'report');
    const champ = JSON.parse(readFileSync(rep2.reportJson, 'utf8')).champion;
    expect(champ).toMatchObject({ model: 'readmission', version: 1, metric: t2.metric });
    expect(champ.registered).toBeCloseTo((await output<any>(r, e1.id, 'train')).candidate.value, 12);
    expect(Number.isFinite(champ.current)).toBe(true);
    expect(champ.drop).toBeCloseTo(champ.higherIsBetter ? champ.registered - champ.current : champ.current - champ.registered, 12);
    expect(rep2.figures[`champion v1 ${t2.metric} on this batch`]).toMatch(/^[\d.]+ \(registered [\d.]+\)$/);
    expect(rep2.headline).toMatch(/^(gates|no gates)/);
    // The flow's record id and event time are not measured for drift.
    const drift2 = JSON.parse(readFileSync(rep2.reportJson, 'utf8')).drift;
    expect(drift2.columns.map((c: { name: string }) => c.name)).not.toContain('event_time');
    expect(drift2.excludedColumns).toEqual(expect.arrayContaining(['record_id', 'event_time']));
    // The recorded champion score is real: re-scoring v1 on the same held-out rows gives it again.
    const again = await scoreArtifact(join(dir, '.sluice', 'models', 'readmission', '1'), t2.holdoutFile, t2.metric);
    expect(again.value).toBeCloseTo(t2.champion.value, 12);
    expect(again.rows).toBe(t2.champion.rows);
    const better = t2.direction === 'maximize' ? t2.candidate.value > t2.champion.value : t2.candidate.value < t2.champion.value;
    expect(t2.betterThanChampion).toBe(better);
    expect(rec2.outcome).toBe(better ? 'deployed' : 'champion kept');
    const reg2 = await output<any>(r, e2.id, 'register_model');
    expect(reg2.version).toBe(2);

    // Batch 3 is rejected: nothing is trained, registered or deployed.
    const e3 = await o.startFile(join(dir, 'b3.csv'));
    await o.runUntilIdle();
    await decideApproval(r.store, { executionId: e3.id, approver: ana, decision: 'reject', reason: 'not this one' });
    await o.runUntilIdle();
    expect((await r.store.require(e3.id)).outcome).toBe('rejected');
    expect((await r.store.events(e3.id)).some((e) => e.step === 'train')).toBe(false);
    const reg = await ModelRegistry.open(dir);
    try {
      expect((await reg.versions('readmission')).map((v) => v.version).sort()).toEqual([1, 2]);
      expect((await reg.champion('readmission'))?.version).toBe(better ? 2 : 1);
    } finally {
      await reg.close();
    }

    // Replaying register_model and deploy with the same keys changes nothing (exactly-once effects).
    const acts = (await import('../../src/pipeline/activities/builtinActivities.js')).builtinActivities();
    const ctx = (step: string) => ({
      executionId: e1.id,
      step,
      attempt: 2,
      idempotencyKey: `${e1.id}:${step}`,
      signal: new AbortController().signal,
      project: r.project.paths,
      execution: { input: { file: join(dir, 'b1.csv') }, results: { train: t1, register_model: reg1, approval: { decision: 'approved', by: 'ana', at: 'x' } } },
      log: pino({ level: 'silent' }),
      config: r.project.config,
    });
    const replay = (await acts.get('register_model')({ train: t1, approval: { decision: 'approved', by: 'ana', at: 'x' } }, ctx('register_model'))) as {
      version: number;
    };
    expect(replay.version).toBe(1);
    const hist = await ModelRegistry.open(dir);
    try {
      const before = (await hist.history('readmission')).length;
      await acts.get('deploy')({ registered: reg1, train: t1, approvedBy: 'ana' }, ctx('deploy'));
      expect((await hist.history('readmission')).length).toBe(before);
    } finally {
      await hist.close();
    }

    // Batch 4 arrives with two columns the flow does not know: they are left out of training and
    // listed as a finding, so the new model does not require them (issue 13, point 10).
    const lines = readFileSync(DIABETES, 'utf8').split('\n');
    writeFileSync(
      join(dir, 'b4.csv'),
      [`${lines[0]},site_code,lab_score`, ...lines.slice(5001, 6501).map((l, i) => `${l},S${i % 7},${(i % 13) / 3}`)].join('\n') + '\n',
    );
    const e4 = await o.startFile(join(dir, 'b4.csv'));
    await o.runUntilIdle();
    await decideApproval(r.store, { executionId: e4.id, approver: ana, decision: 'approve' });
    await o.runUntilIdle();
    expect((await r.store.require(e4.id)).status, JSON.stringify((await r.store.require(e4.id)).error)).toBe('succeeded');
    const t4 = await output<any>(r, e4.id, 'train');
    expect(t4.droppedColumns).toEqual(['site_code', 'lab_score']);
    expect(t4.findings[0]).toMatchObject({ code: 'TRAIN_UNKNOWN_COLUMNS_DROPPED' });
    expect(t4.findings[0].message).toContain('site_code, lab_score');
    const m4 = JSON.parse(readFileSync(join(t4.trainDir, 'model', 'SLUICE_MODEL.json'), 'utf8'));
    expect(m4.inputSignature.map((c: { name: string }) => c.name)).not.toContain('site_code');
    expect(m4.inputSignature.map((c: { name: string }) => c.name)).not.toContain('lab_score');
  }, 400_000);
});
