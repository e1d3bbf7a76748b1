import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { ApproverConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { html, type SafeHtml } from '../../core/html.js';
import type { Approver } from '../../pipeline/approvals/Approver.js';
import type { ProjectDb } from '../../state/openProjectDb.js';
import { CSRF_COOKIE, Csrf, readCookie } from '../csrf.js';
import { AuditLog } from './AuditLog.js';
import { hasRole, type AuthGate, type Role, type User } from './AuthGate.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './LoginLimiter.js';
import { refusalPage } from './loginPage.js';
import { loginRoutes } from './loginRoutes.js';
import { checkPasswordInput, verifyPassword } from './password.js';
import { sendPage } from './sendPage.js';
import { SESSION_COOKIE, SessionCookie } from './SessionCookie.js';
import { DEFAULT_SESSION_LIMITS, SessionStore, type Session, type SessionLimits } from './SessionStore.js';
import { TokenStore } from './TokenStore.js';

export { SESSION_COOKIE };

export interface AuthGateOptions {
  /** The project database (sessions, tokens, audit log and login failures get their tables there). */
  db: ProjectDb;
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

/** The outcome of a name and password check. */
export type LoginResult = { ok: true; user: User; sessionId: string } | { ok: false; status: 401 | 429; message: string; retryAfter?: number };

/** The AuthGate plus what the server and the CLI need to run it. */
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
  /** The caller as an {@link Approver} for `ServerContext.authenticate`; throws 401 for a bad, revoked or expired API token. */
  authenticate(req: FastifyRequest): Approver | undefined;
  /** Lets through callers with at least `role`; answers (redirect, 401 or 403) and returns false otherwise. */
  guard(req: FastifyRequest, reply: FastifyReply, role: Role): boolean;
  /** Checks a name and password (rate-limited, audited) and opens a session. */
  login(name: unknown, password: unknown, meta: { ip?: string | undefined; userAgent?: string | undefined }): Promise<LoginResult>;
  /** Ends the caller's session (audited); false when there was none. */
  logout(req: FastifyRequest): boolean;
  /** The Set-Cookie value carrying a session id (signed). */
  sessionCookie(sessionId: string): string;
  /** The Set-Cookie value that clears the session cookie. */
  clearSessionCookie(): string;
  /** A "Sign out" form (POST /logout with its CSRF token) for page headers. */
  logoutForm(req: FastifyRequest, reply: FastifyReply): SafeHtml;
  /** Registers GET/POST /login and POST /logout. */
  registerRoutes(app: FastifyInstance): void;
}

interface Identity {
  user?: User;
  /** A presented credential that does not work (bad API token): a clear 401 rather than "anonymous". */
  error?: SluiceError;
  session?: Session;
  sessionId?: string;
}

/** Whether the request comes from a person's browser (redirect to login, HTML refusals) rather than an API client. */
export function wantsHtml(req: FastifyRequest): boolean {
  return !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
}

/**
 * The authentication of a Sluice server: users from sluice.yaml `approvers` (scrypt password
 * hashes), login sessions in signed HttpOnly SameSite=Lax cookies backed by the project
 * database, API tokens (`Authorization: Bearer`), CSRF tokens bound to the session, a login
 * rate limit, and the audit log.
 *
 * @example
 * const gate = createAuthGate({ db: runtime.db, config: project.config, secret: loadServerSecret(project.paths.stateDir), secureCookies: false });
 * const app = await createServer({ project, runtime, auth: gate });
 * app.get('/settings', { preHandler: gate.require('admin') }, handler);
 */
export function createAuthGate(opts: AuthGateOptions): ServerAuthGate {
  const now = opts.now ?? Date.now;
  const sessions = new SessionStore(opts.db, { ...DEFAULT_SESSION_LIMITS, ...opts.sessions }, now);
  const tokens = new TokenStore(opts.db, now);
  const limiter = new LoginLimiter(opts.db, { ...DEFAULT_LOGIN_LIMITS, ...opts.loginLimits }, now);
  const auditTrail = new AuditLog(opts.db, now);
  const csrf = new Csrf(opts.secret);
  const secure = opts.secureCookies;
  const home = opts.home ?? '/';
  const identities = new WeakMap<FastifyRequest, Identity>();
  const csrfCookies = new WeakMap<FastifyRequest, string>();

  const findUser = (name: string): ApproverConfig | undefined => {
    const lower = name.toLowerCase();
    return opts.config.approvers.find((a) => a.name.toLowerCase() === lower);
  };
  const asUser = (a: ApproverConfig, via: User['via']): User => ({ name: a.name, email: a.email, role: a.role, via });

  const cookies = new SessionCookie(opts.secret, sessions.limits.absoluteMs, secure);

  const tokenError = (code: string, message: string) =>
    new SluiceError(code, message, {
      httpStatus: 401,
      hint: 'create a new token with `sluice tokens create --user NAME` and send it as "Authorization: Bearer <token>"',
    });

  const resolve = (req: FastifyRequest): Identity => {
    const authz = req.headers.authorization;
    if (authz !== undefined) {
      const m = /^Bearer +([!-~]{1,300})\s*$/i.exec(authz);
      if (!m) return { error: tokenError('AUTH_BAD_HEADER', 'the Authorization header is not "Bearer <token>"') };
      const c = tokens.check(m[1]!);
      if (!c.ok) {
        if (c.reason === 'revoked') return { error: tokenError('TOKEN_REVOKED', `this API token (${c.token!.id}) was revoked at ${c.token!.revokedAt}`) };
        if (c.reason === 'expired') return { error: tokenError('TOKEN_EXPIRED', `this API token (${c.token!.id}) expired at ${c.token!.expiresAt}`) };
        return { error: tokenError('TOKEN_INVALID', 'this API token is not valid') };
      }
      const a = findUser(c.token.user);
      if (!a) return { error: tokenError('TOKEN_USER_UNKNOWN', `the user of this API token, "${c.token.user}", is no longer in sluice.yaml`) };
      return { user: asUser(a, 'token') };
    }
    const raw = readCookie(req.headers.cookie, SESSION_COOKIE);
    const sid = raw ? cookies.unsign(raw) : undefined;
    if (!sid) return {};
    const session = sessions.lookup(sid);
    if (!session) return {};
    const a = findUser(session.user);
    if (!a) {
      // Removed from sluice.yaml: the session ends with the user.
      sessions.delete(sid);
      return {};
    }
    return { user: asUser(a, 'session'), session, sessionId: sid };
  };
  const identify = (req: FastifyRequest): Identity => {
    let id = identities.get(req);
    if (!id) {
      id = resolve(req);
      identities.set(req, id);
    }
    return id;
  };

  /** What CSRF tokens are bound to: the session when there is one, else the CSRF cookie (set when `reply` is given and it is missing). */
  const csrfBinding = (req: FastifyRequest, reply?: FastifyReply): string | undefined => {
    const id = identify(req);
    if (id.session) return `s:${id.session.idHash}`;
    let cookie = readCookie(req.headers.cookie, CSRF_COOKIE) ?? csrfCookies.get(req);
    if (!cookie && reply) {
      cookie = csrf.newCookieValue();
      csrfCookies.set(req, cookie);
      reply.header('set-cookie', csrf.cookie(cookie, secure));
    }
    return cookie ? `c:${cookie}` : undefined;
  };

  const guard = (req: FastifyRequest, reply: FastifyReply, role: Role): boolean => {
    const id = identify(req);
    if (id.error) throw id.error;
    if (!id.user) {
      if (wantsHtml(req)) {
        const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.url)}` : '';
        void reply.redirect(`/login${next}`, 303);
        return false;
      }
      reply.header('www-authenticate', 'Bearer realm="sluice"');
      throw new SluiceError('AUTH_REQUIRED', 'this needs a signed-in user or an API token', {
        httpStatus: 401,
        hint: 'sign in at /login, or send "Authorization: Bearer <token>" (create one with `sluice tokens create --user NAME`)',
      });
    }
    if (!hasRole(id.user.role, role)) {
      const message = `this needs the ${role} role; ${id.user.name} is a ${id.user.role}`;
      const hint = 'an admin can change roles in sluice.yaml (approvers)';
      if (wantsHtml(req)) {
        sendPage(reply, 403, refusalPage('Not allowed', message, hint));
        return false;
      }
      throw new SluiceError('FORBIDDEN', message, { httpStatus: 403, hint });
    }
    return true;
  };

  const gate: ServerAuthGate = {
    sessions,
    tokens,
    limiter,
    auditTrail,
    home,
    findUser,

    users: () => opts.config.approvers.map((a) => ({ name: a.name, email: a.email, role: a.role, hasPassword: Boolean(a.passwordHash) })),

    userOf: (req) => identify(req).user,

    authenticate(req) {
      const id = identify(req);
      if (id.error) throw id.error;
      return id.user ? { name: id.user.name, email: id.user.email, role: id.user.role } : undefined;
    },

    guard,

    require(role: Role): preHandlerAsyncHookHandler {
      return async function requireRole(req, reply) {
        if (!guard(req, reply, role)) return reply;
      };
    },

    csrfToken(req, reply, subject = '') {
      return csrf.tokenFor(csrfBinding(req, reply)!, subject);
    },

    checkCsrf(req, subject = '') {
      const id = identify(req);
      // API tokens travel in a header a cross-site form cannot set, so they need no CSRF token.
      if (id.user?.via === 'token') return;
      const body = req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
      const presented = body.csrf ?? req.headers['x-csrf-token'];
      const binding = csrfBinding(req);
      if (!binding || !csrf.verify(binding, subject, presented)) {
        throw new SluiceError('CSRF_INVALID', 'the form expired or did not come from this site; nothing was changed', {
          httpStatus: 403,
          hint: 'reload the page and submit the form again (scripts send the token in the X-CSRF-Token header)',
        });
      }
    },

    audit: (entry) => void auditTrail.append(entry),
    auditLog: (q) => auditTrail.list(q),

    async login(name, password, meta) {
      if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
        throw new SluiceError('LOGIN_BAD_INPUT', 'type your name (at most 200 characters)', {
          location: { field: 'name' },
          hint: 'the name is the one in sluice.yaml approvers',
        });
      }
      checkPasswordInput(password);
      const who = name.trim();
      const retryAfter = limiter.retryAfter(who, meta.ip);
      if (retryAfter > 0)
        return { ok: false, status: 429, retryAfter, message: `Too many failed sign-ins. Try again in ${Math.ceil(retryAfter / 60)} minute(s).` };
      const a = findUser(who);
      const release = limiter.begin(who, meta.ip);
      let ok: boolean;
      try {
        ok = await verifyPassword(password as string, a?.passwordHash);
      } finally {
        release();
      }
      if (!ok || !a) {
        limiter.fail(who, meta.ip);
        const why = !a ? 'unknown user' : !a.passwordHash ? 'no password set' : 'wrong password';
        auditTrail.append({ actor: who, action: 'login.failed', target: `user:${who}`, detail: why, ip: meta.ip ?? null });
        return { ok: false, status: 401, message: 'Wrong name or password.' };
      }
      limiter.succeed(who, meta.ip);
      const sessionId = sessions.create(a.name, meta);
      auditTrail.append({ actor: a.name, action: 'login', target: `user:${a.name}`, detail: null, ip: meta.ip ?? null });
      return { ok: true, user: asUser(a, 'session'), sessionId };
    },

    logout(req) {
      const id = identify(req);
      if (!id.sessionId || !id.user) return false;
      sessions.delete(id.sessionId);
      auditTrail.append({ actor: id.user.name, action: 'logout', target: `user:${id.user.name}`, detail: null, ip: req.ip ?? null });
      return true;
    },

    sessionCookie: (sid) => cookies.set(sid),
    clearSessionCookie: () => cookies.clear(),

    logoutForm(req, reply) {
      return html`<form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="${gate.csrfToken(req, reply, 'logout')}"><button type="submit">Sign out</button></form>`;
    },

    registerRoutes(app) {
      loginRoutes(app, gate);
    },
  };
  return gate;
}
