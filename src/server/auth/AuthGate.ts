import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

/** Roles, weakest first: a viewer reads, an approver also decides, an admin also changes models and settings. */
export const ROLES = ['viewer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` is at least `needed`. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** A signed-in person (session cookie) or an API-token caller. */
export interface User {
  name: string;
  email?: string | undefined;
  role: Role;
  /** How the caller proved who they are. */
  via: 'session' | 'token';
}

/** One line of the audit log: every decision and every change, with who, when and from where. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  /** `approval.approve`, `approval.reject`, `model.promote`, `model.rollback`, `login`, `login.failed`, `token.create`... */
  action: string;
  /** What it acted on: `execution:<id>`, `model:<name>@<version>`, `user:<name>`. */
  target: string;
  detail: string | null;
  ip: string | null;
}

/**
 * The contract between authentication (src/server/auth) and the console and API routes that
 * need it. Routes never read cookies or headers for identity themselves.
 */
export interface AuthGate {
  /** The caller, from the session cookie or an `Authorization: Bearer` API token; undefined when anonymous. */
  userOf(req: FastifyRequest): User | undefined;
  /**
   * A preHandler that lets through callers with at least `role`. Anonymous: HTML requests are
   * redirected to `/login?next=...`, API requests get 401. Too weak a role: 403 with a message
   * that names the role needed.
   */
  require(role: Role): preHandlerAsyncHookHandler;
  /** The CSRF token to put in a form (field `csrf`) acting on `subject`; sets the CSRF cookie when missing. */
  csrfToken(req: FastifyRequest, reply: FastifyReply, subject?: string): string;
  /** Throws SluiceError CSRF_INVALID (403) when the posted `csrf` field does not match. API-token calls are exempt (no cookies). */
  checkCsrf(req: FastifyRequest, subject?: string): void;
  /** Appends to the audit log. */
  audit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void>;
  /** The audit log, newest first. */
  auditLog(opts?: { limit?: number; before?: number; actor?: string; action?: string }): Promise<AuditEntry[]>;
}
