import { verify, X509Certificate } from 'node:crypto';
import { SluiceError } from '../../core/errors.js';
import { snsMessageShape, validateEvent, type SnsMessage } from './eventShapes.js';

export type { SnsMessage };

const TYPES = new Set(['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation']);

/** Hosts Amazon SNS signs and confirms from: `sns.<region>.amazonaws.com` (and `.com.cn`). */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * The SNS envelope of a request, or `undefined` when the request is not one (no
 * `x-amz-sns-message-type` header and no SNS `Type`). A request that says it is SNS but lacks a
 * field SNS always sends is a 400 naming the field.
 */
export function asSnsMessage(body: unknown, messageTypeHeader: string | undefined): SnsMessage | undefined {
  const doc = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const type = doc?.Type;
  if (messageTypeHeader === undefined && !(typeof type === 'string' && TYPES.has(type) && typeof doc?.TopicArn === 'string')) return undefined;
  const hint = 'send the SNS message body unchanged (SNS HTTP/HTTPS subscription)';
  if (!doc) throw new SluiceError('SNS_MESSAGE_INVALID', 'the SNS message is not a JSON object', { httpStatus: 400, location: { field: 'Type' }, hint });
  const message = validateEvent(snsMessageShape, doc, 'SNS_MESSAGE_INVALID', 'the SNS message', hint);
  if (messageTypeHeader !== undefined && messageTypeHeader !== message.Type) {
    throw new SluiceError('SNS_MESSAGE_INVALID', `the SNS message has Type ${message.Type} but the x-amz-sns-message-type header says ${messageTypeHeader}`, {
      httpStatus: 400,
      location: { field: 'Type' },
      hint,
    });
  }
  return message;
}

/**
 * True when `url` may be fetched for SNS: HTTPS to an SNS host, or any scheme to a host:port
 * listed in `trustedHosts` (`s3Events.sns.hosts`: an SNS-compatible service, or a test server).
 */
export function isTrustedSnsUrl(url: string, trustedHosts: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (trustedHosts.includes(u.host)) return u.protocol === 'https:' || u.protocol === 'http:';
  return u.protocol === 'https:' && SNS_HOST.test(u.hostname) && u.port === '' && u.username === '' && u.password === '';
}

/** The string SNS signs: `Name\nvalue\n` for the message's signed fields, in byte order. */
export function snsStringToSign(m: SnsMessage): string {
  const fields =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const rec = m as unknown as Record<string, string | undefined>;
  return fields
    .filter((f) => rec[f] !== undefined)
    .map((f) => `${f}\n${rec[f]}\n`)
    .join('');
}

const certCache = new Map<string, string>();

async function getText(url: string, what: string): Promise<{ status: number; text: string }> {
  try {
    // No redirects: a trusted URL must not lead elsewhere.
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    throw new SluiceError('SNS_UNREACHABLE', `cannot reach ${what} ${url}: ${(e as Error).message}`, {
      httpStatus: 502,
      retryable: true,
      cause: e,
      hint: 'the server needs outbound HTTPS to Amazon SNS',
    });
  }
}

/**
 * Verifies an SNS message's signature (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) with the
 * certificate at `SigningCertURL`, fetched only from a trusted URL (see {@link isTrustedSnsUrl}).
 * Throws a 401 SluiceError saying why when the message is not authentic.
 */
export async function verifySnsSignature(m: SnsMessage, trustedHosts: readonly string[]): Promise<void> {
  const unauthorized = (why: string): SluiceError =>
    new SluiceError('SNS_SIGNATURE_INVALID', `the SNS message is not authentic: ${why}`, {
      httpStatus: 401,
      hint: 'only Amazon SNS (or a host in s3Events.sns.hosts) can sign messages; or send the shared secret',
    });
  if (!isTrustedSnsUrl(m.SigningCertURL, trustedHosts) || !new URL(m.SigningCertURL).pathname.endsWith('.pem')) {
    throw unauthorized(`SigningCertURL ${m.SigningCertURL} is not an https://sns.<region>.amazonaws.com/....pem URL`);
  }
  const algorithm = m.SignatureVersion === '1' ? 'sha1' : m.SignatureVersion === '2' ? 'sha256' : undefined;
  if (!algorithm) throw unauthorized(`SignatureVersion ${JSON.stringify(m.SignatureVersion)} is not 1 or 2`);
  let pem = certCache.get(m.SigningCertURL);
  if (pem === undefined) {
    const res = await getText(m.SigningCertURL, 'the SNS signing certificate');
    if (res.status !== 200) throw unauthorized(`the signing certificate answered HTTP ${res.status}`);
    pem = res.text;
    if (certCache.size > 32) certCache.clear();
    certCache.set(m.SigningCertURL, pem);
  }
  let ok = false;
  try {
    const cert = new X509Certificate(pem);
    const now = Date.now();
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) throw unauthorized('the signing certificate has expired or is not yet valid');
    ok = verify(algorithm, Buffer.from(snsStringToSign(m), 'utf8'), cert.publicKey, Buffer.from(m.Signature, 'base64'));
  } catch (e) {
    if (e instanceof SluiceError) throw e;
    throw unauthorized(`the signing certificate cannot be read (${(e as Error).message})`);
  }
  if (!ok) throw unauthorized('the signature does not match the message');
}

/**
 * Confirms a subscription by visiting its `SubscribeURL`, which must be a trusted URL (an SNS
 * host, or `s3Events.sns.hosts`): the server never fetches a URL a sender chose elsewhere.
 */
export async function confirmSnsSubscription(m: SnsMessage, trustedHosts: readonly string[]): Promise<void> {
  const url = m.Type === 'Notification' ? '' : m.SubscribeURL;
  if (!isTrustedSnsUrl(url, trustedHosts)) {
    throw new SluiceError(
      'SNS_SUBSCRIBE_URL_UNTRUSTED',
      `the SubscribeURL ${JSON.stringify(url)} is not on an Amazon SNS host; the subscription was not confirmed`,
      {
        httpStatus: 400,
        location: { field: 'SubscribeURL' },
        hint: 'SNS sends https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription...; list other hosts in s3Events.sns.hosts',
      },
    );
  }
  const res = await getText(url, 'the SNS SubscribeURL');
  if (res.status < 200 || res.status >= 300) {
    throw new SluiceError('SNS_CONFIRM_FAILED', `confirming the subscription to ${m.TopicArn} failed: HTTP ${res.status}`, {
      httpStatus: 502,
      retryable: true,
      hint: 'SNS resends the confirmation; or confirm it in the SNS console',
    });
  }
}
