import type { Role } from './AuthGate.js';

/** What a route needs: `open` (its own credential, or none), a role, or `undefined` (the route checks for itself). */
export type RouteNeed = Role | 'open' | undefined;

/** Routes open to all (health, the API's own description) or carrying their own credential (the S3 notifier's shared secret, approval-link tokens). */
const OPEN = new Set(['/api/health', '/api/openapi.json', '/api/s3-events', '/api/approvals/decide']);

/**
 * The role each built-in route needs when the server has authentication, in one table so it can
 * be read and tested at once: reading needs `viewer`, starting an execution and deciding need
 * `approver`; redriving, changing models and writing to the feature store need `admin`. `pattern` is the route
 * as registered (`/api/executions/:id/approve`), not the URL.
 */
export function routePolicy(method: string, pattern: string): RouteNeed {
  if (OPEN.has(pattern)) return 'open';
  if (pattern.startsWith('/reports/')) return 'viewer';
  if (!pattern.startsWith('/api/')) return undefined;
  const write = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
  if (pattern === '/api/executions' && write) return 'approver';
  if (/^\/api\/executions\/:id\/(approve|reject)$/.test(pattern)) return 'approver';
  if (pattern === '/api/executions/:id/redrive') return 'admin';
  // The console's audit page is for approvers too; the API says the same.
  if (pattern === '/api/audit') return 'approver';
  // Promote, roll back, approve a version, tag, delete: only admins change models.
  if (pattern.startsWith('/api/models') && write) return 'admin';
  // batch-get is a POST that only reads.
  if (pattern.startsWith('/api/features/') && write && pattern !== '/api/features/records/batch-get') return 'admin';
  return 'viewer';
}
