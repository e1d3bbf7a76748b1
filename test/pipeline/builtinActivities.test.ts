// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { readFileSync, rmSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinActivities } from '../../src/pipeline/activities/builtinActivities.js';
import { stepDir } from '../../src/pipeline/activities/Activity.js';
import { decideApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { orchestrator, pipeline, tempProject } from './support.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('built-in activities', () => {
  it('run_flow fits the project flow on the file, writes the batch and the fitted flow, and is idempotent', async () => {
    const p = await tempProject();
    const csv =
      readFileSync(join(ROOT, 'examples', 'diabetes', 'diabetic-readmission.csv'), 'utf8')
        .split('\n')
        .slice(0, 1501)
        .join('\n') + '\n';
    writeFileSync(join(p.root, 'batch.csv'), csv);
    copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(p.root, 'main.flow.yaml'));
    const o = orchestrator(p, builtinActivities(), { config: { flow: 'main.flow.yaml' } });
    const def = pipeline(`start: run_flow\nstates:\n  run_flow: { type: task, activity: run_flow, input: { file: $.input.file }, end: true }\n`);
    const ex = await o.start({ file: join(p.root, 'batch.csv') }, { pipeline: def });
    await o.runUntilIdle();
    const rec = await p.store.require(ex.id);
    const ok = (await p.store.events(ex.id)).find((e) => e.type === 'ActivitySucceeded')!;
    const out = ok.data.output as { output: string; fitted: string; rows: number; columns: Array<{ name: string }>; flowHash: string };
    expect(out.rows).toBeGreaterThan(1000);
    expect(out.rows).toBeLessThanOrEqual(1500);
    expect(statSync(out.output).size).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(out.fitted, 'utf8')).flowHash).toBe(out.flowHash);
    expect(rec.status).toBe('succeeded');
    // Running run_flow again for the same step returns the recorded result without recomputing.
    const again = await builtinActivities().get('run_flow')(
      { file: join(p.root, 'batch.csv') },
      {
        executionId: ex.id,
        step: 'run_flow',
        attempt: 2,
        idempotencyKey: `${ex.id}:run_flow`,
        signal: new AbortController().signal,
        project: p.paths,
        execution: { input: {}, results: {} },
        log: (await import('pino')).default({ level: 'silent' }),
        config: { flow: 'does-not-exist.yaml' },
      },
    );
    expect(again).toEqual(out);
  }, 60_000);

  it('report profiles the batch with gates, and measures drift against the last approved batch', async () => {
    const p = await tempProject();
    const lines = readFileSync(join(ROOT, 'examples', 'diabetes', 'diabetic-readmission.csv'), 'utf8').split('\n');
    writeFileSync(join(p.root, 'b1.csv'), [lines[0], ...lines.slice(1, 1201)].join('\n') + '\n');
    writeFileSync(join(p.root, 'b2.csv'), [lines[0], ...lines.slice(1201, 2401)].join('\n') + '\n');
    copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(p.root, 'main.flow.yaml'));
    writeFileSync(join(p.root, 'gates.yaml'), 'gates:\n  - missing_share < 0.5\n  - dataset.rows >= 5000\n');
    const o = orchestrator(p, builtinActivities({}, { store: p.store, publicUrl: 'http://x:1' }), {
      config: { flow: 'main.flow.yaml', target: 'readmitted', gates: 'gates.yaml' },
    });
    const def = pipeline(
      `start: run_flow\nstates:\n  run_flow: { type: task, activity: run_flow, next: report }\n  report: { type: task, activity: report, next: ask }\n  ask: { type: approval, next: done }\n  done: { type: succeed }\n`,
    );
    const first = await o.start({ file: join(p.root, 'b1.csv') }, { pipeline: def });
    await o.runUntilIdle();
    const r1 = (await p.store.events(first.id)).find((e) => e.type === 'ActivitySucceeded' && e.step === 'report')!.data.output as Record<string, any>;
    expect(r1.verdict).toBe('fail');
    expect(r1.gates).toEqual([
      expect.objectContaining({ name: 'missing_share < 0.5', passed: true }),
      expect.objectContaining({ name: 'dataset.rows >= 5000', passed: false }),
    ]);
    expect(r1.figures.rows).toBeGreaterThan(1000);
    expect(r1.baseline).toBeUndefined();
    expect(r1.reportUrl).toBe(`http://x:1/reports/${first.id}/report.html`);
    expect(readFileSync(r1.reportHtml, 'utf8')).toContain('<html');
    expect(JSON.parse(readFileSync(r1.reportJson, 'utf8')).gates.verdict).toBe('fail');
    await decideApproval(p.store, { executionId: first.id, approver: { name: 'a', role: 'approver' }, decision: 'approve' });
    await o.runUntilIdle();
    const second = await o.start({ file: join(p.root, 'b2.csv') }, { pipeline: def });
    await o.runUntilIdle();
    const r2 = (await p.store.events(second.id)).find((e) => e.type === 'ActivitySucceeded' && e.step === 'report')!.data.output as Record<string, any>;
    const flow1 = (await p.store.events(first.id)).find((e) => e.type === 'ActivitySucceeded' && e.step === 'run_flow')!.data.output as { output: string };
    expect(r2.baseline).toBe(flow1.output);
    expect(r2.figures['drifted columns']).toMatch(/^\d+ of \d+$/);
    expect(['drift', 'no_drift']).toContain(r2.drift);
  }, 120_000);

  it('ingest_features creates the group from the first batch and ingests each batch once', async () => {
    const p = await tempProject();
    const lines = readFileSync(join(ROOT, 'examples', 'diabetes', 'diabetic-readmission.csv'), 'utf8').split('\n');
    writeFileSync(join(p.root, 'b1.csv'), [lines[0], ...lines.slice(1, 801)].join('\n') + '\n');
    writeFileSync(join(p.root, 'b2.csv'), [lines[0], ...lines.slice(801, 1601)].join('\n') + '\n');
    copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(p.root, 'main.flow.yaml'));
    const config = { flow: 'main.flow.yaml', name: 'demo', featureGroup: { name: 'encounters', eventTime: 'event_time' } };
    const o = orchestrator(p, builtinActivities(), { config });
    const def = pipeline(
      `start: run_flow\nstates:\n  run_flow: { type: task, activity: run_flow, next: ingest }\n  ingest: { type: task, activity: ingest_features, end: true }\n`,
    );
    const a = await o.start({ file: join(p.root, 'b1.csv') }, { pipeline: def });
    await o.runUntilIdle();
    const b = await o.start({ file: join(p.root, 'b2.csv') }, { pipeline: def });
    await o.runUntilIdle();
    const out = async (id: string) =>
      (await p.store.events(id)).find((e) => e.type === 'ActivitySucceeded' && e.step === 'ingest')?.data.output as Record<string, unknown>;
    expect((await p.store.require(a.id)).status, JSON.stringify((await p.store.require(a.id)).error)).toBe('succeeded');
    expect(await out(a.id)).toMatchObject({ group: 'encounters', created: true, batchId: a.id, status: 'ingested' });
    expect((await out(a.id)).rows).toBeGreaterThan(500);
    expect(await out(b.id)).toMatchObject({ created: false, status: 'ingested', batchId: b.id });
    // The same step again (a retry, or a resume after a crash) writes nothing and answers as the first time.
    const ctx = {
      executionId: a.id,
      step: 'ingest',
      attempt: 2,
      idempotencyKey: `${a.id}:ingest`,
      signal: new AbortController().signal,
      project: p.paths,
      execution: { input: {}, results: {} },
      log: (await import('pino')).default({ level: 'silent' }),
      config,
    };
    // Its input as the pipeline wired it (the run_flow output), read from the history.
    const wired = (await p.store.events(a.id)).find((e) => e.type === 'ActivityScheduled' && e.step === 'ingest')!.data.input;
    expect(wired).toEqual({
      file: ((await p.store.events(a.id)).find((e) => e.type === 'ActivitySucceeded' && e.step === 'run_flow')!.data.output as { output: string }).output,
    });
    expect(await builtinActivities().get('ingest_features')(wired, ctx)).toEqual(await out(a.id));
    // Killed after the effect but before its output was kept: the feature store's batch id still applies it once.
    rmSync(join(stepDir(ctx), 'output.json'));
    expect(await builtinActivities().get('ingest_features')(wired, ctx)).toMatchObject({ status: 'already_ingested', rows: (await out(a.id)).rows });
  }, 120_000);

  it('run_flow without a configured flow fails with a hint, not retried', async () => {
    const p = await tempProject();
    writeFileSync(join(p.root, 'b.csv'), 'a\n1\n');
    const o = orchestrator(p, builtinActivities());
    const ex = await o.start(
      { file: join(p.root, 'b.csv') },
      { pipeline: pipeline(`start: f\nstates:\n  f: { type: task, activity: run_flow, retry: { count: 3 }, end: true }\n`) },
    );
    await o.runUntilIdle();
    expect((await p.store.require(ex.id)).error).toMatchObject({ code: 'RUN_FLOW_NO_FLOW' });
    expect((await p.store.events(ex.id)).filter((e) => e.type === 'ActivityStarted')).toHaveLength(1);
  });
});
