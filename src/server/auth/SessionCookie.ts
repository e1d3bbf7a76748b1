import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'sluice_session';

/**
 * The session cookie: `sluice_session=<id>.<HMAC-SHA256(secret, id)>`, HttpOnly, SameSite=Lax
 * (a link followed from a mail client carries it; a cross-site form post does not), Secure on
 * https. The signature lets a forged or altered cookie be told apart without a database read.
 */
export class SessionCookie {
  constructor(
    private readonly secret: Buffer,
    private readonly maxAgeMs: number,
    private readonly secure: boolean,
  ) {}

  private mac(sid: string): string {
    return createHmac('sha256', this.secret).update(`sluice-session\n${sid}`).digest('base64url');
  }

  /** The Set-Cookie value carrying a session id. */
  set(sid: string): string {
    return `${SESSION_COOKIE}=${sid}.${this.mac(sid)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(this.maxAgeMs / 1000)}${this.secure ? '; Secure' : ''}`;
  }

  /** The Set-Cookie value that removes the cookie. */
  clear(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${this.secure ? '; Secure' : ''}`;
  }

  /** The session id of a cookie value whose signature is right; undefined for anything else. */
  unsign(value: string): string | undefined {
    const dot = value.lastIndexOf('.');
    if (dot <= 0 || value.length > 200) return undefined;
    const sid = value.slice(0, dot);
    const sig = Buffer.from(value.slice(dot + 1));
    const want = Buffer.from(this.mac(sid));
    return sig.length === want.length && timingSafeEqual(sig, want) ? sid : undefined;
  }
}
