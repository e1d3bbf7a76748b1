import { hostname, userInfo } from 'node:os';
import { relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { formatError, SluiceError } from '../core/errors.js';
import { createApprovalToken } from '../pipeline/approvals/approvalTokens.js';
import { decideApproval } from '../pipeline/approvals/decideApproval.js';
import { drawPipeline } from '../pipeline/drawPipeline.js';
import type { ExecutionEvent, RecordedError } from '../pipeline/events.js';
import { loadProject } from '../pipeline/project/loadProject.js';
import { ProjectRuntime } from '../pipeline/project/ProjectRuntime.js';
import type { ExecutionRecord } from '../pipeline/store/ExecutionStore.js';
import type { ReportSummary } from '../pipeline/activities/reportActivity.js';
import { projectAuthGate } from '../server/auth/projectAuthGate.js';
import { createServer } from '../server/createServer.js';
import { prepareDemoProject, type DemoProject } from './demoProject.js';
import { drawExecution, followExecution } from './followExecution.js';
import { freePort } from './freePort.js';
import { dropIntoInbox } from './dropIntoInbox.js';
import { samplePrediction } from './samplePrediction.js';
import { sleep } from './sleep.js';

export interface DemoOptions {
  dir: string;
  /** Decide without a person: approve a batch whose gates pass, reject one whose gates fail. */
  autoApprove: boolean;
  /** 0 for any free port. */
  port: number;
  /** Also drop the drifted batch (default true). */
  drift: boolean;
  /** Seconds of AutoML search per batch (default DEMO_TIME_LIMIT). */
  timeLimit?: number;
  out: (line: string) => void;
  /** Aborted by Ctrl-C: the demo stops and closes everything it opened. */
  signal: AbortSignal;
}

/** Who the demo records as the approver of its own decisions. */
export const AUTO_APPROVER = 'demo --auto-approve';
const HOST = '127.0.0.1';

/**
 * `sluice demo`: the whole job in one command. Creates (or reuses) the demo project, starts the
 * orchestrator, inbox watcher and server, drops the diabetes data into the inbox, follows the
 * execution state by state, waits for the decision (the browser, the CLI, or itself with
 * `autoApprove`), shows the run finishing and a prediction from the endpoint; then drops the
 * drifted batch and shows the drift warning and its rejection. Returns the exit code: 0 when the
 * story ran as told, 1 when a step failed, 130 when stopped by Ctrl-C.
 */
export async function runDemo(o: DemoOptions): Promise<number> {
  const say = o.out;
  const port = await freePort(HOST, o.port);
  const demo = await prepareDemoProject(o.dir, { port, ...(o.timeLimit === undefined ? {} : { timeLimit: o.timeLimit }) });
  const project = loadProject(demo.root);
  const runtime = await ProjectRuntime.open(project, { logger: pino({ level: process.env.SLUICE_LOG ?? 'silent' }), pollMs: 100 });
  let app: FastifyInstance | undefined;
  try {
    await runtime.start({ watch: true });
    // Authentication as `sluice serve` has it: the demo approver signs in with the printed password.
    app = await createServer({ project, runtime, auth: projectAuthGate(project, runtime.state) });
    await app.listen({ host: HOST, port });
    const url = `http://${HOST}:${port}`;
    const consoleUrl = app.hasRoute({ method: 'GET', url: '/' }) ? `${url}/` : undefined;
    intro(say, demo, url, consoleUrl, project.pipeline);
    const first = await runBatch({ o, demo, runtime, url, consoleUrl, file: demo.data.clean, title: '1. A clean batch: the seed data' });
    if (first.record.status !== 'succeeded') return failed(say, first.record, first.events);
    if (first.record.outcome !== 'rejected') {
      const p = await samplePrediction(url, demo.data.clean, o.signal);
      const pred = p.body.predictions?.[0];
      say('');
      say(`Sample prediction: POST ${url}/invocations (text/csv, one record of the seed data)`);
      say(
        `  record: ${Object.entries(p.record)
          .filter(([k]) => k !== 'readmitted')
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      );
      say(
        `  → predicted_label ${JSON.stringify(pred?.predicted_label)}${pred?.labels && pred.probabilities ? `, probabilities ${pred.labels.map((l, i) => `${l}: ${(pred.probabilities![i] ?? 0).toFixed(3)}`).join(', ')}` : ''} (model ${p.body.model ?? '?'} v${p.body.model_version ?? '?'})`,
      );
    }
    if (o.drift) {
      const second = await runBatch({
        o,
        demo,
        runtime,
        url,
        consoleUrl,
        file: demo.data.drift,
        title: '2. A drifted batch: older patients, more lab procedures and medications',
      });
      if (second.record.status !== 'succeeded') return failed(say, second.record, second.events);
    }
    say('');
    say(`Done. Every step above is in the execution history: sluice executions list -p ${shown(demo.root)}`);
    if (o.autoApprove) return 0;
    say(`The server keeps running at ${url} (log in as ${demo.approver.name} / ${demo.approver.password}); Ctrl-C to stop.`);
    await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
    throw new SluiceError('DEMO_STOPPED', 'stopped');
  } catch (e) {
    if (o.signal.aborted) {
      say('');
      say(
        `Stopped. The project stays in ${shown(demo.root)}; run \`sluice demo --dir ${shown(demo.root)}\` again, or \`sluice serve -p ${shown(demo.root)}\`.`,
      );
      return 130;
    }
    throw e;
  } finally {
    await app?.close().catch(() => undefined);
    await runtime.close();
  }
}

function intro(say: (l: string) => void, demo: DemoProject, url: string, consoleUrl: string | undefined, pipeline: Parameters<typeof drawPipeline>[0]): void {
  say(
    demo.created
      ? `Created the demo project in ${shown(demo.root)}: the diabetes recipe, data, quality gates, target readmitted, a demo approver.`
      : `Reusing the demo project in ${shown(demo.root)} (made by \`sluice demo\` on ${demo.createdAt}); its executions and models are kept, the demo approver has a new password.`,
  );
  say('');
  if (consoleUrl) {
    say(`Console:   ${consoleUrl}`);
  } else {
    say(`Sign in:   ${url}/login (this build has no web console yet: sign in to read the reports; decide with the approval link printed below)`);
  }
  say(`Log in as: ${demo.approver.name} / ${demo.approver.password}`);
  say(`API:       ${url}/api/openapi.json`);
  say('');
  say('The pipeline each file goes through:');
  for (const line of drawPipeline(pipeline).split('\n')) say(`  ${line}`);
}

interface BatchContext {
  o: DemoOptions;
  demo: DemoProject;
  runtime: ProjectRuntime;
  url: string;
  consoleUrl: string | undefined;
  file: string;
  title: string;
}

/** Drops one file into the inbox and follows its execution to the end, deciding when asked to. */
async function runBatch(c: BatchContext): Promise<{ record: ExecutionRecord; events: ExecutionEvent[] }> {
  const { o, runtime } = c;
  const say = o.out;
  say('');
  say(c.title);
  const rec = await dropIntoInbox(runtime.store, c.file, runtime.project.paths.inbox, o.signal);
  say(`  dropped ${relative(c.demo.root, c.file)} into inbox/: execution ${rec.id}`);
  // The demo's sluice.yaml says `duplicates: process`: a file an earlier demo run processed is
  // processed again (and its model compared with the champion), not skipped as a duplicate.
  const result = await followExecution({
    store: runtime.store,
    id: rec.id,
    out: say,
    signal: o.signal,
    onApproval: (requested, history) => decide(c, rec.id, requested, history),
  });
  say('');
  for (const line of drawExecution(result.record, result.events).split('\n')) say(`  ${line}`);
  return result;
}

/** The report step's findings as recorded in the history. */
function reportOf(history: readonly ExecutionEvent[]): ReportSummary | undefined {
  const e = [...history].reverse().find((x) => x.type === 'ActivitySucceeded' && x.step?.split('/').pop() === 'report');
  return e?.data.output as ReportSummary | undefined;
}

async function decide(c: BatchContext, executionId: string, requested: ExecutionEvent, history: readonly ExecutionEvent[]): Promise<void> {
  const { o, runtime, demo, url, consoleUrl } = c;
  const say = o.out;
  const report = reportOf(history);
  const failedGates = (report?.gates ?? []).filter((g) => !g.passed);
  if (!o.autoApprove) {
    const expiresAt = Date.parse(String(requested.data.expiresAt));
    const { token } = await createApprovalToken(runtime.state, {
      executionId,
      step: requested.step!,
      approver: demo.approver.name,
      expiresAt: Number.isFinite(expiresAt) ? expiresAt : Date.now() + 86_400_000,
    });
    say(`    Your decision, in the browser: ${url}/approve/${token}`);
    if (consoleUrl) say(`    or in the console (signed in as ${demo.approver.name}): ${consoleUrl}executions/${executionId}`);
    say(`    or at a terminal: sluice approve ${executionId} -p ${shown(demo.root)}  |  sluice reject ${executionId} --reason "..." -p ${shown(demo.root)}`);
    if (failedGates.length > 0 || report?.drift === 'drift') say('    The gates failed: the demo expects you to reject this batch, with a reason.');
    return;
  }
  // Give a watcher a moment to read the waiting state before the decision lands.
  await sleep(300, o.signal);
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    /* no passwd entry */
  }
  const approver = { name: AUTO_APPROVER, role: 'approver' as const };
  const from = `cli ${who}@${hostname()}`;
  if (failedGates.length === 0 && report?.drift !== 'drift') {
    await decideApproval(runtime.store, {
      executionId,
      approver,
      decision: 'approve',
      comment: 'gates pass (decided by sluice demo --auto-approve)',
      ip: from,
    });
  } else {
    const reasons = [
      ...(failedGates.length ? [`quality gates failed: ${failedGates.map((g) => `${g.name}${g.message ? ` (${g.message})` : ''}`).join('; ')}`] : []),
      ...(report?.drift === 'drift' ? ['the batch drifted from the last approved one'] : []),
    ];
    await decideApproval(runtime.store, { executionId, approver, decision: 'reject', reason: reasons.join('; '), ip: from });
  }
  runtime.orchestrator.kick();
}

/** Says why the execution failed: the first step that failed (the others may just be cancelled by it). */
function failed(say: (l: string) => void, rec: ExecutionRecord, events: readonly ExecutionEvent[]): number {
  const cause = events.find((e) => e.type === 'ActivityFailed' && (e.data.error as { code?: string } | undefined)?.code !== 'CANCELLED');
  const err = (cause?.data.error as RecordedError | undefined) ?? rec.error ?? undefined;
  say('');
  say(
    formatError(
      new SluiceError(
        err?.code ?? 'DEMO_EXECUTION_FAILED',
        `execution ${rec.id} ${rec.status}${cause?.step ? ` at ${cause.step}` : ''}${err ? `: ${err.message}` : ''}`,
        {
          hint: err?.hint ?? `see \`sluice executions history ${rec.id}\``,
        },
      ),
    ),
  );
  return 1;
}

function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? `./${r}` : p;
}
