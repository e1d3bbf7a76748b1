/**
 * The bounds of sluice.yaml (issue 13): where input files may come from and how much of them is
 * read, and the HTTP server's timeouts and connection cap. Kept apart from config.ts so each bound is documented where it is defined.
 */
import { z } from 'zod';

const duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/);

export const inputLimitsSchema = z
  .strictObject({
    maxBytes: z
      .number()
      .int()
      .min(1)
      .default(10 * 1024 ** 3)
      .meta({ description: 'Largest input file an execution starts on (bytes, default 10 GiB).' }),
    readTimeout: duration.default('10m').meta({ description: 'Longest time reading (hashing) an input file may take before it is refused (default 10m).' }),
  })
  .default({ maxBytes: 10 * 1024 ** 3, readTimeout: '10m' })
  .meta({ description: 'Bounds on reading an input file when an execution starts.' });

export const serverLimitsSchema = z
  .strictObject({
    headersTimeout: duration
      .default('10s')
      .meta({ description: 'A client must send its request headers within this (default 10s); slower connections are closed.' }),
    requestTimeout: duration.default('60s').meta({ description: 'A client must send its whole request within this (default 60s).' }),
    keepAliveTimeout: duration.default('5s').meta({ description: 'An idle kept-alive connection is closed after this (default 5s).' }),
    maxConnections: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .meta({ description: 'Open connections at most (default 1000); further ones are closed at once, so file descriptors are never exhausted.' }),
  })
  .default({ headersTimeout: '10s', requestTimeout: '60s', keepAliveTimeout: '5s', maxConnections: 1000 })
  .meta({ description: 'Timeouts and the connection cap of the HTTP server.' });

export const diskFullSchema = z
  .strictObject({
    retry: duration
      .default('5s')
      .meta({ description: 'A step paused because the disk was full is tried again after this (default 5s), doubling each time it is still full.' }),
    maxRetry: duration.default('5m').meta({ description: 'Longest wait between two tries of a paused step (default 5m).' }),
  })
  .default({ retry: '5s', maxRetry: '5m' })
  .meta({ description: 'What an execution does when the disk is full (ENOSPC, SQLITE_FULL): it pauses and is tried again with backoff.' });

export type InputLimits = z.output<typeof inputLimitsSchema>;
export type ServerLimits = z.output<typeof serverLimitsSchema>;
