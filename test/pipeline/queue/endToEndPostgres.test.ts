// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (API answers, log lines); a wrong shape fails its assertions
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/demo/freePort.js';
import { usePostgres } from '../../support/usePostgres.js';
import { sluiceArgs } from '../../support/sluiceBin.js';
import { type SluiceChild, startSluice } from './queueProject.js';

/**
 * Issue 17's "Done when", with the built CLI only, as an operator would do it by hand
 * (docs/deployment.md, "Try it"): `sluice init`, the diabetes recipe and gates, `stores.state:
 * postgres`, a user and an API token made with the CLI, one `sluice serve --no-work` and two
 * `sluice worker` processes started at the same moment (as compose or systemd start them), the
 * diabetes batch dropped into the inbox, the approval decided through the REST API with the
 * token, and the execution followed to the champion and a prediction.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'diabetes');
const BATCH = join(EXAMPLE, 'diabetic-readmission.csv');
/** The steps of the default pipeline that are activities (as named in the history). */
const ACTIVITY_STEPS = ['run_flow', 'report', 'notify', 'build/ingest_features', 'build/train', 'register_model', 'deploy'];
/** Generous: the machine running the suite may be shared and loaded many times over. */
const WAIT_MS = 600_000;

const run = promisify(execFile);
/** A one-shot `sluice` command (init, users, tokens): its output, or a failure naming the command and its stderr. */
async function sluice(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, sluiceArgs(args), { cwd, env: { ...process.env, SLUICE_LOG: 'warn' }, timeout: 120_000 });
    return stdout;
  } catch (e) {
    const x = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`sluice ${args.join(' ')} failed: ${x.message}\n${x.stderr ?? ''}${x.stdout ?? ''}`);
  }
}

const server = usePostgres();

describe('issue 17, done when: sluice init + stores.state postgres + two sluice workers + sluice serve --no-work run the demo batch from inbox to champion', () => {
  it('the batch goes inbox → approval (decided with an API token) → features, model, champion → prediction; every activity on a worker, each effect once', async () => {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE sluice');
    await admin.end();
    const stateUrl = server.url.replace(/\/postgres$/, '/sluice');

    const work = mkdtempSync(join(tmpdir(), 'sluice-e2e-pg-'));
    const dir = join(work, 'project');
    const procs: Array<{ name: string; p: SluiceChild }> = [];
    try {
      // 1. The project, as a person makes it.
      await sluice(['init', dir], work);
      copyFileSync(join(EXAMPLE, 'diabetes.flow.yaml'), join(dir, 'flows', 'main.flow.yaml'));
      copyFileSync(join(EXAMPLE, 'diabetes.gates.yaml'), join(dir, 'gates.yaml'));
      const port = await freePort('127.0.0.1', 0);
      const base = `http://127.0.0.1:${port}`;
      const doc = parseDocument(readFileSync(join(dir, 'sluice.yaml'), 'utf8'));
      doc.setIn(['stores', 'state'], doc.createNode({ type: 'postgres', url: stateUrl }));
      // The demo's training settings: a short AutoML search (test/demo/demo.test.ts uses 8 s too).
      doc.setIn(['model', 'timeLimit'], 8);
      doc.setIn(['queue'], doc.createNode({ lease: '30s', poll: '500ms', concurrency: 2, maxStarts: 5 }));
      doc.setIn(['stabilityMs'], 300);
      doc.setIn(['server', 'port'], port);
      doc.setIn(['server', 'publicUrl'], base);
      writeFileSync(join(dir, 'sluice.yaml'), doc.toString());
      await sluice(['users', 'add', 'ana', '--role', 'approver', '--no-password', '-p', dir], work);
      const token = (await sluice(['tokens', 'create', '--user', 'ana', '--name', 'e2e', '--expires', '1d', '-p', dir], work)).trim();
      expect(token).toMatch(/^sluice_\S+$/);

      // 2. serve (no work) and two workers, started together on the fresh database.
      const json = ['--log-format', 'json'];
      procs.push({ name: 'serve', p: startSluice(['serve', '--no-work', '-p', dir, ...json], {}, dir) });
      procs.push({ name: 'worker-1', p: startSluice(['worker', '-p', dir, ...json], {}, dir) });
      procs.push({ name: 'worker-2', p: startSluice(['worker', '-p', dir, ...json], {}, dir) });
      const exited = new Map<string, { code: number | null; signal: NodeJS.Signals | null }>();
      for (const { name, p } of procs) void p.exited.then((r) => exited.set(name, r));

      const api = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> => {
        const res = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
        return { status: res.status, body: await res.json().catch(() => null) };
      };
      /** The last lines of every process, for a failure's message. */
      const tails = () =>
        procs
          .map(
            ({ name, p }) =>
              `--- ${name}${exited.has(name) ? ` (exited ${JSON.stringify(exited.get(name))})` : ''}:\n${p.out().split('\n').slice(-15).join('\n')}`,
          )
          .join('\n');
      const waitFor = async <T>(what: string, check: () => Promise<T | undefined>, state: () => Promise<unknown> = async () => ''): Promise<T> => {
        const deadline = Date.now() + WAIT_MS;
        for (;;) {
          // Every process must stay up for the whole story: one that exits is the failure.
          if (exited.size > 0) throw new Error(`a process exited while waiting for ${what}\n${tails()}`);
          const got = await check().catch(() => undefined);
          if (got !== undefined) return got;
          if (Date.now() > deadline)
            throw new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what}: ${JSON.stringify(await state().catch(String))}\n${tails()}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      };
      await waitFor('sluice serve to listen', async () => ((await fetch(`${base}/ping`)).status > 0 ? true : undefined));
      await waitFor('both workers to take runs', async () =>
        procs.slice(1).every(({ p }) => p.out().includes('sluice worker taking runs')) ? true : undefined,
      );

      // 3. The batch arrives the way a careful producer writes it: a partial name, then a rename.
      copyFileSync(BATCH, join(dir, 'inbox', 'diabetic-readmission.csv.part'));
      renameSync(join(dir, 'inbox', 'diabetic-readmission.csv.part'), join(dir, 'inbox', 'diabetic-readmission.csv'));
      const id = await waitFor('the inbox watcher (in sluice serve) to start an execution', async () => {
        const r = await api('/api/executions');
        return r.body?.executions?.[0]?.id as string | undefined;
      });
      const current = async () => (await api(`/api/executions/${id}`)).body;
      await waitFor(
        'the approval to be requested',
        async () => ((await api('/api/approvals')).body?.approvals ?? []).find((a: any) => a.executionId === id),
        current,
      );
      const decided = await api(`/api/executions/${id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ comment: 'gates pass; approved in the end-to-end test' }),
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      expect(decided.body).toMatchObject({ decision: 'approved', by: 'ana', executionId: id });
      const done = await waitFor(
        'the execution to end',
        async () => {
          const r = await current();
          return ['succeeded', 'failed', 'skipped'].includes(r?.status) ? r : undefined;
        },
        current,
      );
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
      expect(done.outcome).toBe('deployed');
      expect(done.input.trigger).toBe('inbox');

      // 4a. Every activity ran on a worker: its start is logged by the process that recorded it.
      const history: any[] = (await api(`/api/executions/${id}/history`)).body.events;
      expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1));
      const lines = (p: SluiceChild) =>
        p
          .out()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l));
      const [serve, ...workers] = procs.map(({ p }) => lines(p));
      const startedBy = new Map<number, number>();
      workers.forEach((log, w) => {
        for (const l of log!) if (l.executionId === id && l.event === 'ActivityStarted') startedBy.set(l.seq, w);
      });
      const starts = history.filter((e) => e.type === 'ActivityStarted');
      expect(new Set(starts.map((e) => e.step))).toEqual(new Set(ACTIVITY_STEPS));
      for (const e of starts) expect(startedBy.has(e.seq), `${e.step} (seq ${e.seq}) was started by a worker`).toBe(true);
      expect(serve!.filter((l) => l.event === 'ActivityStarted' || l.event === 'ActivitySucceeded')).toEqual([]);
      // ... while serve took the file and orchestrated: it recorded the approval and the end.
      expect(serve!.some((l) => l.executionId === id && l.msg === 'execution started')).toBe(true);
      expect(serve!.some((l) => l.executionId === id && l.event === 'ApprovalRequested')).toBe(true);
      expect(serve!.some((l) => l.executionId === id && l.event === 'ExecutionSucceeded')).toBe(true);

      // 4b. Each effect once: one result per activity, one feature batch, one model version, one promotion.
      const output: Record<string, any> = {};
      for (const step of ACTIVITY_STEPS) {
        const ok = history.filter((e) => e.type === 'ActivitySucceeded' && e.step === step);
        expect(ok, step).toHaveLength(1);
        output[step] = ok[0].data.output;
      }
      expect(history.filter((e) => e.type === 'ApprovalDecided')).toHaveLength(1);
      const group = (await api('/api/features/groups/encounters')).body;
      expect(group.offline.batches).toBe(1);
      expect(output['build/ingest_features']).toMatchObject({ batchId: id, status: 'ingested' });
      expect(group.offline.rows).toBe(output['build/ingest_features'].rows - output['build/ingest_features'].duplicatesDropped);
      expect(group.offline.rows).toBe(readFileSync(BATCH, 'utf8').trim().split('\n').length - 1);
      const model = (await api('/api/models/readmission')).body;
      expect(model.versions).toHaveLength(1);
      expect(model.aliases).toEqual({ champion: 1 });
      expect(model.versions[0].lineage.trainingBatch.executionId).toBe(id);
      const changes: any[] = (await api('/api/models/readmission/history')).body.history;
      expect(changes.filter((c) => c.kind === 'registered')).toHaveLength(1);
      expect(changes.filter((c) => c.kind === 'alias').map((c) => [c.alias, c.to, c.by])).toEqual([['champion', '1', `pipeline:${id}`]]);
      expect(output.deploy).toMatchObject({ decision: 'champion', version: 1 });

      // 4c. The endpoint of sluice serve answers with the champion (it follows the shared registry).
      const [header, row] = readFileSync(BATCH, 'utf8').split('\n', 2);
      const predicted = await waitFor('the endpoint to answer with version 1', async () => {
        const res = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: `${header}\n${row}\n` });
        const body = (await res.json()) as any;
        return res.status === 200 && body.model_version === '1' ? body : undefined;
      });
      expect(predicted.model).toBe('readmission');
      expect(predicted.predictions).toHaveLength(1);
      expect(predicted.labels ?? predicted.predictions[0].labels).toContain(String(predicted.predictions[0].predicted_label));

      // 5. SIGTERM stops each process cleanly.
      for (const { p } of procs) p.child.kill('SIGTERM');
      const codes = await Promise.all(procs.map(({ p }) => p.exited));
      expect(codes.map((c) => c.code)).toEqual([0, 0, 0]);
    } finally {
      for (const { p } of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      await Promise.all(
        procs.map(({ p }) =>
          Promise.race([
            p.exited,
            new Promise((r) => setTimeout(r, 30_000)).then(() => {
              p.child.kill('SIGKILL');
              return p.exited;
            }),
          ]),
        ),
      );
      rmSync(work, { recursive: true, force: true });
    }
  }, 1_500_000);
});
