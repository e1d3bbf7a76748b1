import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { type Postgres, startPostgres } from './postgres.js';

/**
 * A throwaway cluster for one test file: started before its tests (beforeAll), stopped and removed
 * after them (afterAll). Call it at the file's top level; its members work inside the tests.
 *
 * @example
 * const server = usePostgres();
 * it('...', async () => { const url = await createDatabase(server, 'killed'); ... });
 */
export function usePostgres(): Postgres {
  let cluster: Postgres | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  const started = (): Postgres => {
    if (!cluster) throw new Error('usePostgres: the cluster starts in beforeAll; use it inside the tests');
    return cluster;
  };
  return {
    get url() {
      return started().url;
    },
    get port() {
      return started().port;
    },
    restart: () => started().restart(),
    stop: async () => {
      await cluster?.stop();
      cluster = undefined;
    },
  };
}

/** Creates database `name` (lower-case letters, digits and _) on the cluster; returns its URL. */
export async function createDatabase(server: Pick<Postgres, 'url'>, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`createDatabase: "${name}" is not a plain lower-case identifier`);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}
