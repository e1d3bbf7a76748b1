import { durationMs } from '../../pipeline/definition/duration.js';
import type { Project } from '../../pipeline/project/loadProject.js';
import type { ProjectDb } from '../../state/openProjectDb.js';
import type { StateDb } from '../../state/StateDb.js';
import { createAuthGate, type AuthGateOptions } from './createAuthGate.js';
import type { ServerAuthGate } from './ServerAuthGate.js';
import { LiveApprovers } from '../../pipeline/project/LiveApprovers.js';
import { loadServerSecret } from './serverSecret.js';

/**
 * The gate of a project as `sluice serve` runs it: users from its sluice.yaml (as the file says at each request), the secret from
 * `<stateDir>/secret`, Secure cookies when `server.publicUrl` is https, session lifetimes from
 * `server.sessionIdle` and `server.sessionMaxAge`.
 *
 * @example
 * const app = await createServer({ project, runtime, auth: projectAuthGate(project, runtime.state) });
 */
export function projectAuthGate(project: Project, db: StateDb | ProjectDb, extra: Partial<AuthGateOptions> = {}): ServerAuthGate {
  const server = project.config.server;
  const users = new LiveApprovers(project.file, project.config.approvers);
  return createAuthGate({
    db,
    // Read at each request: a user removed from sluice.yaml or demoted loses their rights at once.
    config: {
      get approvers() {
        return users.current();
      },
    },
    secret: loadServerSecret(project.paths.stateDir),
    secureCookies: (project.config.server.publicUrl ?? '').startsWith('https:'),
    sessions: {
      ...(server.sessionIdle ? { idleMs: durationMs(server.sessionIdle) } : {}),
      ...(server.sessionMaxAge ? { absoluteMs: durationMs(server.sessionMaxAge) } : {}),
    },
    ...extra,
  });
}
