/** A person who may decide approvals (from sluice.yaml `approvers`). */
export interface Approver {
  name: string;
  email?: string | undefined;
  role: 'approver' | 'admin' | 'viewer';
}

/**
 * Whether `who` may decide an approval state restricted to `allowed` (names or roles; all
 * approvers and admins when absent). Viewers never decide.
 */
export function mayDecide(who: Approver, allowed: readonly string[] | null | undefined): boolean {
  if (who.role === 'viewer') return false;
  if (!allowed || allowed.length === 0) return true;
  return allowed.includes(who.name) || allowed.includes(who.role);
}
