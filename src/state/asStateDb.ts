import type { ProjectDb } from './openProjectDb.js';
import { sqliteStateDb } from './sqliteStateDb.js';
import type { StateDb } from './StateDb.js';

const handles = new WeakMap<ProjectDb, StateDb>();

/**
 * The StateDb of what a store was given: a StateDb as it is (SQLite or PostgreSQL), or an open
 * project database (the SQLite connection callers passed before the stores moved onto StateDb)
 * wrapped once, sharing that connection and leaving closing it to its owner.
 *
 * @example
 * constructor(db: ProjectDb | StateDb) { this.db = asStateDb(db); }
 */
export function asStateDb(db: ProjectDb | StateDb): StateDb {
  if (isStateDb(db)) return db;
  let h = handles.get(db);
  if (!h) {
    h = sqliteStateDb(db, { ownsConnection: false });
    handles.set(db, h);
  }
  return h;
}

function isStateDb(db: ProjectDb | StateDb): db is StateDb {
  return 'dialect' in db && (db.dialect === 'sqlite' || db.dialect === 'postgres');
}
