import { z } from 'zod';

/**
 * The bodies object-storage senders post to `/api/s3-events`, as zod schemas for the OpenAPI
 * document. The route reads them with {@link parseS3Event} and {@link asSnsMessage}, after the
 * sender has proved itself (a body is never judged before its sender is known), and those
 * parsers give the located 400s; these schemas show the shapes they accept.
 */

const s3Record = z.looseObject({
  eventName: z.string().optional().meta({ description: '"ObjectCreated:Put" (AWS S3), "s3:ObjectCreated:Put" (MinIO, Ceph); other events are ignored' }),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(1) }),
    object: z.looseObject({ key: z.string().min(1).meta({ description: 'URL-encoded, + for a space, as the senders post it' }), size: z.number().optional() }),
  }),
});

export const s3NotificationShape = z.looseObject({
  Records: z.array(s3Record),
}).meta({ title: 'S3 event notification', description: 'AWS S3, MinIO and Ceph bucket notifications ({"Event": "s3:TestEvent"} is answered with no execution)' });

export const eventBridgeShape = z.looseObject({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.looseObject({ bucket: z.looseObject({ name: z.string() }), object: z.looseObject({ key: z.string() }) }),
}).meta({ title: 'EventBridge S3 event', description: 'An EventBridge "Object Created" event delivered by an API destination' });

export const snsMessageShape = z.looseObject({
  Type: z.enum(['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation']),
  MessageId: z.string(), TopicArn: z.string(),
  Message: z.string().meta({ description: 'For a Notification: an S3 event notification or EventBridge event, as JSON text' }),
  Timestamp: z.string(), SignatureVersion: z.string(), Signature: z.string(), SigningCertURL: z.string(),
  Subject: z.string().optional(), SubscribeURL: z.string().optional(), Token: z.string().optional(), UnsubscribeURL: z.string().optional(),
}).meta({ title: 'SNS message', description: 'An SNS HTTP/HTTPS subscription\'s message (SNS posts it as text/plain)' });

export const objectEventShape = z.union([s3NotificationShape, eventBridgeShape, snsMessageShape]);
