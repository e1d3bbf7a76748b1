import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SLUICE_BIN } from './sluiceBin.js';

/** A `sluice serve --role endpoint` child process, listening. */
export interface EndpointProcess {
  /** `http://127.0.0.1:PORT` */
  base: string;
  pid: number;
  /** Every JSON log line it has written to stdout so far (lines that are not JSON are left out). */
  lines: Array<Record<string, unknown>>;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
}

/**
 * `sluice serve --role endpoint ARGS --port 0 --log-format json` in the project `dir` (the built
 * CLI), resolved once it logs the address it serves at; rejected, with its stderr, when it exits
 * before. ARGS are options such as `--workers 2`; `env` is added to its environment (e.g.
 * SLUICE_DATABASE_URL).
 */
export async function startEndpoint(dir: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<EndpointProcess> {
  const child = spawn(process.execPath, [SLUICE_BIN, 'serve', '--role', 'endpoint', ...args, '--port', '0', '--log-format', 'json'], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const lines: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const base = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (l) => {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(l) as Record<string, unknown>;
      } catch {
        return; // not a log line
      }
      lines.push(o);
      if (typeof o.msg === 'string' && o.msg.startsWith('sluice endpoint serving')) res(String(o.address));
    });
    void exited.then((code) => rej(new Error(`sluice serve --role endpoint ${args.join(' ')} exited with ${code}: ${stderr}`)));
  });
  return { base, pid: child.pid!, lines, exited };
}
