import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/demo/freePort.js';

/** A throwaway PostgreSQL cluster on 127.0.0.1, for one test file. */
export interface Postgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication, local only). */
  url: string;
  port: number;
  /** Stops the server (fast shutdown) and removes the cluster's folder. */
  stop: () => Promise<void>;
  /** Restarts the server on the same port and data (for fault tests). */
  restart: () => void;
}

/** The binaries of Debian's newest installed PostgreSQL (`apt-get install postgresql`, as .ci/run does). */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length)
    throw new Error('PostgreSQL is not installed: run `apt-get install postgresql` (.ci/run does); the tests that need it fail rather than skip');
  return join(root, versions[0]!, 'bin');
}

/**
 * Starts a fresh cluster: `initdb` into a temporary folder and `pg_ctl start` on a free port of
 * 127.0.0.1, with its socket in that folder, so nothing of the machine's own PostgreSQL is used or
 * touched. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the Debian
 * package creates.
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  if (owner !== undefined) chownSync(dir, owner, Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort('127.0.0.1', 0);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: () => {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      start();
    },
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
