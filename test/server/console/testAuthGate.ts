import type { FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '../../../src/core/errors.js';
import { hasRole, type AuditEntry, type AuthGate, type Role, type User } from '../../../src/server/auth/AuthGate.js';
import { CSRF_COOKIE, Csrf, readCookie } from '../../../src/server/csrf.js';

/** The header naming the test user (the real gate reads a session cookie or a bearer token). */
export const USER_HEADER = 'x-test-user';

/**
 * A small AuthGate for the console tests until the real one (branch auth) lands: users are fixed
 * and named by a header, but CSRF is the real double-submit scheme of src/server/csrf.ts and
 * roles are enforced exactly as the contract says.
 */
export class TestAuthGate implements AuthGate {
  readonly csrf = new Csrf();
  private readonly entries: AuditEntry[] = [];
  private readonly cookieOf = new WeakMap<FastifyRequest, string>();

  constructor(private readonly users: Record<string, { role: Role; email?: string }>) {}

  userOf(req: FastifyRequest): User | undefined {
    const name = req.headers[USER_HEADER];
    const u = typeof name === 'string' ? this.users[name] : undefined;
    return u && typeof name === 'string' ? { name, email: u.email, role: u.role, via: 'session' } : undefined;
  }

  require(role: Role) {
    return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const u = this.userOf(req);
      if (!u) {
        if ((req.headers.accept ?? '').includes('text/html')) {
          await reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 302);
          return;
        }
        throw new SluiceError('UNAUTHENTICATED', 'sign in first', { httpStatus: 401, hint: 'log in or send an API token' });
      }
      if (!hasRole(u.role, role)) throw new SluiceError('FORBIDDEN', `this needs the ${role} role; ${u.name} is a ${u.role}`, { httpStatus: 403, hint: 'ask an admin for the role' });
    };
  }

  csrfToken(req: FastifyRequest, reply: FastifyReply, subject = ''): string {
    let cookie = this.cookieOf.get(req) ?? readCookie(req.headers.cookie, CSRF_COOKIE);
    if (!cookie) {
      cookie = this.csrf.newCookieValue();
      reply.header('set-cookie', this.csrf.cookie(cookie, false));
    }
    this.cookieOf.set(req, cookie);
    return this.csrf.tokenFor(cookie, subject);
  }

  checkCsrf(req: FastifyRequest, subject = ''): void {
    const presented = (req.body as Record<string, unknown> | undefined)?.csrf;
    if (!this.csrf.verify(readCookie(req.headers.cookie, CSRF_COOKIE), subject, presented)) {
      throw new SluiceError('CSRF_INVALID', 'the form expired or did not come from this site; nothing was changed', { httpStatus: 403, hint: 'reload the page and submit the form again' });
    }
  }

  audit(entry: Omit<AuditEntry, 'id' | 'at'>): void {
    this.entries.push({ ...entry, id: this.entries.length + 1, at: new Date().toISOString() });
  }

  auditLog(opts: { limit?: number; before?: number; actor?: string; action?: string } = {}): AuditEntry[] {
    return [...this.entries]
      .reverse()
      .filter((e) => (opts.before === undefined || e.id < opts.before) && (!opts.actor || e.actor === opts.actor) && (!opts.action || e.action === opts.action))
      .slice(0, opts.limit ?? 100);
  }
}
