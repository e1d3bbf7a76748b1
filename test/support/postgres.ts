import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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
 * The empty cluster every start copies (`cp -a`: 0.15 s of CPU, against 0.5 s for `initdb`), made
 * by `initdb` once per machine, PostgreSQL version and user: in a folder of its own, then renamed
 * into place, so parallel test files never see half of one (the loser of a race removes its own).
 */
function template(bin: string, run: (cmd: string, args: string[]) => void, owner: number | undefined): string {
  const root = join(tmpdir(), `sluice-pg-template-${basename(dirname(bin))}-${process.getuid?.() ?? 0}`);
  const data = join(root, 'data');
  if (existsSync(data)) return data;
  const building = mkdtempSync(`${root}.building-`);
  if (owner !== undefined) chownSync(building, owner, Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  try {
    run('initdb', ['-D', join(building, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    renameSync(building, root);
  } catch (e) {
    if (!existsSync(data)) throw e;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return data;
}

/**
 * Starts a fresh cluster: a copy of the template (`initdb`'s output) in a temporary folder and
 * `pg_ctl start` on a free port of 127.0.0.1, with its socket in that folder, so nothing of the machine's own PostgreSQL is used or
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
  const copy = spawnSync('cp', ['-a', template(bin, run, owner), data], { encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`copying the PostgreSQL template cluster failed (${copy.status}): ${copy.stderr}`);
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
