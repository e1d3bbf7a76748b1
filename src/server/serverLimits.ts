import type { ServerLimits } from '../core/limitsConfig.js';
import { durationMs } from '../pipeline/definition/duration.js';

/**
 * Fastify options from sluice.yaml `server.limits`: a client must send its headers within
 * `headersTimeout` and its request within `requestTimeout`, an idle kept-alive connection closes
 * after `keepAliveTimeout`, and connections beyond `maxConnections` are closed as they arrive.
 * Node checks the timeouts every `checkMs` (a tenth of the headers timeout, at least 100 ms).
 * So idle or slow clients cannot hold the server's file descriptors, and once they are cut,
 * `/ping` and the inbox work again.
 *
 * @example
 * const app = Fastify({ ...fastifyLimits(config.server.limits) });
 * app.server.maxConnections = config.server.limits.maxConnections;
 */
export function fastifyLimits(limits: ServerLimits): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
} {
  const requestTimeout = durationMs(limits.requestTimeout);
  // Node requires headersTimeout <= requestTimeout.
  const headersTimeout = Math.min(durationMs(limits.headersTimeout), requestTimeout);
  const keepAliveTimeout = durationMs(limits.keepAliveTimeout);
  const connectionsCheckingInterval = Math.max(100, Math.min(30_000, Math.round(headersTimeout / 10)));
  return { requestTimeout, keepAliveTimeout, http: { headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval } };
}
