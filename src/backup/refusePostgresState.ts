import { SluiceError } from '../core/errors.js';
import type { Project } from '../pipeline/project/loadProject.js';
import { redactUrl } from '../state/redactUrl.js';
import { stateSettings } from '../state/stateSettings.js';

/**
 * `sluice backup` and `sluice restore` copy SQLite files; state in PostgreSQL is the database
 * server's to back up (pg_dump / pg_restore, or the operator's usual base backups). Refused
 * before anything is read or written, with the commands to use instead, rather than writing a
 * backup that silently leaves out every execution, approval, model version and user session.
 */
export function refusePostgresState(project: Project, command: 'backup' | 'restore'): void {
  const settings = stateSettings(project.config.stores.state, project.paths.db, project.file);
  if (settings.type !== 'postgres') return;
  const where = redactUrl(settings.url);
  const tool =
    command === 'backup'
      ? `back the state up with pg_dump (pg_dump --format=custom --file=sluice-state.dump "${where}"), and the artifacts, reports and offline store where stores.* keep them`
      : `restore the state with pg_restore (pg_restore --clean --if-exists --dbname="${where}" sluice-state.dump) from a pg_dump backup`;
  throw new SluiceError(
    command === 'backup' ? 'BACKUP_STATE_POSTGRES' : 'RESTORE_STATE_POSTGRES',
    `sluice ${command} copies SQLite state files, but this project's state is in PostgreSQL (${where}, from ${settings.from}); nothing was ${command === 'backup' ? 'written' : 'changed'}`,
    {
      location: { file: project.file, ...(settings.from === 'stores.state.url' ? { field: 'stores.state' } : {}) },
      hint: `${tool} (docs/operations.md, "State in PostgreSQL")`,
    },
  );
}
