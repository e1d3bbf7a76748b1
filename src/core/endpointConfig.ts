/**
 * sluice.yaml `endpoint:` (issue 13): optional bearer-token authentication and a rate limit for
 * `POST /invocations`. `/ping`, `/health` and `/metrics` stay open (load balancers, Prometheus).
 */
import { z } from 'zod';

export const endpointAuthSchema = z
  .strictObject({
    tokens: z
      .array(z.string().min(16))
      .optional()
      .meta({ description: 'Bearer tokens accepted on POST /invocations (16 characters at least). Prefer tokenEnv: sluice.yaml is often committed.' }),
    tokenEnv: z.string().min(1).optional().meta({ description: 'Environment variable holding the accepted tokens, separated by commas or whitespace.' }),
  })
  .meta({ description: 'Require `Authorization: Bearer <token>` on POST /invocations; 401 otherwise.' });

export const endpointRateLimitSchema = z
  .strictObject({
    perSecond: z.number().positive().meta({ description: 'Requests per second each caller (token, or client address without auth) may make on average.' }),
    burst: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Requests a caller may make at once before the average applies (default: perSecond, at least 1).' }),
  })
  .meta({ description: 'Token-bucket rate limit of POST /invocations per caller; 429 with Retry-After beyond it.' });

export const endpointConfigSchema = z
  .strictObject({
    auth: endpointAuthSchema.optional(),
    rateLimit: endpointRateLimitSchema.optional(),
    followMs: z.number().int().min(100).max(600_000).default(1000).meta({
      description:
        'How often (ms) each endpoint process reads the registry for a new champion made by another process (the CLI, a worker, another machine). A promotion is served by every replica at most this long after it commits, plus the time to load the model (docs/deployment.md).',
    }),
  })
  .default({ followMs: 1000 })
  .meta({ description: 'Access to the real-time endpoint (POST /invocations).' });

export type EndpointConfig = z.output<typeof endpointConfigSchema>;
