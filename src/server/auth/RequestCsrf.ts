import type { FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '../../core/errors.js';
import { CSRF_COOKIE, type Csrf, readCookie } from '../csrf.js';
import type { RequestIdentity } from './RequestIdentity.js';

/**
 * CSRF tokens bound to the caller: to the session when there is one, else to the CSRF cookie
 * (set on the first form shown). API-token callers are exempt: their header is one a cross-site
 * form cannot set.
 */
export class RequestCsrf {
  private readonly cookies = new WeakMap<FastifyRequest, string>();

  constructor(
    private readonly csrf: Csrf,
    private readonly identity: RequestIdentity,
    private readonly secure: boolean,
  ) {}

  /** The token for a form acting on `subject`; sets the CSRF cookie when missing. */
  token(req: FastifyRequest, reply: FastifyReply, subject = ''): string {
    return this.csrf.tokenFor(this.binding(req, reply)!, subject);
  }

  /** Throws CSRF_INVALID (403) when the posted `csrf` field or X-CSRF-Token header does not match. */
  check(req: FastifyRequest, subject = ''): void {
    if (this.identity.of(req).user?.via === 'token') return;
    const body = req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const presented = body.csrf ?? req.headers['x-csrf-token'];
    const binding = this.binding(req);
    if (!binding || !this.csrf.verify(binding, subject, presented)) {
      throw new SluiceError('CSRF_INVALID', 'the form expired or did not come from this site; nothing was changed', {
        httpStatus: 403,
        hint: 'reload the page and submit the form again (scripts send the token in the X-CSRF-Token header)',
      });
    }
  }

  /** What tokens are bound to: the session, else the CSRF cookie (set when `reply` is given and it is missing). */
  private binding(req: FastifyRequest, reply?: FastifyReply): string | undefined {
    const id = this.identity.of(req);
    if (id.session) return `s:${id.session.idHash}`;
    let cookie = readCookie(req.headers.cookie, CSRF_COOKIE) ?? this.cookies.get(req);
    if (!cookie && reply) {
      cookie = this.csrf.newCookieValue();
      this.cookies.set(req, cookie);
      reply.header('set-cookie', this.csrf.cookie(cookie, this.secure));
    }
    return cookie ? `c:${cookie}` : undefined;
  }
}
