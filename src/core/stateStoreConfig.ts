import { z } from 'zod';

/**
 * `stores.state`: where the shared state (executions, approvals, registries, users, audit)
 * lives. SQLite is the embedded default (the project database file); PostgreSQL lets several
 * processes and machines share it.
 */
export const stateStoreSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('sqlite') }).meta({ description: 'The project database file (.sluice/sluice.db): the embedded default.' }),
    z.strictObject({
      type: z.literal('postgres'),
      url: z.string().min(1).meta({
        description: `postgres://user:password@host:5432/database; \${NAME} is replaced by the environment variable NAME (keep the password there, not in this file).`,
      }),
      pool: z.number().int().min(1).max(1000).optional().meta({ description: 'Connections this process keeps open (default 10).' }),
    }),
  ])
  .meta({
    description:
      'Where executions, approvals, registries, users and the audit live: sqlite (default) or postgres. The environment variable SLUICE_DATABASE_URL, when set, wins.',
  });

export type StateStoreConfig = z.output<typeof stateStoreSchema>;
