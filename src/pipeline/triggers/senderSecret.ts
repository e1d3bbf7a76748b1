import { createHash, timingSafeEqual } from 'node:crypto';

type Headers = Record<string, string | string[] | undefined>;

/**
 * The shared secret a notifier presents, from whichever header it can send: `x-sluice-secret`
 * (AWS S3 via a relay, curl), `Authorization: Bearer <secret>` (MinIO's webhook `auth_token`,
 * EventBridge API destinations), or the password of `Authorization: Basic` (an SNS subscription
 * URL `https://sluice:<secret>@host/api/s3-events`).
 */
export function presentedSecrets(headers: Headers): string[] {
  const out: string[] = [];
  const own = headers['x-sluice-secret'];
  if (typeof own === 'string') out.push(own);
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^(Bearer|Basic)\s+(.+)$/i.exec(auth.trim());
    if (m && m[1]!.toLowerCase() === 'bearer') out.push(m[2]!);
    else if (m) {
      const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) out.push(decoded.slice(colon + 1));
    }
  }
  return out;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * True when one of the presented secrets equals `expected`, in constant time whatever either
 * holds: both are hashed first, so secrets of other lengths in bytes (non-ASCII characters, a
 * header Node decoded as latin1) compare as unequal, without telling the length.
 */
export function hasSecret(headers: Headers, expected: string): boolean {
  const want = digest(expected);
  return presentedSecrets(headers).some((s) => timingSafeEqual(digest(s), want));
}
