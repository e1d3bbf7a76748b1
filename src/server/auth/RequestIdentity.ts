import type { FastifyRequest } from 'fastify';
import type { ApproverConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { readCookie } from '../csrf.js';
import type { User } from './AuthGate.js';
import { SESSION_COOKIE, type SessionCookie } from './SessionCookie.js';
import type { Session, SessionStore } from './SessionStore.js';
import type { TokenStore } from './TokenStore.js';

/** Who a request comes from. */
export interface Identity {
  user?: User;
  /** A presented credential that does not work (bad API token): a clear 401 rather than "anonymous". */
  error?: SluiceError;
  session?: Session;
  sessionId?: string;
}

/** The configured user of a name (case-insensitive), or undefined. */
export type FindUser = (name: string) => ApproverConfig | undefined;

/** A configured user as the caller, proven `via` a session or a token. */
export function asUser(a: ApproverConfig, via: User['via']): User {
  return { name: a.name, email: a.email, role: a.role, via };
}

function tokenError(code: string, message: string): SluiceError {
  return new SluiceError(code, message, {
    httpStatus: 401,
    hint: 'create a new token with `sluice tokens create --user NAME` and send it as "Authorization: Bearer <token>"',
  });
}

/**
 * Who a request comes from: an `Authorization: Bearer` API token when the header is there (a bad
 * one is an error, not "anonymous"), else the signed session cookie; a user removed from
 * sluice.yaml is nobody, and their session ends. Resolved once per request, by `authPlugin`'s
 * onRequest hook (the stores are asynchronous); afterwards {@link of} reads it synchronously.
 *
 * @example
 * const identity = new RequestIdentity({ findUser, sessions, tokens, cookies });
 * await identity.resolve(req);
 * identity.of(req).user?.name;
 */
export class RequestIdentity {
  private readonly known = new WeakMap<FastifyRequest, Identity>();

  constructor(private readonly deps: { findUser: FindUser; sessions: SessionStore; tokens: TokenStore; cookies: SessionCookie }) {}

  /** Looks the caller up (once per request) and remembers the answer for {@link of}. */
  async resolve(req: FastifyRequest): Promise<Identity> {
    let id = this.known.get(req);
    if (!id) {
      id = req.headers.authorization !== undefined ? await this.fromToken(req.headers.authorization) : await this.fromSession(req);
      this.known.set(req, id);
    }
    return id;
  }

  /** The caller of a request {@link resolve} has seen (authPlugin resolves every request first). */
  of(req: FastifyRequest): Identity {
    const id = this.known.get(req);
    if (!id) throw new Error('the caller of this request was not resolved: mount the auth gate with authPlugin, which resolves it on every request');
    return id;
  }

  private async fromToken(authz: string): Promise<Identity> {
    const m = /^Bearer +([!-~]{1,300})\s*$/i.exec(authz);
    if (!m) return { error: tokenError('AUTH_BAD_HEADER', 'the Authorization header is not "Bearer <token>"') };
    const c = await this.deps.tokens.check(m[1]!);
    if (!c.ok) {
      if (c.reason === 'revoked') return { error: tokenError('TOKEN_REVOKED', `this API token (${c.token!.id}) was revoked at ${c.token!.revokedAt}`) };
      if (c.reason === 'expired') return { error: tokenError('TOKEN_EXPIRED', `this API token (${c.token!.id}) expired at ${c.token!.expiresAt}`) };
      return { error: tokenError('TOKEN_INVALID', 'this API token is not valid') };
    }
    const a = this.deps.findUser(c.token.user);
    if (!a) return { error: tokenError('TOKEN_USER_UNKNOWN', `the user of this API token, "${c.token.user}", is no longer in sluice.yaml`) };
    return { user: asUser(a, 'token') };
  }

  private async fromSession(req: FastifyRequest): Promise<Identity> {
    const raw = readCookie(req.headers.cookie, SESSION_COOKIE);
    const sid = raw ? this.deps.cookies.unsign(raw) : undefined;
    if (!sid) return {};
    const session = await this.deps.sessions.lookup(sid);
    if (!session) return {};
    const a = this.deps.findUser(session.user);
    if (!a) {
      // Removed from sluice.yaml: the session ends with the user.
      await this.deps.sessions.delete(sid);
      return {};
    }
    return { user: asUser(a, 'session'), session, sessionId: sid };
  }
}
