import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApproverConfig } from '../../core/config.js';
import type { SafeHtml } from '../../core/html.js';
import type { Approver } from '../../pipeline/approvals/Approver.js';
import type { AuditLog } from './AuditLog.js';
import type { AuthGate, Role } from './AuthGate.js';
import type { LoginLimiter } from './LoginLimiter.js';
import type { LoginMeta, LoginResult } from './PasswordLogin.js';
import type { SessionStore } from './SessionStore.js';
import type { TokenStore } from './TokenStore.js';

/**
 * The {@link AuthGate} plus what the server and the CLI need to run it. Built by `createAuthGate`
 * from its parts (RequestIdentity, RequestCsrf, guardRole, PasswordLogin); `authPlugin` mounts it
 * on a Fastify server.
 */
export interface ServerAuthGate extends AuthGate {
  readonly sessions: SessionStore;
  readonly tokens: TokenStore;
  readonly limiter: LoginLimiter;
  readonly auditTrail: AuditLog;
  /** Where a login without `next` lands. */
  readonly home: string;
  /** The configured user of that name (case-insensitive). */
  findUser(name: string): ApproverConfig | undefined;
  /** Every configured user for display (a settings page): never the password hash. */
  users(): Array<{ name: string; email?: string | undefined; role: Role; hasPassword: boolean }>;
  /** Looks up who a request comes from (session or API token); `authPlugin` calls it first on every request. */
  identify(req: FastifyRequest): Promise<void>;
  /** The caller as an {@link Approver} for `ServerContext.authenticate`; throws 401 for a bad, revoked or expired API token. */
  authenticate(req: FastifyRequest): Approver | undefined;
  /** Lets through callers with at least `role`; answers (redirect, 401 or 403) and returns false otherwise. */
  guard(req: FastifyRequest, reply: FastifyReply, role: Role): boolean;
  /** Checks a name and password (rate-limited, audited) and opens a session. */
  login(name: unknown, password: unknown, meta: LoginMeta): Promise<LoginResult>;
  /** Ends the caller's session (audited); false when there was none. */
  logout(req: FastifyRequest): Promise<boolean>;
  /** The Set-Cookie value carrying a session id (signed). */
  sessionCookie(sessionId: string): string;
  /** The Set-Cookie value that clears the session cookie. */
  clearSessionCookie(): string;
  /** A "Sign out" form (POST /logout with its CSRF token) for page headers. */
  logoutForm(req: FastifyRequest, reply: FastifyReply): SafeHtml;
}
