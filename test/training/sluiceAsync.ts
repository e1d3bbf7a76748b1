import { spawn } from 'node:child_process';
import type { CliResult } from '../cli/run.js';
import { sluiceArgs } from '../support/sluiceBin.js';

/**
 * Runs the real `sluice` CLI from the TypeScript sources in a child process, like
 * `sluice()` in test/cli/run.ts, but without blocking: independent CLI cases run side by side.
 */
export function sluiceAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, sluiceArgs(args), {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
