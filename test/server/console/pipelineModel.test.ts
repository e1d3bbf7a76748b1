import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIABETES } from '../../support/data.js';
import { consoleProject, get, type ConsoleProject } from './consoleProject.js';

let p: ConsoleProject;
let executionId: string;

/** A model trained and registered by the real pipeline activities (train, register_model). */
beforeAll(async () => {
  p = await consoleProject({
    pipeline: `pipeline:
  name: models
  start: train
  states:
    train: { type: task, activity: train, next: register_model }
    register_model: { type: task, activity: register_model, next: done }
    done: { type: succeed }`,
    // One quick learner: the page is under test, not the search.
    editConfig: (yaml) => yaml.replace(/^model:\n/m, 'model:\n  learners: [logistic]\n  maxCandidates: 2\n').replace(/timeLimit: 120/, 'timeLimit: 30'),
  });
  copyFileSync(new URL('../../../examples/diabetes/diabetes.flow.yaml', import.meta.url), join(p.dir, 'flows', 'main.flow.yaml'));
  const batch = join(p.dir, 'diabetes-sample.csv');
  writeFileSync(batch, readFileSync(DIABETES, 'utf8').split('\n').slice(0, 3001).join('\n') + '\n');
  const rec = await p.runtime.orchestrator.startFile(batch);
  await p.runtime.orchestrator.runUntilIdle();
  const done = await p.runtime.store.require(rec.id);
  if (done.status !== 'succeeded') throw new Error(JSON.stringify(done.error));
  executionId = rec.id;
}, 180_000);

afterAll(async () => {
  await p?.close();
});

describe('console: a model the pipeline trained', () => {
  it('ranks by the recorded holdout metric, links the training batch and the model report the train step wrote', async () => {
    const res = await get(p, '/models/readmission', 'vic');
    expect(res.statusCode).toBe(200);
    const b = res.body;
    const metric = Object.keys((await p.registry.get('readmission', 1)).metrics).find((m) => m !== 'holdout_rows')!;
    expect(metric).toMatch(/^holdout_/);
    expect(b).toContain(`Versions ranked by ${metric}`);
    expect(b).toContain(`href="/executions/${executionId}">batch</a>`);
    expect(b).toContain('href="/models/readmission/versions/1/report">model report</a>');
    expect(b).toContain('AutoML candidates of version 1');
    // the leaderboard of the model report the train step wrote: the baseline and the logistic candidate
    expect(b).toMatch(/<td data-label="Candidate">[^<]+<\/td><td data-label="Learner">logistic<\/td><td data-label="Status">ok<\/td>/);
    expect(b).toMatch(/<td data-label="Candidate">[^<]+<\/td><td data-label="Learner">baseline<\/td>/);
    expect(b).toContain(' ★</td>');
    const report = await get(p, '/models/readmission/versions/1/report', 'vic');
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-security-policy']).toContain('sandbox');
    expect(report.body).toContain('<html');
    expect(report.body).not.toContain('Data quality and insights');
  });
});
