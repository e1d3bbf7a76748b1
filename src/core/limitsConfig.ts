/**
 * The bounds of sluice.yaml (issue 13): where input files may come from and how much of them is
 * read, and the HTTP server's timeouts and connection cap. Kept apart from config.ts so each bound is documented where it is defined.
 */
import { z } from 'zod';

const duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/);

export const inputLimitsSchema = z
  .strictObject({
    maxBytes: z.number().int().min(1).default(10 * 1024 ** 3).meta({ description: 'Largest input file an execution starts on (bytes, default 10 GiB).' }),
    readTimeout: duration.default('10m').meta({ description: 'Longest time reading (hashing) an input file may take before it is refused (default 10m).' }),
  })
  .default({ maxBytes: 10 * 1024 ** 3, readTimeout: '10m' })
  .meta({ description: 'Bounds on reading an input file when an execution starts.' });

export const serverLimitsSchema = z
  .strictObject({
    headersTimeout: duration.default('10s').meta({ description: 'A client must send its request headers within this (default 10s); slower connections are closed.' }),
    requestTimeout: duration.default('60s').meta({ description: 'A client must send its whole request within this (default 60s).' }),
    keepAliveTimeout: duration.default('5s').meta({ description: 'An idle kept-alive connection is closed after this (default 5s).' }),
    maxConnections: z.number().int().min(1).default(1000).meta({ description: 'Open connections at most (default 1000); further ones are closed at once, so file descriptors are never exhausted.' }),
  })
  .default({ headersTimeout: '10s', requestTimeout: '60s', keepAliveTimeout: '5s', maxConnections: 1000 })
  .meta({ description: 'Timeouts and the connection cap of the HTTP server.' });

export type InputLimits = z.output<typeof inputLimitsSchema>;
export type ServerLimits = z.output<typeof serverLimitsSchema>;
