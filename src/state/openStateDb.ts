import { openProjectDb, type ProjectDb } from './openProjectDb.js';
import { postgresStateDb } from './postgresStateDb.js';
import { sqliteStateDb } from './sqliteStateDb.js';
import type { StateDb } from './StateDb.js';
import type { StateSettings } from './stateSettings.js';

export interface OpenStateOptions {
  /**
   * The project database already open in this process: with SQLite state, the handle shares
   * its connection (and leaves closing it to its owner) instead of opening a second one, which
   * would wait on the first one's write lock.
   */
  sqlite?: ProjectDb;
  /** Folders whose files mean the project has state (see openProjectDb). */
  evidenceDirs?: readonly string[];
}

/**
 * Opens the shared state as {@link stateSettings} resolved it: the SQLite project database
 * (checked as `openProjectDb` checks it), or a PostgreSQL pool, connected once so that a wrong
 * address fails here, clearly, rather than at the first execution.
 *
 * @example
 * const state = await openStateDb(stateSettings(config.stores.state, paths.db, file));
 */
export async function openStateDb(settings: StateSettings, options: OpenStateOptions = {}): Promise<StateDb> {
  if (settings.type === 'postgres') return postgresStateDb(settings.url, settings.pool !== undefined ? { max: settings.pool } : {});
  if (options.sqlite) return sqliteStateDb(options.sqlite, { ownsConnection: false });
  return sqliteStateDb(openProjectDb(settings.path, options.evidenceDirs ? { evidenceDirs: options.evidenceDirs } : {}));
}
