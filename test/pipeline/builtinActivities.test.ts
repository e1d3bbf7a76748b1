import { readFileSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinActivities } from '../../src/pipeline/activities/builtinActivities.js';
import { orchestrator, pipeline, tempProject } from './support.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('built-in activities', () => {
  it('run_flow fits the project flow on the file, writes the batch and the fitted flow, and is idempotent', async () => {
    const p = tempProject();
    const csv = readFileSync(join(ROOT, 'examples', 'diabetes', 'diabetic-readmission.csv'), 'utf8').split('\n').slice(0, 1501).join('\n') + '\n';
    writeFileSync(join(p.root, 'batch.csv'), csv);
    copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(p.root, 'main.flow.yaml'));
    const o = orchestrator(p, builtinActivities(), { config: { flow: 'main.flow.yaml' } });
    const def = pipeline(`start: run_flow\nstates:\n  run_flow: { type: task, activity: run_flow, input: { file: $.input.file }, next: train }\n  train: { type: task, activity: train, end: true }\n`);
    const ex = o.start({ file: join(p.root, 'batch.csv') }, { pipeline: def });
    await o.runUntilIdle();
    const rec = p.store.require(ex.id);
    const ok = p.store.events(ex.id).find((e) => e.type === 'ActivitySucceeded')!;
    const out = ok.data.output as { output: string; fitted: string; rows: number; columns: Array<{ name: string }>; flowHash: string };
    expect(out.rows).toBeGreaterThan(1000);
    expect(out.rows).toBeLessThanOrEqual(1500);
    expect(statSync(out.output).size).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(out.fitted, 'utf8')).flowHash).toBe(out.flowHash);
    // The next built-in (train) is not available in this build: a clear failure, not a fake success.
    expect(rec.status).toBe('failed');
    expect(rec.error?.message).toMatch(/^activity train is not available yet/);
    // Running run_flow again for the same step returns the recorded result without recomputing.
    const again = await builtinActivities().get('run_flow')({ file: join(p.root, 'batch.csv') }, {
      executionId: ex.id, step: 'run_flow', attempt: 2, idempotencyKey: `${ex.id}:run_flow`, signal: new AbortController().signal, project: p.paths,
      execution: { input: {}, results: {} }, log: (await import('pino')).default({ level: 'silent' }), config: { flow: 'does-not-exist.yaml' },
    });
    expect(again).toEqual(out);
  }, 60_000);

  it('run_flow without a configured flow fails with a hint, not retried', async () => {
    const p = tempProject();
    writeFileSync(join(p.root, 'b.csv'), 'a\n1\n');
    const o = orchestrator(p, builtinActivities());
    const ex = o.start({ file: join(p.root, 'b.csv') }, { pipeline: pipeline(`start: f\nstates:\n  f: { type: task, activity: run_flow, retry: { count: 3 }, end: true }\n`) });
    await o.runUntilIdle();
    expect(p.store.require(ex.id).error).toMatchObject({ code: 'RUN_FLOW_NO_FLOW' });
    expect(p.store.events(ex.id).filter((e) => e.type === 'ActivityStarted')).toHaveLength(1);
  });
});
