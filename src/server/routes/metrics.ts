import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { contract } from '../openapi/routeContract.js';
import type { ServingMetrics } from '../endpoint/ServingMetrics.js';
import { processMetricsText } from '../endpoint/processMetrics.js';

export interface MetricsRoutesOptions {
  metrics: ServingMetrics;
  /** Add the process and runtime metrics (CPU, memory, event loop, GC, heap); default true. */
  processMetrics?: boolean;
}

/**
 * `GET /metrics` in the Prometheus text exposition format (requests, errors and latency per
 * model version, records predicted, plus whatever collectors other modules added), followed by
 * the process and runtime metrics (see {@link processMetricsText}).
 */
export async function metricsRoutes(app: FastifyInstance, opts: MetricsRoutesOptions): Promise<void> {
  app.get(
    '/metrics',
    contract({
      ok: {
        200: {
          description: 'Prometheus text exposition format 0.0.4',
          content: {
            'text/plain': z
              .string()
              .meta({ examples: ['# HELP sluice_requests_total Requests by model version and status.\n# TYPE sluice_requests_total counter\n'] }),
          },
        },
      },
      errors: {},
    }),
    async (_req, reply) => {
      const body = opts.metrics.render() + (opts.processMetrics === false ? '' : await processMetricsText());
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(body);
    },
  );
}
