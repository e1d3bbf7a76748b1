import type { FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '../../core/errors.js';
import type { User } from '../auth/AuthGate.js';
import type { Frame } from './consoleLayout.js';
import type { ConsoleOptions } from './ConsoleOptions.js';

/** What every console route file shares: the options, the base path and the page frame. */
export interface ConsoleScope {
  opts: ConsoleOptions;
  base: string;
  /** The signed-in user (the route's `auth.require` preHandler guarantees one). */
  user(req: FastifyRequest): User;
  frame(req: FastifyRequest, reply: FastifyReply): Frame;
}

/** The shared part of the console's routes for one mount (options and base path). */
export function consoleScope(opts: ConsoleOptions, base: string): ConsoleScope {
  const user = (req: FastifyRequest): User => {
    const u = opts.auth.userOf(req);
    // Unreachable behind auth.require; refuse rather than render a page for nobody.
    if (!u) throw new SluiceError('UNAUTHENTICATED', 'sign in to use the console', { httpStatus: 401, hint: 'open /login' });
    return u;
  };
  return {
    opts,
    base,
    user,
    frame: (req, reply) => ({ base, user: user(req), logoutCsrf: opts.auth.csrfToken(req, reply, 'logout'), projectName: opts.runtime.project.config.name }),
  };
}

/** A form field as a string (undefined when absent or not a string). */
export function field(body: unknown, key: string): string | undefined {
  const v = (body as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
}
