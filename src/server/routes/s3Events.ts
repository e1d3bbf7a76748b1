import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SluiceError, isSluiceError } from '../../core/errors.js';
import { hasSecret } from '../../pipeline/triggers/senderSecret.js';
import { asSnsMessage, confirmSnsSubscription, verifySnsSignature } from '../../pipeline/triggers/snsMessage.js';
import { parseS3Event, takeS3Object } from '../../pipeline/triggers/s3Events.js';
import { objectEventShape, snsMessageShape } from '../../pipeline/triggers/eventShapes.js';
import { executionJson } from './executions.js';
import { executionSchema } from '../openapi/apiSchemas.js';
import { contract } from '../openapi/routeContract.js';
import { parseJsonBounded } from '../../core/jsonDepth.js';
import type { ServerContext } from '../serverContext.js';

/**
 * `POST /api/s3-events`: object-created events from AWS S3, MinIO and Ceph notifications,
 * EventBridge (API destination) and SNS HTTP/HTTPS subscriptions (see docs/pipelines.md,
 * Triggers). The sender proves itself with the shared secret (`x-sluice-secret`,
 * `Authorization: Bearer` or Basic) or, for SNS, with the message signature of an accepted topic.
 * Each created object is fetched and gets an execution; a subscription is confirmed.
 */
export function s3EventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const started = z.object({ executions: z.array(z.object({ bucket: z.string(), key: z.string(), execution: executionSchema })) });
  const subscription = z.object({
    topicArn: z.string(),
    executions: z.array(z.never()),
    confirmed: z.literal(true).optional(),
    unsubscribed: z.literal(true).optional(),
  });
  app.post(
    '/api/s3-events',
    contract({
      // Validated with these schemas once the sender is authenticated (parseS3Event, asSnsMessage; see eventShapes.ts).
      bodyDoc: { 'application/json': objectEventShape, 'text/plain': snsMessageShape.meta({ description: 'An SNS message as SNS posts it (JSON text)' }) },
      ok: {
        201: { description: 'Executions started for the created objects', json: started },
        200: {
          description: 'Nothing new started (duplicates, other events, a test event), or an SNS subscription confirmed or ended',
          json: z.union([started, subscription]),
        },
      },
      errors: {
        400: 'Not an event of a known shape, a record without bucket or key, a key that is not validly URL-encoded, an untrusted SubscribeURL (S3_EVENT_INVALID, S3_EVENT_BAD_KEY, SNS_MESSAGE_INVALID, SNS_SUBSCRIBE_URL_UNTRUSTED)',
        401: 'Wrong or missing shared secret, or a bad SNS signature (S3_EVENT_UNAUTHORIZED, SNS_SIGNATURE_INVALID)',
        403: 'An SNS topic not listed in s3Events.sns.topicArns (SNS_TOPIC_NOT_ALLOWED)',
        404: 'S3 events are not configured (S3_EVENTS_DISABLED)',
        413: 'The body is larger than 1 MB',
        502: 'A created object could not be fetched from the bucket (named in the message)',
        503: 'The secret named by s3Events.secretEnv is not set (CONFIG_SECRET_MISSING)',
      },
    }),
    async (req, reply) => {
      const cfg = ctx.runtime.project.config.s3Events;
      if (!cfg)
        throw new SluiceError('S3_EVENTS_DISABLED', 'S3 event notifications are not configured', { httpStatus: 404, hint: 'add s3Events to sluice.yaml' });
      const expected = process.env[cfg.secretEnv];
      if (!expected)
        throw new SluiceError('CONFIG_SECRET_MISSING', `s3Events.secretEnv names ${cfg.secretEnv}, which is not set`, {
          httpStatus: 503,
          hint: `export ${cfg.secretEnv}=... for the server`,
        });
      const secretOk = hasSecret(req.headers, expected);
      let body = parseBody(req.body);
      const snsType = req.headers['x-amz-sns-message-type'];
      const sns = asSnsMessage(body, typeof snsType === 'string' ? snsType : undefined);
      if (sns) {
        const topics = cfg.sns?.topicArns;
        const hosts = cfg.sns?.hosts ?? [];
        if (topics && !topics.includes(sns.TopicArn)) {
          throw new SluiceError('SNS_TOPIC_NOT_ALLOWED', `SNS topic ${sns.TopicArn} is not accepted`, {
            httpStatus: 403,
            location: { field: 'TopicArn' },
            hint: `s3Events.sns.topicArns lists: ${topics.join(', ')}`,
          });
        }
        if (!secretOk) {
          if (!topics) throw unauthorized('an SNS message without the shared secret is accepted only from a topic listed in s3Events.sns.topicArns');
          await verifySnsSignature(sns, hosts);
        }
        if (sns.Type === 'SubscriptionConfirmation') {
          await confirmSnsSubscription(sns, hosts);
          req.log.info({ topicArn: sns.TopicArn }, 'SNS subscription confirmed');
          return { confirmed: true, topicArn: sns.TopicArn, executions: [] };
        }
        if (sns.Type === 'UnsubscribeConfirmation') return { unsubscribed: true, topicArn: sns.TopicArn, executions: [] };
        body = parseBody(sns.Message, 'the SNS Message');
      } else if (!secretOk) {
        throw unauthorized('wrong or missing shared secret');
      }
      const refs = parseS3Event(body);
      const out = [];
      for (const ref of refs) {
        const rec = await takeS3Object(ctx.runtime.orchestrator, cfg, ctx.runtime.project.paths.archive, ref);
        out.push({ bucket: ref.bucket, key: ref.key, execution: executionJson(rec) });
      }
      reply.code(out.some((o) => o.execution.status !== 'skipped') ? 201 : 200);
      return { executions: out };
    },
  );
}

function unauthorized(why: string): SluiceError {
  return new SluiceError('S3_EVENT_UNAUTHORIZED', why, {
    httpStatus: 401,
    hint: 'send the secret of s3Events.secretEnv as x-sluice-secret, Authorization: Bearer <secret> (MinIO auth_token) or the Basic password (SNS: https://sluice:<secret>@host/api/s3-events)',
  });
}

/** SNS posts JSON as text/plain: a string body is parsed here, with a 400 that says where it breaks. */
function parseBody(body: unknown, what = 'the body'): unknown {
  if (typeof body !== 'string') return body;
  try {
    return parseJsonBounded(body, undefined, what);
  } catch (e) {
    if (isSluiceError(e) && e.code === 'JSON_RESERVED_KEY') throw e; // valid JSON, refused for its key
    throw new SluiceError('S3_EVENT_INVALID', `${what} is not valid JSON: ${(e as Error).message}`, { httpStatus: 400, hint: 'send the event JSON unchanged' });
  }
}
