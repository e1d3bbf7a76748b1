// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../../src/demo/freePort.js';
import { diabetesCsv } from '../support/data.js';
import { runCliInProcess } from '../support/runCliInProcess.js';

export { diabetesCsv };
import { SLUICE_BIN } from '../support/sluiceBin.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = SLUICE_BIN;

/** Runs the built CLI (dist/) in `cwd`, in this process (test/support/runCliInProcess.ts). */
export function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliInProcess(args, { cwd, env });
}

/** Runs the `sluice` command (bin/sluice.js) in `cwd` in a child process: runs side by side with others. */
export function cliAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((r) => child.once('exit', (code) => r({ code: code ?? -1, stdout, stderr })));
}

/** A new project (`sluice init`) with the diabetes flow and a 400-row batch `b.csv`; extra sluice.yaml lines appended. */
export async function newProject(extraYaml = ''): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ops-'));
  const init = await cli(dir, ['init', '.']);
  if (init.code !== 0) throw new Error(init.stderr);
  copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(dir, 'diabetes.flow.yaml'));
  writeFileSync(join(dir, 'b.csv'), diabetesCsv(400));
  if (extraYaml) writeFileSync(join(dir, 'sluice.yaml'), `${readFileSync(join(dir, 'sluice.yaml'), 'utf8')}\n${extraYaml}\n`);
  return dir;
}

const TRAIN = ['train', 'b.csv', '-t', 'readmitted', '--flow', 'diabetes.flow.yaml', '-o', 'trained', '--time-limit', '60', '--max-candidates', '3'];

/** `sluice train`'s output in a project as {@link newProject} makes it, trained once per test process. */
let trainedOnce: Promise<{ project: string; trained: string }> | undefined;

/**
 * Trains on b.csv (an iteration budget: 3 candidates, the time limit only a ceiling), registers the
 * model approved and makes it champion, with the CLI. `sluice train` reads only its batch and flow
 * (no project settings), writes only its output folder, and from the same files trains the same
 * model (the same model.json; the fitted flow differs in its fittedAt): where b.csv and the flow
 * are still those {@link newProject} wrote, that folder is a copy (`cp -a`) of the one trained
 * first in this process (0.85 CPU-s a training).
 */
export async function trainChampion(dir: string): Promise<void> {
  trainedOnce ??= (async () => {
    const project = await newProject();
    const r = await cli(project, TRAIN);
    if (r.code !== 0) throw new Error(`sluice ${TRAIN.join(' ')}: ${r.stderr}`);
    return { project, trained: join(project, 'trained') };
  })();
  const first = await trainedOnce;
  const same = ['b.csv', 'diabetes.flow.yaml'].every((f) => readFileSync(join(dir, f), 'utf8') === readFileSync(join(first.project, f), 'utf8'));
  const copied = same && !existsSync(join(dir, 'trained')) && spawnSync('cp', ['-a', first.trained, join(dir, 'trained')]).status === 0;
  for (const args of [
    ...(copied ? [] : [TRAIN]),
    ['models', 'register', 'readmission', 'trained/model', '--status', 'approved'],
    ['models', 'promote', 'readmission', '1'],
  ]) {
    const r = await cli(dir, args);
    if (r.code !== 0) throw new Error(`sluice ${args.join(' ')}: ${r.stderr}`);
  }
}

export interface Served {
  base: string;
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts `sluice serve` (built CLI) on a free port and waits until /ping names a loaded model (or, with `model: false`, answers). */
export async function serve(dir: string, opts: { env?: Record<string, string>; model?: boolean } = {}): Promise<Served> {
  const port = await freePort('127.0.0.1', 0);
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--log-format', 'json'], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '', SLUICE_LOG: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sluice serve exited: ${out}`);
    const ping = await fetch(`${base}/ping`)
      .then(async (r) => ({ status: r.status, body: await r.text() }))
      .catch(() => undefined);
    if (ping && (opts.model === false || ping.status === 200)) break;
    if (Date.now() > deadline) throw new Error(`sluice serve did not come up: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    child,
    log: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** POSTs CSV records to /invocations; the status and parsed body. */
export async function predict(base: string, csv: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  return { status: r.status, body: await r.json() };
}

/** Waits until `cond` holds (polled every 100 ms), or fails naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Makes the project's pipeline the single step run_flow, and disk-full pauses short (retry 300 ms, at most 1 s). */
export function useRunFlowPipeline(dir: string): void {
  writeFileSync(
    join(dir, 'pipelines.yaml'),
    'name: ops\nstart: run_flow\nstates:\n  run_flow: { type: task, activity: run_flow, input: { file: $.input.file }, next: done }\n  done: { type: succeed, outcome: transformed }\n',
  );
  writeFileSync(
    join(dir, 'sluice.yaml'),
    readFileSync(join(dir, 'sluice.yaml'), 'utf8')
      .replace(/^pipeline: default$/m, 'pipeline: pipelines.yaml')
      .replace(/^diskFull:\n(?: {2}.*\n)+/m, 'diskFull: { retry: 300ms, maxRetry: 1s }\n'),
  );
}

/** The rows of `sql` on the project's SQLite state (.sluice/sluice.db), opened read-only for this one query. */
export function stateRows<T>(dir: string, sql: string): T[] {
  const d = new Database(join(dir, '.sluice', 'sluice.db'), { readonly: true });
  try {
    return d.prepare(sql).all() as T[];
  } finally {
    d.close();
  }
}

/** An execution's history as `sluice executions history ID --json` prints it. */
export async function historyOf(dir: string, id: string): Promise<Array<{ type: string; step?: string; data: Record<string, unknown> }>> {
  return JSON.parse((await cli(dir, ['executions', 'history', id, '--json'])).stdout);
}
