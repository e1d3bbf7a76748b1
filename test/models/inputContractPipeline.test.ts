// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../src/core/types.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import type { Activity } from '../../src/pipeline/activities/Activity.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { MANIFEST_FORMAT } from '../../src/artifact/manifest.js';
import { errorOf } from '../support/errors.js';
import { consoleProject, get, type ConsoleProject } from '../server/console/consoleProject.js';
import { cli, newProject } from '../state/liveProject.js';
import { fakeArtifact } from '../support/fakeArtifact.js';

// Issue 13, point 10, end to end: the pipeline's deploy records a changed input contract as a
// finding the console shows; sluice.yaml model.allowSchemaChange and the CLI's
// --allow-schema-change let it through. (Registry and API: inputContract.test.ts.)

const BASE: ColumnSchema[] = [
  { name: 'age', type: 'integer' },
  { name: 'gender', type: 'string' },
];
const WIDER: ColumnSchema[] = [...BASE, { name: 'extra_1', type: 'float' }, { name: '<b>extra_2</b>', type: 'string' }];

/** A training output folder whose manifest records `inputs` (as trainModel writes it). */
function artifact(inputs: ColumnSchema[]): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-contract-art-'));
  writeFileSync(join(d, 'model.json'), JSON.stringify({ format: MANIFEST_FORMAT, formatVersion: 1, inputSignature: inputs }));
  fakeArtifact({ kind: 'test', inputs }, join(d, 'model'));
  return d;
}

// train -> register_model -> deploy, with the real deploy. The first two stand in for AutoML:
// train reports the champion's score on the holdout (0.7) and the candidate's (0.9), so deploy
// need not score anything; register_model names version 2, which requires two new columns.
const PIPELINE = `pipeline:
  name: contract
  start: train
  states:
    train: { type: task, activity: fake_train, next: register_model }
    register_model: { type: task, activity: fake_register, next: deploy }
    deploy: { type: task, activity: deploy, input: { registered: $.results.register_model, train: $.results.train }, next: done }
    done: { type: succeed, outcome: finished }`;

const activities: Record<string, Activity<any, unknown>> = {
  fake_train: async () => ({
    model: 'readmission',
    metric: 'roc_auc',
    direction: 'maximize',
    holdoutFile: 'unused',
    champion: { version: 1, value: 0.7 },
    candidate: { value: 0.9 },
  }),
  fake_register: async () => ({
    model: 'readmission',
    version: 2,
    candidate: 0.9,
    metric: 'roc_auc',
    champion: { version: 1, value: 0.7 },
    betterThanChampion: true,
  }),
};

const open: ConsoleProject[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** A console project with version 1 (BASE) champion and version 2 (WIDER) registered; runs the pipeline once. */
async function deployWider(editConfig?: (yaml: string) => string): Promise<{ p: ConsoleProject; id: string; deploy: any }> {
  const p = await consoleProject({ pipeline: PIPELINE, activities, ...(editConfig ? { editConfig } : {}) });
  open.push(p);
  for (const inputs of [BASE, WIDER]) await p.registry.register(artifact(inputs), { name: 'readmission', by: 'test' });
  await p.registry.setStatus('readmission', 1, 'approved', 'ana');
  await p.registry.promote('readmission', 1, 'champion', 'ana');
  const ex = await p.runtime.orchestrator.start({});
  await p.runtime.orchestrator.runUntilIdle();
  expect((await p.runtime.store.require(ex.id)).status, JSON.stringify((await p.runtime.store.require(ex.id)).error)).toBe('succeeded');
  const e = (await p.runtime.store.events(ex.id)).find((x) => x.type === 'ActivitySucceeded' && x.step === 'deploy')!;
  return { p, id: ex.id, deploy: e.data.output };
}

describe("the pipeline's deploy and a changed input contract (issue 13, point 10)", () => {
  it('keeps the better model as challenger, records a finding, and the console shows it (escaped)', async () => {
    const { p, id, deploy } = await deployWider();
    expect(deploy.decision).toBe('challenger');
    expect(deploy.reason).toContain('kept as challenger');
    expect(deploy.findings).toEqual([
      { code: 'MODEL_INPUTS_CHANGED', message: 'version 2 requires new columns extra_1, <b>extra_2</b> compared with champion version 1' },
    ]);
    expect((await p.registry.champion('readmission'))!.version).toBe(1);
    const page = await get(p, `/executions/${id}`, 'vic');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('finding: version 2 requires new columns extra_1, &lt;b&gt;extra_2&lt;/b&gt; compared with champion version 1');
    expect(page.body).not.toContain('<b>extra_2</b>');
  });

  it('with model.allowSchemaChange: true in sluice.yaml it becomes champion, still with the finding', async () => {
    const { p, id, deploy } = await deployWider((yaml) => yaml.replace(/^model:\n/m, 'model:\n  allowSchemaChange: true\n'));
    expect(p.project.config.model.allowSchemaChange).toBe(true);
    expect(deploy.decision).toBe('champion');
    expect(deploy.findings[0].message).toBe(
      'version 2 requires new columns extra_1, <b>extra_2</b> compared with champion version 1 (allowed by model.allowSchemaChange)',
    );
    expect((await p.registry.champion('readmission'))!.version).toBe(2);
    expect((await get(p, `/executions/${id}`, 'vic')).body).toContain('(allowed by model.allowSchemaChange)');
  });

  it('a non-boolean model.allowSchemaChange is refused at load, naming the field and the line', async () => {
    const dir = await newProject();
    const yaml = join(dir, 'sluice.yaml');
    expect(loadProject(dir).config.model.allowSchemaChange).toBe(false); // the default
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^model:\n/m, 'model:\n  allowSchemaChange: sometimes\n'));
    const e = errorOf(() => loadProject(dir));
    expect(e.message).toContain('model.allowSchemaChange');
    expect(e.location?.line).toBeGreaterThan(1);
  });
});

describe('sluice models promote --allow-schema-change', () => {
  it('refuses a version whose required inputs differ, naming the columns; promotes with the flag and records it', async () => {
    const dir = await newProject();
    const reg = await ModelRegistry.open(dir);
    try {
      for (const inputs of [BASE, WIDER]) {
        const v = await reg.register(artifact(inputs), { name: 'm', by: 'test' });
        await reg.setStatus('m', v.version, 'approved', 'ana');
      }
      await reg.promote('m', 1, 'champion', 'ana');
    } finally {
      await reg.close();
    }
    const refused = await cli(dir, ['models', 'promote', 'm', '2'], { SLUICE_USER: 'ops' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error[MODEL_INPUTS_CHANGED]');
    expect(refused.stderr).toContain('requires new columns extra_1, <b>extra_2</b> compared with champion version 1');
    expect(refused.stderr).toContain('--allow-schema-change');
    expect((await cli(dir, ['models', 'list'])).stdout).toMatch(/champion=1/);
    const ok = await cli(dir, ['models', 'promote', 'm', '2', '--allow-schema-change', '--comment', 'clients send extra_1'], { SLUICE_USER: 'ops' });
    expect(ok.code, ok.stderr).toBe(0);
    expect((await cli(dir, ['models', 'list'])).stdout).toMatch(/champion=2/);
    expect((await cli(dir, ['models', 'history', 'm'])).stdout).toContain(
      'clients send extra_1; inputs changed (allowed): requires new columns extra_1, <b>extra_2</b>',
    );
  }, 120_000);
});
