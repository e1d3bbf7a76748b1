import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { flattenIssues, issuePath, jsonPath, plainIssues } from '../../core/zodIssues.js';

/**
 * The bodies object-storage senders post to `/api/s3-events`, as zod schemas: the route
 * validates each body with the schema of its shape ({@link parseS3Event}, {@link asSnsMessage}),
 * after the sender has proved itself (a body is never judged before its sender is known), and
 * the OpenAPI document shows the same schemas. Objects stay open: senders add fields.
 */

const name = z.string().min(1);

const s3Record = z.looseObject({
  eventName: z.string().optional().meta({ description: '"ObjectCreated:Put" (AWS S3), "s3:ObjectCreated:Put" (MinIO, Ceph); other events are ignored' }),
  s3: z.looseObject({
    bucket: z.looseObject({ name }),
    object: z.looseObject({ key: name.meta({ description: 'URL-encoded, + for a space, as the senders post it' }), size: z.number().optional() }),
  }),
});

export const s3NotificationShape = z
  .looseObject({
    Records: z.array(s3Record),
  })
  .meta({ title: 'S3 event notification', description: 'AWS S3, MinIO and Ceph bucket notifications' });

export const s3TestEventShape = z
  .looseObject({
    Event: z.literal('s3:TestEvent'),
    Bucket: z.string().optional(),
  })
  .meta({ title: 'S3 test event', description: 'What S3 sends when a notification is configured: answered with no execution' });

export const eventBridgeShape = z
  .looseObject({
    source: z.literal('aws.s3'),
    'detail-type': z.string().meta({ description: '"Object Created" starts an execution; other S3 event types are answered with none' }),
    detail: z.looseObject({ bucket: z.looseObject({ name }), object: z.looseObject({ key: name }), reason: z.string().optional() }),
  })
  .meta({ title: 'EventBridge S3 event', description: 'An EventBridge S3 event delivered by an API destination' });

const snsCommon = {
  MessageId: name,
  TopicArn: name,
  Timestamp: name,
  SignatureVersion: name,
  Signature: name,
  SigningCertURL: name,
};
const snsNotification = z.looseObject({
  Type: z.literal('Notification'),
  ...snsCommon,
  Message: name.meta({ description: 'An S3 event notification or EventBridge event, as JSON text' }),
  Subject: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
});
const snsConfirmation = z.looseObject({
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  ...snsCommon,
  Message: name,
  SubscribeURL: name,
  Token: name,
});
export const snsMessageShape = z
  .discriminatedUnion('Type', [snsNotification, snsConfirmation])
  .meta({ title: 'SNS message', description: "An SNS HTTP/HTTPS subscription's message (SNS posts it as text/plain)" });

export type SnsMessage = z.output<typeof snsMessageShape>;

export const objectEventShape = z.union([s3NotificationShape, s3TestEventShape, eventBridgeShape, snsMessageShape]);

/**
 * `body` validated by `schema`, or a 400 `code` naming the first problem by its JSON path (and
 * its record, for an S3 notification's `Records[i]`), every problem listed in `details.problems`.
 *
 * @example
 * validateEvent(eventBridgeShape, body, 'S3_EVENT_INVALID', 'the EventBridge event', 'forward the S3 event unchanged')
 */
export function validateEvent<T extends z.ZodType>(schema: T, body: unknown, code: string, what: string, hint: string): z.output<T> {
  const r = schema.safeParse(body, { error: plainIssues, reportInput: true });
  if (r.success) return r.data;
  const problems = flattenIssues(r.error.issues).map((issue) => {
    const record = issue.path[0] === 'Records' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
    const field = record !== undefined ? jsonPath(issue.path.slice(2)) : issuePath(issue);
    const where = record !== undefined ? `record ${record}${field ? `: ${field}` : ''}` : `${what}: ${field}`;
    return { ...(record !== undefined ? { record } : {}), field, message: `${where} ${issue.message}` };
  });
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new SluiceError(code, `${first.message}${more}`, {
    httpStatus: 400,
    location: { ...(first.record !== undefined ? { record: first.record } : {}), ...(first.field ? { field: first.field } : {}) },
    hint,
    ...(problems.length > 1 ? { details: { problems: problems.slice(0, 20) } } : {}),
  });
}
