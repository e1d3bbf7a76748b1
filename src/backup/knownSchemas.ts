import { FEATURE_MIGRATIONS } from '../features/featureMigrations.js';
import { ONLINE_MIGRATIONS } from '../features/online/SqliteOnlineStore.js';
import { MODEL_MIGRATIONS } from '../models/migrations.js';
import { PIPELINE_MIGRATIONS } from '../pipeline/store/pipelineMigrations.js';
import { AUTH_MIGRATIONS } from '../server/auth/authTables.js';
import { PREDICTION_MIGRATIONS } from '../server/endpoint/PredictionLog.js';
import type { ProjectDb } from '../state/openProjectDb.js';

/**
 * The newest schema version this Sluice knows of each module's tables (the number of its
 * migrations). A database whose `schema_migrations` names a newer version was written by a newer
 * Sluice: `sluice restore` refuses it rather than put back state this one would misread.
 */
export function knownSchemaVersions(): Record<string, number> {
  return {
    pipeline: PIPELINE_MIGRATIONS.length,
    models: MODEL_MIGRATIONS.length,
    features: FEATURE_MIGRATIONS.length,
    features_online: ONLINE_MIGRATIONS.length,
    auth: AUTH_MIGRATIONS.length,
    predictions: PREDICTION_MIGRATIONS.length,
  };
}

/** The schema version of each module in a database, from its `schema_migrations` table ({} when it has none). */
export function schemaVersionsOf(db: ProjectDb): Record<string, number> {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (!has) return {};
  const rows = db.prepare('SELECT module, MAX(version) AS version FROM schema_migrations GROUP BY module ORDER BY module').all() as Array<{
    module: string;
    version: number;
  }>;
  return Object.fromEntries(rows.map((r) => [r.module, r.version]));
}
