import { openStateDb } from '../../state/openStateDb.js';
import type { StateDb } from '../../state/StateDb.js';
import { stateSettings } from '../../state/stateSettings.js';
import type { Project } from './loadProject.js';

/**
 * The project's shared state as sluice.yaml `stores.state` (or SLUICE_DATABASE_URL) says: the
 * SQLite project database, checked as at every open, or the PostgreSQL database. For commands
 * that need the state without the whole runtime (`sluice tokens`, `users`, `audit`, `models`).
 *
 * @example
 * const state = await openProjectState(loadProject());
 * try { await new AuditLog(state).list(); } finally { await state.close(); }
 */
export function openProjectState(project: Project): Promise<StateDb> {
  return openStateDb(stateSettings(project.config.stores.state, project.paths.db, project.file), { evidenceDirs: [project.paths.archive] });
}
