import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { SLUICE_BIN, SLUICE_RUN_CLI } from './sluiceBin.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** The working directory of the run (default: the test's). */
  cwd?: string;
  /** Variables set for the run, on top of the test's environment. */
  env?: Record<string, string | undefined>;
  /** What the command reads from stdin (default: nothing, as `spawnSync` without input). */
  input?: string;
}

type RunCli = (argv: readonly string[]) => Promise<number>;
let runCli: Promise<RunCli> | undefined;
/** dist/cli/runCli.js through Node's own loader (not Vitest's transform): the modules `sluice` runs. */
function loadRunCli(): Promise<RunCli> {
  runCli ??= (import(/* @vite-ignore */ pathToFileURL(SLUICE_RUN_CLI).href) as Promise<{ runCli: RunCli }>).then((m) => m.runCli);
  return runCli;
}

/** Runs one after another: a run owns the process's cwd, environment, stdout and stderr while it lasts. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `sluice ARGS` with the built CLI (dist/, which the test setup builds) inside this test
 * process, the way test/cli/run.ts `sluiceProcess()` runs it in a child process, without paying
 * a Node start-up and the loading of the CLI and DuckDB for every command. For the run, the
 * process's working directory, environment variables, stdin, stdout and stderr are the run's,
 * and process.exitCode its own; all are put back afterwards, so the next test sees none of it.
 * Runs are serialised. A command that calls process.exit (serve, worker, demo) fails here: such
 * commands, signals, start-up and piping are tested in a child process.
 */
export function runCliInProcess(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const run = queue.then(() => runNow(args, options));
  queue = run.catch(() => undefined);
  return run;
}

async function runNow(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  const run = await loadRunCli();
  const out: string[] = [];
  const err: string[] = [];
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error | null) => void), callback?: (e?: Error | null) => void): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (done) process.nextTick(done);
      return true;
    };
  const saved = {
    cwd: process.cwd(),
    env: new Map(Object.keys(options.env ?? {}).map((k) => [k, process.env[k]])),
    exitCode: process.exitCode,
    exit: process.exit,
    stdin: Object.getOwnPropertyDescriptor(process, 'stdin'),
    stdoutWrite: process.stdout.write,
    stderrWrite: process.stderr.write,
  };
  try {
    if (options.cwd) process.chdir(options.cwd);
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.exitCode = undefined;
    process.exit = ((code?: number) => {
      throw new Error(`sluice ${args.join(' ')} called process.exit(${code ?? ''}) in the test's process: run it with sluiceProcess()`);
    }) as typeof process.exit;
    // As a child process started with spawnSync: its input, else an empty stdin.
    const stdin = Readable.from(options.input ? [Buffer.from(options.input)] : []);
    Object.defineProperty(process, 'stdin', { value: stdin, configurable: true, enumerable: true });
    process.stdout.write = capture(out) as typeof process.stdout.write;
    process.stderr.write = capture(err) as typeof process.stderr.write;
    const code = await run([process.execPath, SLUICE_BIN, ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = saved.stdoutWrite;
    process.stderr.write = saved.stderrWrite;
    if (saved.stdin) Object.defineProperty(process, 'stdin', saved.stdin);
    process.exit = saved.exit;
    process.exitCode = saved.exitCode;
    for (const [k, v] of saved.env) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.chdir(saved.cwd);
  }
}
