import type { FastifyInstance } from 'fastify';
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
  app.get('/metrics', async (_req, reply) => {
    const body = opts.metrics.render() + (opts.processMetrics === false ? '' : await processMetricsText());
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(body);
  });
}
