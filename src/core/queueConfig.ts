import { z } from 'zod';

const duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/);

/**
 * sluice.yaml `queue`: how activity runs go to workers (`sluice worker`) when the state is on
 * PostgreSQL. The embedded default (SQLite state) has no queue: activities run in `sluice serve`.
 */
export const queueConfigSchema = z
  .strictObject({
    lease: duration.default('30s').meta({
      description:
        'How long a claimed activity run stays claimed without its worker renewing it (renewed every third of it); a dead worker’s runs go to another worker within about 1.25 leases (default 30s).',
    }),
    poll: duration.default('1s').meta({
      description:
        'How often an idle worker looks for runs when no notice came: new runs are announced with PostgreSQL NOTIFY, so this is the fallback (default 1s).',
    }),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(2)
      .meta({ description: 'Activity runs one worker process runs at once (default 2; `sluice worker --concurrency`).' }),
    maxStarts: z.number().int().min(1).max(100_000).default(5).meta({
      description:
        'An attempt started this many times without a result (its process died each time: out of memory, a native crash) fails with ACTIVITY_CRASHED instead of starting again (default 5).',
    }),
  })
  .default({ lease: '30s', poll: '1s', concurrency: 2, maxStarts: 5 })
  .meta({ description: 'Activity runs on workers (`sluice worker`, PostgreSQL state): leases, polling, how many at once.' });

export type QueueConfig = z.output<typeof queueConfigSchema>;
