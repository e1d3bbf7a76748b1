import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type Postgres } from '../support/postgres.js';

let server: Postgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describe('a throwaway PostgreSQL cluster for the tests (issue 17, point 6)', () => {
  it('answers on 127.0.0.1, keeps data across a restart, and is removed by stop', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('create table t (id int primary key, v text)');
    await client.query('insert into t values ($1, $2)', [1, 'kept']);
    expect(Number((await client.query('show server_version_num')).rows[0].server_version_num)).toBeGreaterThanOrEqual(150000);
    await client.end();
    server.restart();
    const again = new pg.Client({ connectionString: server.url });
    await again.connect();
    expect((await again.query('select v from t where id = 1')).rows).toEqual([{ v: 'kept' }]);
    await again.end();
  });
});
