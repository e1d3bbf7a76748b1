import type { FastifyRequest } from 'fastify';
import type { Approver } from '../pipeline/approvals/Approver.js';
import type { ProjectRuntime } from '../pipeline/project/ProjectRuntime.js';
import type { ServerAuthGate } from './auth/ServerAuthGate.js';
import type { Csrf } from './csrf.js';

/**
 * Who is calling. The console (sessions) and API tokens plug in here; without an
 * authenticator, only approval tokens from messages can decide.
 */
export type Authenticate = (req: FastifyRequest) => Approver | undefined | Promise<Approver | undefined>;

/** What every route of the server shares. */
export interface ServerContext {
  runtime: ProjectRuntime;
  csrf: Csrf;
  authenticate?: Authenticate | undefined;
  /** Sessions, API tokens, roles and the audit log, when the server has authentication. */
  auth?: ServerAuthGate | undefined;
}
