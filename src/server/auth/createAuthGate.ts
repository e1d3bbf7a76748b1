import type { ApproverConfig } from '../../core/config.js';
import { html } from '../../core/html.js';
import { Csrf } from '../csrf.js';
import { AuditLog } from './AuditLog.js';
import type { Role } from './AuthGate.js';
import { guardRole } from './guardRole.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './LoginLimiter.js';
import { PasswordLogin } from './PasswordLogin.js';
import { RequestCsrf } from './RequestCsrf.js';
import { RequestIdentity } from './RequestIdentity.js';
import type { ServerAuthGate } from './ServerAuthGate.js';
import { SessionCookie } from './SessionCookie.js';
import { DEFAULT_SESSION_LIMITS, SessionStore, type SessionLimits } from './SessionStore.js';
import { TokenStore } from './TokenStore.js';
import type { ProjectDb } from '../../state/openProjectDb.js';
import type { StateDb } from '../../state/StateDb.js';

export interface AuthGateOptions {
  /** The shared state (sessions, tokens, audit log and login failures get their tables there); a project database is wrapped. */
  db: StateDb | ProjectDb;
  /** The project configuration; its `approvers` are the users, read at each request (a getter may return the file's current list). */
  config: { approvers: readonly ApproverConfig[] };
  /** Signs session cookies and CSRF tokens: {@link loadServerSecret}. */
  secret: Buffer;
  /** Mark cookies Secure (set it when `server.publicUrl` is https). */
  secureCookies: boolean;
  sessions?: Partial<SessionLimits>;
  loginLimits?: Partial<LoginLimits>;
  /** Where a login without `next` lands (default `/`). */
  home?: string;
  /** The clock (tests move it to check expiry). */
  now?: () => number;
}

/**
 * The authentication of a Sluice server: users from sluice.yaml `approvers` (scrypt password
 * hashes), login sessions in signed HttpOnly SameSite=Lax cookies backed by the project
 * database, API tokens (`Authorization: Bearer`), CSRF tokens bound to the session, a login
 * rate limit, and the audit log. It only assembles the parts: who a request is from
 * (RequestIdentity), CSRF tokens (RequestCsrf), role checks (guardRole), signing in and out
 * (PasswordLogin); `authPlugin` mounts it on a server.
 *
 * @example
 * const gate = createAuthGate({ db: runtime.state, config: project.config, secret: loadServerSecret(project.paths.stateDir), secureCookies: false });
 * const app = await createServer({ project, runtime, auth: gate }); // mounts it with authPlugin
 * app.get('/settings', { preHandler: gate.require('admin') }, handler);
 */
export function createAuthGate(opts: AuthGateOptions): ServerAuthGate {
  const now = opts.now ?? Date.now;
  const sessions = new SessionStore(opts.db, { ...DEFAULT_SESSION_LIMITS, ...opts.sessions }, now);
  const tokens = new TokenStore(opts.db, now);
  const limiter = new LoginLimiter(opts.db, { ...DEFAULT_LOGIN_LIMITS, ...opts.loginLimits }, now);
  const auditTrail = new AuditLog(opts.db, now);
  const cookies = new SessionCookie(opts.secret, sessions.limits.absoluteMs, opts.secureCookies);
  const findUser = (name: string): ApproverConfig | undefined => {
    const lower = name.toLowerCase();
    return opts.config.approvers.find((a) => a.name.toLowerCase() === lower);
  };
  const identity = new RequestIdentity({ findUser, sessions, tokens, cookies });
  const csrf = new RequestCsrf(new Csrf(opts.secret), identity, opts.secureCookies);
  const passwords = new PasswordLogin({ findUser, sessions, limiter, auditTrail, identity });
  const guard = (req: Parameters<ServerAuthGate['guard']>[0], reply: Parameters<ServerAuthGate['guard']>[1], role: Role) =>
    guardRole(identity.of(req), req, reply, role);

  return {
    sessions,
    tokens,
    limiter,
    auditTrail,
    home: opts.home ?? '/',
    findUser,
    users: () => opts.config.approvers.map((a) => ({ name: a.name, email: a.email, role: a.role, hasPassword: Boolean(a.passwordHash) })),
    identify: async (req) => {
      await identity.resolve(req);
    },
    userOf: (req) => identity.of(req).user,
    authenticate(req) {
      const id = identity.of(req);
      if (id.error) throw id.error;
      return id.user ? { name: id.user.name, email: id.user.email, role: id.user.role } : undefined;
    },
    guard,
    require: (role) =>
      async function requireRole(req, reply) {
        if (!guard(req, reply, role)) return reply;
      },
    csrfToken: (req, reply, subject) => csrf.token(req, reply, subject),
    checkCsrf: (req, subject) => csrf.check(req, subject),
    audit: async (entry) => {
      await auditTrail.append(entry);
    },
    auditLog: (q) => auditTrail.list(q),
    login: (name, password, meta) => passwords.login(name, password, meta),
    logout: (req) => passwords.logout(req),
    sessionCookie: (sid) => cookies.set(sid),
    clearSessionCookie: () => cookies.clear(),
    logoutForm: (req, reply) =>
      html`<form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="${csrf.token(req, reply, 'logout')}"><button type="submit">Sign out</button></form>`,
  };
}
