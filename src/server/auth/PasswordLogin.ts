import type { FastifyRequest } from 'fastify';
import { SluiceError } from '../../core/errors.js';
import type { AuditLog } from './AuditLog.js';
import type { User } from './AuthGate.js';
import type { LoginLimiter } from './LoginLimiter.js';
import { checkPasswordInput, verifyPassword } from './password.js';
import { asUser, type FindUser, type RequestIdentity } from './RequestIdentity.js';
import type { SessionStore } from './SessionStore.js';

/** Where a sign-in comes from (rate limit, audit, session record). */
export interface LoginMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** The outcome of a name and password check. */
export type LoginResult = { ok: true; user: User; sessionId: string } | { ok: false; status: 401 | 429; message: string; retryAfter?: number };

/**
 * Signing in and out: the name and password check (rate-limited per name and address, scrypt,
 * the same words for an unknown name and a wrong password), the session it opens, and the audit
 * lines of both.
 */
export class PasswordLogin {
  constructor(private readonly deps: { findUser: FindUser; sessions: SessionStore; limiter: LoginLimiter; auditTrail: AuditLog; identity: RequestIdentity }) {}

  async login(name: unknown, password: unknown, meta: LoginMeta): Promise<LoginResult> {
    const { limiter, auditTrail } = this.deps;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
      throw new SluiceError('LOGIN_BAD_INPUT', 'type your name (at most 200 characters)', {
        location: { field: 'name' },
        hint: 'the name is the one in sluice.yaml approvers',
      });
    }
    checkPasswordInput(password);
    const who = name.trim();
    const { retryAfter, release } = await limiter.admit(who, meta.ip);
    if (retryAfter > 0)
      return { ok: false, status: 429, retryAfter, message: `Too many failed sign-ins. Try again in ${Math.ceil(retryAfter / 60)} minute(s).` };
    const a = this.deps.findUser(who);
    let ok: boolean;
    try {
      ok = await verifyPassword(password as string, a?.passwordHash);
    } finally {
      release();
    }
    if (!ok || !a) {
      await limiter.fail(who, meta.ip);
      const why = !a ? 'unknown user' : !a.passwordHash ? 'no password set' : 'wrong password';
      await auditTrail.append({ actor: who, action: 'login.failed', target: `user:${who}`, detail: why, ip: meta.ip ?? null });
      return { ok: false, status: 401, message: 'Wrong name or password.' };
    }
    await limiter.succeed(who, meta.ip);
    const sessionId = await this.deps.sessions.create(a.name, meta);
    await auditTrail.append({ actor: a.name, action: 'login', target: `user:${a.name}`, detail: null, ip: meta.ip ?? null });
    return { ok: true, user: asUser(a, 'session'), sessionId };
  }

  /** Ends the caller's session (audited); false when there was none. */
  async logout(req: FastifyRequest): Promise<boolean> {
    const id = this.deps.identity.of(req);
    if (!id.sessionId || !id.user) return false;
    await this.deps.sessions.delete(id.sessionId);
    await this.deps.auditTrail.append({ actor: id.user.name, action: 'logout', target: `user:${id.user.name}`, detail: null, ip: req.ip ?? null });
    return true;
  }
}
