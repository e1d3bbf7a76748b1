import { hostname, userInfo } from 'node:os';
import { SluiceError } from '../../core/errors.js';
import { decideApproval } from '../approvals/decideApproval.js';
import type { ApprovalOutcome } from '../events.js';
import { loadProject } from './loadProject.js';
import { ProjectRuntime } from './ProjectRuntime.js';

/**
 * A decision taken at the terminal (`sluice approve|reject`): the person is a configured
 * approver (`--as NAME`, or the only one configured), "from where" is the local user and host.
 */
export function cliDecision(
  runtime: ProjectRuntime,
  req: { executionId: string; decision: 'approve' | 'reject'; as?: string | undefined; comment?: string | undefined; reason?: string | undefined },
): Promise<ApprovalOutcome> {
  const deciders = runtime.approvers.filter((a) => a.role !== 'viewer');
  let name = req.as ?? process.env.SLUICE_APPROVER;
  if (!name) {
    if (deciders.length !== 1) {
      throw new SluiceError('APPROVER_REQUIRED', 'who is deciding?', {
        hint: `pass --as NAME (one of: ${deciders.map((a) => a.name).join(', ') || 'none configured in sluice.yaml'})`,
      });
    }
    name = deciders[0]!.name;
  }
  const approver = runtime.approver(name);
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return decideApproval(runtime.store, {
    executionId: req.executionId,
    approver,
    approvers: runtime.approvers,
    decision: req.decision,
    comment: req.comment,
    reason: req.reason,
    ip: `cli ${who}@${hostname()}`,
  });
}

/** `cliDecision` in the project at `projectDir` (default: the current folder): opens its runtime, decides, closes it. */
export async function decideInProject(projectDir: string | undefined, req: Parameters<typeof cliDecision>[1]): Promise<ApprovalOutcome> {
  const runtime = await ProjectRuntime.open(loadProject(projectDir));
  try {
    return await cliDecision(runtime, req);
  } finally {
    await runtime.close();
  }
}
