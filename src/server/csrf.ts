import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'sluice_csrf';

/** Reads one cookie from a Cookie header; undefined when absent or malformed. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    // A malformed %-escape is a bad cookie, not a server error.
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Double-submit CSRF tokens bound to what the form acts on: the form carries
 * HMAC(secret, cookie value + subject); the cookie is SameSite=Strict and HttpOnly, so a form
 * posted from another site arrives without it and is refused.
 */
export class Csrf {
  private readonly secret: Buffer;

  constructor(secret?: Buffer) {
    this.secret = secret ?? randomBytes(32);
  }

  newCookieValue(): string {
    return randomBytes(18).toString('base64url');
  }

  tokenFor(cookieValue: string, subject: string): string {
    return createHmac('sha256', this.secret).update(`${cookieValue}\n${subject}`).digest('base64url');
  }

  verify(cookieValue: string | undefined, subject: string, presented: unknown): boolean {
    if (!cookieValue || typeof presented !== 'string') return false;
    const expected = Buffer.from(this.tokenFor(cookieValue, subject));
    const got = Buffer.from(presented);
    return expected.length === got.length && timingSafeEqual(expected, got);
  }

  /** The Set-Cookie header value. */
  cookie(value: string, secure: boolean): string {
    return `${CSRF_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }
}
