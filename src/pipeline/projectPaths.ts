import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_STATE_DIR } from '../core/stateDir.js';

/** Where a project keeps things on disk (see ARCHITECTURE.md, "A Sluice project on disk"). */
export interface ProjectPaths {
  root: string;
  stateDir: string;
  db: string;
  reports: string;
  models: string;
  offline: string;
  inbox: string;
  archive: string;
  flows: string;
}

/** Resolves a project's folders; relative settings are relative to the project root. */
export function projectPaths(root: string, settings: { stateDir?: string; inbox?: string; archive?: string } = {}): ProjectPaths {
  const r = resolve(root);
  const at = (p: string) => (isAbsolute(p) ? p : join(r, p));
  const stateDir = at(settings.stateDir ?? DEFAULT_STATE_DIR);
  return {
    root: r,
    stateDir,
    db: join(stateDir, 'sluice.db'),
    reports: join(stateDir, 'reports'),
    models: join(stateDir, 'models'),
    offline: join(stateDir, 'offline'),
    inbox: at(settings.inbox ?? 'inbox'),
    archive: at(settings.archive ?? 'archive'),
    flows: join(r, 'flows'),
  };
}
