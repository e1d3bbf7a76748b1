/**
 * Pipeline benchmark: orchestration overhead per state, and 100 executions of a small file
 * through a whole pipeline with auto-approval. Run: `node --import tsx bench/pipeline/pipelineBench.ts`.
 * Prints a markdown table (copied into docs/benchmarks-pipeline.md).
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { builtinActivities } from '../../src/pipeline/activities/builtinActivities.js';
import { notifyActivity } from '../../src/pipeline/activities/notifyActivity.js';
import { decideApproval, pendingApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { defaultPipeline } from '../../src/pipeline/definition/defaultPipeline.js';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';
import { Orchestrator } from '../../src/pipeline/Orchestrator.js';
import { plan } from '../../src/pipeline/plan.js';
import { projectLayout } from '../../src/core/projectLayout.js';
import { ExecutionStore } from '../../src/pipeline/store/ExecutionStore.js';
import { openProjectDb } from '../../src/state/openProjectDb.js';
import { sqliteStateDb } from '../../src/state/sqliteStateDb.js';
import { fmt, median } from '../lib.js';

const ROOT = join(import.meta.dirname, '..', '..');

async function project() {
  const root = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const paths = projectLayout(root);
  const store = await ExecutionStore.open(sqliteStateDb(openProjectDb(paths.db)));
  return { root, paths, store };
}

async function overheadPerState(): Promise<{ perStateMs: number; cpuPerStateMs: number; planMs: number; events: number }> {
  const states = 20;
  const yaml = `start: s0\nstates:\n${Array.from({ length: states }, (_, i) => `  s${i}: { type: task, activity: noop, ${i === states - 1 ? 'end: true' : `next: s${i + 1}`} }`).join('\n')}\n`;
  const def = parsePipelineYaml(yaml);
  const p = await project();
  const o = new Orchestrator({
    store: p.store,
    activities: builtinActivities({ noop: async () => ({}) }),
    project: p.paths,
    logger: pino({ level: 'silent' }),
    concurrency: 1,
  });
  const runs = 30;
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < runs; i++) {
    await o.start({ n: i }, { pipeline: def });
    await o.runUntilIdle();
  }
  const perStateMs = (performance.now() - t) / (runs * states);
  const c = process.cpuUsage(cpu0);
  const cpuPerStateMs = (c.user + c.system) / 1000 / (runs * states);
  const id = (await p.store.list({ limit: 1 }))[0]!.id;
  const history = await p.store.events(id);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    plan(def, history);
    times.push(performance.now() - s);
  }
  return { perStateMs, cpuPerStateMs, planMs: median(times), events: history.length };
}

async function hundredExecutions(): Promise<{ seconds: number; perExecution: number; ok: number }> {
  const p = await project();
  const csv = readFileSync(join(ROOT, 'examples', 'diabetes', 'diabetic-readmission.csv'), 'utf8').split('\n');
  copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(p.root, 'main.flow.yaml'));
  // Every activity real: flow, report (with its quick model), notify (no mail server configured:
  // recorded, nothing sent), features, AutoML training (a short, capped search per batch),
  // registration and deployment.
  const config = {
    name: 'bench',
    flow: 'main.flow.yaml',
    target: 'readmitted',
    featureGroup: { name: 'encounters', recordIdentifier: 'record_id', eventTime: 'event_time' },
    model: { name: 'readmission', timeLimit: 10, holdout: 0.2, seed: 0, learners: ['gbdt', 'logistic'], maxCandidates: 2, ensemble: false, sampleRate: 0 },
  };
  const notify = notifyActivity(p.store.db, { publicUrl: 'http://127.0.0.1:7300', approvers: [], mailer: undefined, webhooks: [] });
  const activities = builtinActivities({ notify }, { store: p.store });
  const def = defaultPipeline();
  const o = new Orchestrator({
    store: p.store,
    activities,
    project: p.paths,
    logger: pino({ level: 'silent' }),
    concurrency: availableParallelism(),
    pipeline: def,
    config: config as never,
    pollMs: 10,
  });
  for (let i = 0; i < 100; i++) {
    const rows = csv.slice(1 + i * 200, 1 + (i + 1) * 200);
    writeFileSync(join(p.root, `batch-${i}.csv`), [csv[0], ...rows].join('\n') + '\n');
  }
  const t = performance.now();
  o.startLoop();
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) ids.push((await o.startFile(join(p.root, `batch-${i}.csv`))).id);
  let done = 0;
  while (done < 100) {
    done = 0;
    for (const id of ids) {
      const r = await p.store.require(id);
      if (r.status === 'waiting' && pendingApproval(await p.store.events(id))) {
        await decideApproval(p.store, {
          executionId: id,
          approver: { name: 'auto', role: 'approver' },
          decision: 'approve',
          comment: 'auto-approved (benchmark)',
        });
        o.kick();
      }
      if (r.status === 'succeeded' || r.status === 'failed') done++;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t) / 1000;
  await o.stop();
  return { seconds, perExecution: (seconds * 1000) / 100, ok: ids.filter(async (id) => (await p.store.require(id)).status === 'succeeded').length };
}

const a = await overheadPerState();
const b = await hundredExecutions();
const load = (await import('node:os')).loadavg()[0]!;
process.stdout.write(`| measure | value |
|---|---|
| orchestration overhead per state (20 no-op task states, 30 executions, SQLite WAL): wall | ${fmt(a.perStateMs, 2)} ms |
| same, CPU time of the process | ${fmt(a.cpuPerStateMs, 2)} ms |
| planning one decision from a ${a.events}-event history (median of 200) | ${fmt(a.planMs, 3)} ms |
| 100 executions of 200-row files through the default pipeline, every activity real (flow, report, notify, features, AutoML capped at 2 candidates, register, deploy), auto-approval, concurrency ${availableParallelism()} | ${fmt(b.seconds, 1)} s (${fmt(b.perExecution, 0)} ms each), ${b.ok}/100 succeeded |
| machine | ${availableParallelism()} cores, load average ${fmt(load, 1)} during the run |
`);
