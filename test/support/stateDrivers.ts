import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openProjectDb } from '../../src/state/openProjectDb.js';
import { postgresStateDb } from '../../src/state/postgresStateDb.js';
import { sqliteStateDb } from '../../src/state/sqliteStateDb.js';
import type { StateDb } from '../../src/state/StateDb.js';
import { startPostgres, type Postgres } from './postgres.js';

/**
 * The two drivers of StateDb, for conformance suites: `describe.each(stateDrivers)` and, in the
 * suite, `beforeAll(driver.start)`, `afterAll(driver.stop)`, `const db = await driver.fresh()`.
 * Each `fresh()` is an empty database: a new SQLite file, or a new database in a throwaway
 * PostgreSQL cluster started once per test file (never a skip: a missing PostgreSQL fails).
 */
export interface StateDriver {
  name: 'sqlite' | 'postgres';
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** An empty state database; closed by `stop`. */
  fresh: () => Promise<StateDb>;
  /** The URL of the last fresh PostgreSQL database (postgres only), for a second connection or a process. */
  url: () => string;
  /** The PostgreSQL server (postgres only), to restart it in fault tests. */
  server: () => Postgres;
}

function sqliteDriver(): StateDriver {
  let dir = '';
  let n = 0;
  const open: StateDb[] = [];
  return {
    name: 'sqlite',
    start: async () => {
      dir = mkdtempSync(join(tmpdir(), 'sluice-state-'));
    },
    stop: async () => {
      for (const db of open.splice(0)) await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
    fresh: async () => {
      const db = sqliteStateDb(openProjectDb(join(dir, `state-${++n}.db`)));
      open.push(db);
      return db;
    },
    url: () => {
      throw new Error('the sqlite driver has no URL');
    },
    server: () => {
      throw new Error('the sqlite driver has no server');
    },
  };
}

function postgresDriver(): StateDriver {
  let server: Postgres | undefined;
  let n = 0;
  let last = '';
  const open: StateDb[] = [];
  return {
    name: 'postgres',
    start: async () => {
      server = await startPostgres();
    },
    stop: async () => {
      for (const db of open.splice(0)) await db.close().catch(() => {});
      await server?.stop();
    },
    fresh: async () => {
      if (!server) throw new Error('start the postgres driver first (beforeAll(driver.start))');
      const name = `state_${++n}`;
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      last = server.url.replace(/\/postgres$/, `/${name}`);
      const db = await postgresStateDb(last, { connectRetryMs: 20_000 });
      open.push(db);
      return db;
    },
    url: () => last,
    server: () => {
      if (!server) throw new Error('start the postgres driver first');
      return server;
    },
  };
}

export const stateDrivers: StateDriver[] = [sqliteDriver(), postgresDriver()];
