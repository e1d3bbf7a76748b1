import { spawnSync } from 'node:child_process';
import { type CliRunOptions, runCliInProcess } from '../support/runCliInProcess.js';
import { sluiceArgs } from '../support/sluiceBin.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `sluice` CLI (the built dist/) in this test's process
 * (test/support/runCliInProcess.ts): for what a command does, its output, exit code and files.
 */
export function sluice(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  return runCliInProcess(args, options);
}

/**
 * Runs the real `sluice` command (the built bin/sluice.js) in a child process: for what only a
 * process shows (start-up, stdin piping, exit on its own) and one smoke test per command family.
 */
export function sluiceProcess(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, sluiceArgs(args), {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env, NODE_OPTIONS: '' },
    input: options.input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A user-facing failure: an error line with a code, a hint, and no stack trace. */
export function expectCleanError(r: CliResult, code: string): void {
  if (r.code === 0) throw new Error(`expected failure, got success: ${r.stdout}`);
  if (!r.stderr.includes(`error[${code}]`)) throw new Error(`expected error[${code}] in stderr:\n${r.stderr}`);
  if (!r.stderr.includes('hint:')) throw new Error(`expected a hint in stderr:\n${r.stderr}`);
  if (/\n\s+at .*\(.*:\d+:\d+\)/.test(r.stderr) || r.stderr.includes('node:internal')) throw new Error(`stack trace in stderr:\n${r.stderr}`);
}
