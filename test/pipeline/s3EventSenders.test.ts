import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as httpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { parseS3Event } from '../../src/pipeline/triggers/s3Events.js';
import { asSnsMessage, isTrustedSnsUrl, snsStringToSign, type SnsMessage } from '../../src/pipeline/triggers/snsMessage.js';
import { presentedSecrets } from '../../src/pipeline/triggers/senderSecret.js';
import { createServer } from '../../src/server/createServer.js';
import { s3Credentials, startS3 } from '../support/s3Server.js';

// Message shapes copied from the senders' documentation (test/fixtures/events/README.md names each source).
const fixtures = join(import.meta.dirname, '../fixtures/events');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as Record<string, unknown>;
const signingKey = readFileSync(join(fixtures, 'sns-test-signing-key.pem'), 'utf8');
const signingCert = readFileSync(join(fixtures, 'sns-test-signing-cert.pem'), 'utf8');

/** Signs an SNS message as SNS does (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA), with the test key. */
function sign(m: Record<string, unknown>, version: '1' | '2' = '1'): Record<string, unknown> {
  const out = { ...m, SignatureVersion: version };
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(snsStringToSign(out as unknown as SnsMessage));
  return { ...out, Signature: signer.sign(signingKey, 'base64') };
}

describe('object-created events: the shapes each sender posts', () => {
  it('AWS S3: the documented ObjectCreated:Put record; the s3:TestEvent announces nothing', () => {
    expect(parseS3Event(fixture('aws-s3-put.json'))).toEqual([{ bucket: 'amzn-s3-demo-bucket', key: 'HappyFace.jpg', eventName: 'ObjectCreated:Put' }]);
    expect(parseS3Event(fixture('aws-s3-test-event.json'))).toEqual([]);
  });

  it('MinIO: s3:ObjectCreated:Put is a created object (it was dropped before)', () => {
    expect(parseS3Event(fixture('minio-put.json'))).toEqual([{ bucket: 'images', key: 'myphoto.jpg', eventName: 's3:ObjectCreated:Put' }]);
    const removed = fixture('minio-put.json');
    (removed.Records as Array<Record<string, unknown>>)[0]!.eventName = 's3:ObjectRemoved:Delete';
    expect(parseS3Event(removed)).toEqual([]);
  });

  it('EventBridge: "Object Created" gives the object; "Object Deleted" nothing', () => {
    expect(parseS3Event(fixture('eventbridge-object-created.json'))).toEqual([
      { bucket: 'amzn-s3-demo-bucket1', key: 'example-key', eventName: 'Object Created:PutObject' },
    ]);
    expect(parseS3Event(fixture('eventbridge-object-deleted.json'))).toEqual([]);
  });

  it('SNS: the documented envelopes are recognized, with or without the message-type header', () => {
    const conf = asSnsMessage(fixture('sns-subscription-confirmation.json'), 'SubscriptionConfirmation');
    expect(conf).toMatchObject({ Type: 'SubscriptionConfirmation', TopicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic' });
    const note = asSnsMessage(fixture('sns-notification.json'), undefined)!;
    expect(parseS3Event(JSON.parse(note.Message))).toEqual([{ bucket: 'amzn-s3-demo-bucket', key: 'HappyFace.jpg', eventName: 'ObjectCreated:Put' }]);
    expect(asSnsMessage(fixture('aws-s3-put.json'), undefined)).toBeUndefined();
    // The string to sign, as the SNS guide spells it out for a Notification.
    expect(
      snsStringToSign({
        Type: 'Notification',
        MessageId: 'm',
        TopicArn: 't',
        Message: 'My Test Message',
        Subject: 'My subject',
        Timestamp: 'ts',
      } as SnsMessage),
    ).toBe('Message\nMy Test Message\nMessageId\nm\nSubject\nMy subject\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n');
  });

  it('keys: URL-encoded with + for spaces; an invalid encoding (100%.csv) is a 400 naming the record', () => {
    const ev = (key: string, name = 'ObjectCreated:Put') => ({ Records: [{ eventName: name, s3: { bucket: { name: 'b' }, object: { key } } }] });
    expect(parseS3Event(ev('in/new+batch%2B1.csv'))[0]!.key).toBe('in/new batch+1.csv');
    expect(parseS3Event(ev('100%25.csv'))[0]!.key).toBe('100%.csv');
    expect(() => parseS3Event(ev('100%.csv'))).toThrow(
      expect.objectContaining({
        code: 'S3_EVENT_BAD_KEY',
        httpStatus: 400,
        message: expect.stringMatching(/record 0: the object key "100%\.csv" is not URL-encoded/),
      }),
    );
    expect(() => parseS3Event({ ...fixture('eventbridge-object-created.json'), detail: { bucket: { name: 'b' }, object: { key: '%E0%A4%A' } } })).toThrow(
      /not URL-encoded/,
    );
  });

  it('malformed bodies: a 400 that says what is wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /the body is an array, not a JSON object/],
      ['text', /the body is a string/],
      [{}, /no Records array/],
      [{ Records: [null] }, /^record 0 is null, not an object/],
      [{ Records: [{ s3: { bucket: { name: 'b' }, object: {} } }] }, /^record 0: s3\.object\.key is missing/],
      [{ Records: [{ s3: { bucket: { name: '' }, object: { key: 'k' } } }] }, /^record 0: s3\.bucket\.name is empty/],
      [{ Records: 'x' }, /^the S3 event notification: Records is "x", not a list/],
      [{ Records: [{ eventName: 7, s3: { bucket: { name: 'b' }, object: { key: 'k' } } }] }, /^record 0: eventName is 7, not a string/],
      [{ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' } } }, /^the EventBridge event: detail\.object is missing/],
      [
        { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object: { key: ['k'] } } },
        /^the EventBridge event: detail\.object\.key is a list, not a string/,
      ],
    ];
    for (const [body, msg] of cases)
      expect(() => parseS3Event(body), String(msg)).toThrow(expect.objectContaining({ httpStatus: 400, message: expect.stringMatching(msg) }));
    expect(() => asSnsMessage({ Type: 'Notification', TopicArn: 't' }, undefined)).toThrow(
      expect.objectContaining({
        code: 'SNS_MESSAGE_INVALID',
        location: { field: 'MessageId' },
        message: expect.stringMatching(/^the SNS message: MessageId is missing \(and 5 more problems\)/),
      }),
    );
    expect(() => asSnsMessage({ ...fixture('sns-subscription-confirmation.json'), Token: undefined }, 'SubscriptionConfirmation')).toThrow(
      /^the SNS message: Token is missing$/,
    );
    expect(() => asSnsMessage({ ...fixture('sns-notification.json'), Type: 'Bogus' }, 'Notification')).toThrow(
      /^the SNS message: Type is "Bogus", not "Notification" or "SubscriptionConfirmation" or "UnsubscribeConfirmation"/,
    );
  });

  it('secrets: x-sluice-secret, Bearer (MinIO auth_token) and the Basic password (SNS URL credentials)', () => {
    expect(presentedSecrets({ 'x-sluice-secret': 'a' })).toEqual(['a']);
    expect(presentedSecrets({ authorization: 'Bearer tok en' })).toEqual(['tok en']);
    expect(presentedSecrets({ authorization: `Basic ${Buffer.from('sluice:p:w').toString('base64')}` })).toEqual(['p:w']);
    expect(presentedSecrets({ authorization: 'Digest x' })).toEqual([]);
  });

  it('only SNS hosts (https) or configured hosts are trusted for SubscribeURL and SigningCertURL', () => {
    expect(isTrustedSnsUrl('https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription', [])).toBe(true);
    expect(isTrustedSnsUrl('https://sns.cn-north-1.amazonaws.com.cn/x.pem', [])).toBe(true);
    expect(isTrustedSnsUrl('http://sns.us-west-2.amazonaws.com/', [])).toBe(false);
    expect(isTrustedSnsUrl('https://sns.us-west-2.amazonaws.com.evil.example/', [])).toBe(false);
    expect(isTrustedSnsUrl('https://evil.example/sns.us-west-2.amazonaws.com', [])).toBe(false);
    expect(isTrustedSnsUrl('http://169.254.169.254/latest/meta-data', [])).toBe(false);
    expect(isTrustedSnsUrl('http://127.0.0.1:9/confirm', ['127.0.0.1:9'])).toBe(true);
    expect(isTrustedSnsUrl('not a url', [])).toBe(false);
  });
});

describe('POST /api/s3-events from each sender, against s3rver and a local SNS stand-in', () => {
  let s3: { endpoint: string; stop: () => Promise<void> };
  let sns: Server;
  let snsHost = '';
  const visits: string[] = [];
  let app: FastifyInstance;
  let runtime: ProjectRuntime;
  const secret = 'sh4red-secret-value';
  const topic = 'arn:aws:sns:us-west-2:123456789012:MyTopic';

  beforeAll(async () => {
    s3 = await startS3();
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3Credentials });
    await client.send(new CreateBucketCommand({ Bucket: 'images' }));
    for (const [key, body] of [
      ['myphoto.jpg', 'id,v\n1,2\n'],
      ['HappyFace.jpg', 'id,v\n3,4\n'],
      ['example-key', 'id,v\n5,6\n'],
      ['100%.csv', 'id,v\n7,8\n'],
    ]) {
      await client.send(new PutObjectCommand({ Bucket: 'images', Key: key, Body: body }));
    }
    client.destroy();
    // Serves the signing certificate and records subscription confirmations, like SNS would.
    sns = httpServer((req, res) => {
      visits.push(req.url ?? '');
      if (req.url === '/cert.pem') res.end(signingCert);
      else if (req.url?.startsWith('/?Action=ConfirmSubscription')) res.end('<ConfirmSubscriptionResponse/>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => sns.listen(0, '127.0.0.1', () => r()));
    snsHost = `127.0.0.1:${(sns.address() as AddressInfo).port}`;

    process.env.SENDERS_S3_KEY = s3Credentials.accessKeyId;
    process.env.SENDERS_S3_SECRET = s3Credentials.secretAccessKey;
    process.env.SENDERS_HOOK_SECRET = secret;
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-senders-')), 'p');
    initProject(dir);
    writeFileSync(
      join(dir, 'sluice.yaml'),
      readFileSync(join(dir, 'sluice.yaml'), 'utf8')
        .replace(/^duplicates: .*$/m, 'duplicates: process')
        .replace(
          /^pipeline: default$/m,
          `s3Events:\n  endpoint: ${s3.endpoint}\n  accessKeyIdEnv: SENDERS_S3_KEY\n  secretAccessKeyEnv: SENDERS_S3_SECRET\n  secretEnv: SENDERS_HOOK_SECRET\n  sns:\n    topicArns: ["${topic}"]\n    hosts: ["${snsHost}"]\npipeline:\n  start: t\n  states:\n    t: { type: task, command: [node, -e, "1"], end: true }`,
        ),
    );
    const project = loadProject(dir);
    runtime = await ProjectRuntime.open(project);
    app = await createServer({ project, runtime });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await new Promise((r) => sns?.close(r));
    await s3?.stop();
  });

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/s3-events',
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const minio = () => fixture('minio-put.json');

  it('MinIO: the webhook body with Authorization: Bearer starts an execution; a wrong token is 401', async () => {
    expect((await post(minio(), { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    const ok = await post(minio(), { authorization: `Bearer ${secret}` });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().executions[0]).toMatchObject({ bucket: 'images', key: 'myphoto.jpg' });
    expect(readFileSync(ok.json().executions[0].execution.file, 'utf8')).toBe('id,v\n1,2\n');
  });

  it('AWS S3 with x-sluice-secret; a key "100%.csv" sent encoded is fetched, sent raw is a 400 (not a 500)', async () => {
    const ev = fixture('aws-s3-put.json');
    const rec = (ev.Records as Array<{ s3: { bucket: { name: string }; object: { key: string } } }>)[0]!;
    rec.s3.bucket.name = 'images';
    const ok = await post(ev, { 'x-sluice-secret': secret });
    expect(ok.statusCode, ok.body).toBe(201);
    rec.s3.object.key = '100%25.csv';
    const pct = await post(ev, { 'x-sluice-secret': secret });
    expect(pct.statusCode, pct.body).toBe(201);
    expect(readFileSync(pct.json().executions[0].execution.file, 'utf8')).toBe('id,v\n7,8\n');
    rec.s3.object.key = '100%.csv';
    const bad = await post(ev, { 'x-sluice-secret': secret });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'S3_EVENT_BAD_KEY', location: { record: 0, field: 'key' } });
    const notJson = await post('{"Records": [', { 'x-sluice-secret': secret });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().message).toMatch(/is not valid JSON/);
  });

  it('EventBridge API destination (Bearer) with the documented "Object Created" event', async () => {
    const ev = fixture('eventbridge-object-created.json');
    (ev.detail as { bucket: { name: string } }).bucket.name = 'images';
    const ok = await post(ev, { authorization: `Bearer ${secret}` });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().executions[0]).toMatchObject({ bucket: 'images', key: 'example-key' });
    expect((await post(fixture('eventbridge-object-deleted.json'), { authorization: `Bearer ${secret}` })).json()).toEqual({ executions: [] });
  });

  it('SNS: the subscription is confirmed at its SubscribeURL after the signature is verified; text/plain bodies', async () => {
    const conf = sign({
      ...fixture('sns-subscription-confirmation.json'),
      SigningCertURL: `http://${snsHost}/cert.pem`,
      SubscribeURL: `http://${snsHost}/?Action=ConfirmSubscription&TopicArn=${topic}&Token=abc`,
    });
    visits.length = 0;
    const res = await post(JSON.stringify(conf), { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'SubscriptionConfirmation' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ confirmed: true, topicArn: topic });
    expect(visits).toEqual(['/cert.pem', `/?Action=ConfirmSubscription&TopicArn=${topic}&Token=abc`]);
  });

  it('SNS: a signed Notification (SignatureVersion 1 and 2) is unwrapped and its S3 event processed', async () => {
    for (const version of ['1', '2'] as const) {
      const note = fixture('sns-notification.json');
      note.Message = (note.Message as string).replace('amzn-s3-demo-bucket"', 'images"');
      const res = await post(JSON.stringify(sign({ ...note, SigningCertURL: `http://${snsHost}/cert.pem` }, version)), {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': 'Notification',
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().executions[0]).toMatchObject({ bucket: 'images', key: 'HappyFace.jpg' });
    }
  });

  it('SNS: forged, tampered, foreign-topic and untrusted-URL messages are refused; nothing is fetched from a sender-chosen host', async () => {
    const note = { ...fixture('sns-notification.json'), SigningCertURL: `http://${snsHost}/cert.pem` };
    // The documentation's example signature is not valid for our certificate.
    const forged = await post(note, { 'x-amz-sns-message-type': 'Notification' });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().message).toMatch(/signature does not match/);
    const tampered = { ...sign(note), Message: '{"Records":[]}' };
    expect((await post(tampered)).statusCode).toBe(401);
    const foreign = sign({ ...note, TopicArn: 'arn:aws:sns:us-west-2:999999999999:Other' });
    expect((await post(foreign)).statusCode).toBe(403);
    visits.length = 0;
    const elsewhere = sign({ ...note, SigningCertURL: 'http://169.254.169.254/cert.pem' });
    const r = await post(elsewhere);
    expect(r.statusCode).toBe(401);
    expect(r.json().message).toMatch(/SigningCertURL .* is not an https:\/\/sns/);
    // With the shared secret (Basic auth in the subscription URL), the confirmation still only goes to a trusted host.
    const basic = { authorization: `Basic ${Buffer.from(`sluice:${secret}`).toString('base64')}` };
    const badConfirm = await post({ ...fixture('sns-subscription-confirmation.json'), SubscribeURL: 'http://169.254.169.254/latest' }, basic);
    expect(badConfirm.statusCode).toBe(400);
    expect(badConfirm.json().code).toBe('SNS_SUBSCRIBE_URL_UNTRUSTED');
    expect(visits).toEqual([]);
    // A Notification whose Message is not JSON.
    const notJson = await post({ ...fixture('sns-notification.json'), Message: 'Hello world!' }, basic);
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().message).toMatch(/the SNS Message is not valid JSON/);
  });
});
