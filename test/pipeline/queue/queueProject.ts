import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluiceArgs } from '../../support/sluiceBin.js';

/**
 * A command task's program with an observable, idempotent effect: it notes that it started
 * (`started.txt`), waits `SLEEP_MS`, then appends its idempotency key to `effects.txt` unless the
 * key is there already, so a re-run after a kill adds nothing.
 */
const EFFECT_JS = `
const fs = require('node:fs');
const key = process.env.SLUICE_IDEMPOTENCY_KEY;
fs.appendFileSync('started.txt', key + ' ' + process.pid + '\\n');
setTimeout(() => {
  const lines = fs.existsSync('effects.txt') ? fs.readFileSync('effects.txt', 'utf8').split('\\n') : [];
  if (!lines.includes(key)) fs.appendFileSync('effects.txt', key + '\\n');
  console.log(JSON.stringify({ key }));
}, Number(process.env.SLEEP_MS || 0));
`;

/** A project on PostgreSQL state whose pipeline is two command tasks (queue `command`). */
export function queueProject(url: string, opts: { lease?: string; poll?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-queue-'));
  writeFileSync(join(dir, 'effect.cjs'), EFFECT_JS);
  writeFileSync(
    join(dir, 'sluice.yaml'),
    `name: queued
stores:
  state: { type: postgres, url: "${url}" }
queue: { lease: ${opts.lease ?? '2s'}, poll: ${opts.poll ?? '100ms'} }
pipeline:
  name: two-steps
  start: first
  states:
    first: { type: task, command: "node effect.cjs", next: second }
    second: { type: task, command: "node effect.cjs", next: done }
    done: { type: succeed, outcome: done }
`,
  );
  return dir;
}

/** A `sluice` child process with its output collected. */
export interface SluiceChild {
  child: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startSluice(args: string[], env: Record<string, string> = {}, cwd?: string): SluiceChild {
  const child = spawn(process.execPath, sluiceArgs(args), {
    cwd: cwd ?? process.cwd(),
    env: { ...process.env, SLUICE_LOG: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, out: () => out, exited };
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
