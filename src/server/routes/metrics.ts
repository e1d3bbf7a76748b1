import type { FastifyInstance } from 'fastify';
import type { ServingMetrics } from '../endpoint/ServingMetrics.js';

export interface MetricsRoutesOptions {
  metrics: ServingMetrics;
}

/**
 * `GET /metrics` in the Prometheus text exposition format (requests, errors and latency per
 * model version, records predicted, plus whatever collectors other modules added).
 */
export async function metricsRoutes(app: FastifyInstance, opts: MetricsRoutesOptions): Promise<void> {
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(opts.metrics.render()));
}
