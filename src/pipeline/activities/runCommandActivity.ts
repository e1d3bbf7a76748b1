import { spawn } from 'node:child_process';
import { SluiceError } from '../../core/errors.js';
import type { ActivityContext } from './Activity.js';

/**
 * Runs a task's user `command` in the project folder. The input goes as JSON on stdin and in
 * SLUICE_INPUT; SLUICE_EXECUTION_ID, SLUICE_STEP, SLUICE_ATTEMPT and SLUICE_IDEMPOTENCY_KEY let
 * the program make its effect idempotent. A JSON value on the last non-empty stdout line is the
 * output; otherwise the output is `{ stdout }` (last 4 KB). A non-zero exit fails the attempt.
 */
export function runCommandActivity(command: string | string[], input: unknown, ctx: ActivityContext): Promise<unknown> {
  const [file, args, shell] = typeof command === 'string' ? [command, [] as string[], true] : [command[0]!, command.slice(1), false];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: ctx.project.root,
      shell,
      signal: ctx.signal,
      env: {
        ...process.env,
        SLUICE_EXECUTION_ID: ctx.executionId,
        SLUICE_STEP: ctx.step,
        SLUICE_ATTEMPT: String(ctx.attempt),
        SLUICE_IDEMPOTENCY_KEY: ctx.idempotencyKey,
        SLUICE_INPUT: JSON.stringify(input),
        SLUICE_PROJECT: ctx.project.root,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-65_536);
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4096);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(input));
    child.on('error', (e) => {
      reject(
        new SluiceError('COMMAND_FAILED', `command ${JSON.stringify(command)} could not run: ${e.message}`, {
          hint: 'check that the program exists and is executable',
          retryable: (e as NodeJS.ErrnoException).code !== 'ENOENT',
          cause: e,
        }),
      );
    });
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(
          new SluiceError(
            'COMMAND_FAILED',
            `command ${JSON.stringify(command)} exited with ${code ?? signal}${err.trim() ? `: ${err.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
            { hint: 'see the command output; it must exit with 0 on success', retryable: true },
          ),
        );
        return;
      }
      const lastLine = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(lastLine));
      } catch {
        resolve({ stdout: out.slice(-4096) });
      }
    });
  });
}
