import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../../core/errors.js';
import { sameSecret } from '../auth/sameSecret.js';
import { parseS3Event, takeS3Object } from '../../pipeline/triggers/s3Events.js';
import { executionJson } from './executions.js';
import type { ServerContext } from '../serverContext.js';

/**
 * `POST /api/s3-events`: S3 event notifications (a webhook target of the bucket). The sender
 * proves itself with the shared secret in `x-sluice-secret`; each created object is fetched and
 * gets an execution.
 */
export function s3EventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/s3-events', async (req, reply) => {
    const cfg = ctx.runtime.project.config.s3Events;
    if (!cfg) throw new SluiceError('S3_EVENTS_DISABLED', 'S3 event notifications are not configured', { httpStatus: 404, hint: 'add s3Events to sluice.yaml' });
    const expected = process.env[cfg.secretEnv];
    const got = req.headers['x-sluice-secret'];
    if (!expected) throw new SluiceError('CONFIG_SECRET_MISSING', `s3Events.secretEnv names ${cfg.secretEnv}, which is not set`, { httpStatus: 503, hint: `export ${cfg.secretEnv}=... for the server` });
    if (!sameSecret(got, expected)) {
      throw new SluiceError('S3_EVENT_UNAUTHORIZED', 'wrong or missing x-sluice-secret', { httpStatus: 401, hint: 'configure the notifier to send the shared secret' });
    }
    const refs = parseS3Event(req.body);
    const out = [];
    for (const ref of refs) {
      const rec = await takeS3Object(ctx.runtime.orchestrator, cfg, ctx.runtime.project.paths.archive, ref, ctx.runtime.project.config.duplicates === 'process');
      out.push({ bucket: ref.bucket, key: ref.key, execution: executionJson(rec) });
    }
    reply.code(out.some((o) => o.execution.status !== 'skipped') ? 201 : 200);
    return { executions: out };
  });
}
