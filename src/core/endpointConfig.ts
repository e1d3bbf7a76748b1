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
  })
  .default({})
  .meta({ description: 'Access to the real-time endpoint (POST /invocations).' });

export type EndpointConfig = z.output<typeof endpointConfigSchema>;
