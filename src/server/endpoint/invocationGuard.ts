import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EndpointConfig } from '../../core/endpointConfig.js';
import { SluiceError } from '../../core/errors.js';

/** Callers the rate limiter remembers at most; the fullest buckets are forgotten first. */
const MAX_CALLERS = 10_000;

/** An `onRequest` hook for `POST /invocations`: 401 without a valid token, 429 past the rate. */
export type InvocationGuard = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The endpoint's optional access control from sluice.yaml `endpoint:`.
 *
 * - `auth`: the request must carry `Authorization: Bearer <token>` with one of the tokens of
 *   `auth.tokens` or of the environment variable `auth.tokenEnv` (commas or whitespace between
 *   them); otherwise 401 `ENDPOINT_UNAUTHORIZED` with `WWW-Authenticate: Bearer`. Tokens are
 *   compared by their SHA-256 in constant time, so any length or byte content is answered 401, never 500.
 * - `rateLimit`: a token bucket per caller (the token when there is auth, else the client
 *   address) holding `burst` requests and refilled at `perSecond`; an empty bucket answers 429
 *   `ENDPOINT_RATE_LIMITED` with `Retry-After` (whole seconds until one request is allowed).
 *
 * Returns undefined when neither is configured. Throws `ENDPOINT_AUTH_NO_TOKENS` when auth is
 * configured but no token is found (a missing variable never opens the endpoint).
 *
 * @example
 * const guard = invocationGuard(config.endpoint);
 * app.post('/invocations', { onRequest: guard }, handler);
 */
export function invocationGuard(config: EndpointConfig, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): InvocationGuard | undefined {
  const digests = config.auth ? tokenDigests(config.auth, env) : undefined;
  const limiter = config.rateLimit
    ? tokenBucket(config.rateLimit.perSecond, config.rateLimit.burst ?? Math.max(1, Math.floor(config.rateLimit.perSecond)), now)
    : undefined;
  if (!digests && !limiter) return undefined;
  return async (req, reply) => {
    let caller = `ip:${req.ip}`;
    if (digests) {
      const presented = bearerOf(req.headers.authorization);
      const digest = presented === undefined ? undefined : sha256(presented);
      if (!digest || !digests.some((d) => timingSafeEqual(d, digest))) {
        void reply.header('www-authenticate', 'Bearer realm="sluice-endpoint"');
        throw new SluiceError('ENDPOINT_UNAUTHORIZED', presented === undefined ? 'this endpoint needs a bearer token' : 'the bearer token is not accepted', {
          httpStatus: 401,
          hint: 'send Authorization: Bearer <token> with a token of endpoint.auth in sluice.yaml',
        });
      }
      caller = `token:${digest.toString('hex', 0, 16)}`;
    }
    const wait = limiter?.(caller);
    if (wait !== undefined) {
      const seconds = Math.max(1, Math.ceil(wait / 1000));
      void reply.header('retry-after', String(seconds));
      throw new SluiceError(
        'ENDPOINT_RATE_LIMITED',
        `too many requests: at most ${config.rateLimit!.perSecond} per second (bursts of ${config.rateLimit!.burst ?? Math.max(1, Math.floor(config.rateLimit!.perSecond))})`,
        {
          httpStatus: 429,
          retryable: true,
          hint: `retry after ${seconds} s, or raise endpoint.rateLimit in sluice.yaml`,
        },
      );
    }
  };
}

function tokenDigests(auth: NonNullable<EndpointConfig['auth']>, env: NodeJS.ProcessEnv): Buffer[] {
  const tokens = [...(auth.tokens ?? [])];
  if (auth.tokenEnv) tokens.push(...(env[auth.tokenEnv] ?? '').split(/[\s,]+/).filter((t) => t !== ''));
  if (tokens.length === 0) {
    throw new SluiceError(
      'ENDPOINT_AUTH_NO_TOKENS',
      auth.tokenEnv
        ? `endpoint.auth.tokenEnv names ${auth.tokenEnv}, which is not set or empty, and endpoint.auth.tokens lists none`
        : 'endpoint.auth lists no tokens',
      {
        location: { field: 'endpoint.auth' },
        hint: auth.tokenEnv
          ? `set ${auth.tokenEnv} to the accepted tokens (comma-separated) before starting the server`
          : 'give endpoint.auth.tokenEnv (an environment variable) or endpoint.auth.tokens',
      },
    );
  }
  return tokens.map(sha256);
}

function bearerOf(header: string | undefined): string | undefined {
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Returns a check: undefined when `caller` may go now (and takes one request), else the ms to wait. */
function tokenBucket(perSecond: number, burst: number, now: () => number): (caller: string) => number | undefined {
  const buckets = new Map<string, { level: number; at: number }>();
  return (caller) => {
    const t = now();
    let b = buckets.get(caller);
    if (b) {
      b.level = Math.min(burst, b.level + ((t - b.at) / 1000) * perSecond);
      b.at = t;
    } else {
      if (buckets.size >= MAX_CALLERS) forgetFull(buckets, t, perSecond, burst);
      b = { level: burst, at: t };
      buckets.set(caller, b);
    }
    if (b.level >= 1) {
      b.level -= 1;
      return undefined;
    }
    return ((1 - b.level) / perSecond) * 1000;
  };
}

/** Drops callers whose bucket has refilled (they lose nothing); if none has, the oldest. */
function forgetFull(buckets: Map<string, { level: number; at: number }>, t: number, perSecond: number, burst: number): void {
  for (const [k, b] of buckets) if (b.level + ((t - b.at) / 1000) * perSecond >= burst) buckets.delete(k);
  if (buckets.size >= MAX_CALLERS) buckets.delete(buckets.keys().next().value!);
}
