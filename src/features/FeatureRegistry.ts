import { SluiceError } from '../core/errors.js';
import { migrate, type ProjectDb } from '../state/openProjectDb.js';
import { validateDefinition, validateGroupSpec } from './validateGroupSpec.js';
import type { FeatureDefinition, FeatureGroup, FeatureGroupChange, FeatureGroupSpec } from './types.js';

/** Registry tables, in the project database. Append-only: add migrations, never edit one. */
export const FEATURE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE feature_groups (
     name TEXT PRIMARY KEY, record_identifier TEXT NOT NULL, event_time TEXT NOT NULL,
     description TEXT NOT NULL, tags TEXT NOT NULL, ttl_seconds INTEGER,
     version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE feature_definitions (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     name TEXT NOT NULL, type TEXT NOT NULL, position INTEGER NOT NULL, added_in_version INTEGER NOT NULL,
     PRIMARY KEY (group_name, name));
   CREATE TABLE feature_group_changes (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     version INTEGER NOT NULL, kind TEXT NOT NULL, features TEXT NOT NULL, at TEXT NOT NULL,
     PRIMARY KEY (group_name, version));
   CREATE TABLE feature_batches (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     batch_id TEXT NOT NULL, kind TEXT NOT NULL, files TEXT NOT NULL, rows INTEGER NOT NULL,
     duplicates_dropped INTEGER NOT NULL, committed_at TEXT NOT NULL,
     PRIMARY KEY (group_name, batch_id));`,
];

/** A batch committed to the offline store; its files are visible only once this row exists. */
export interface BatchRecord {
  group: string;
  batchId: string;
  /** `compact`: files rewritten from other batches' files by compaction; it adds no rows. */
  kind: 'ingest' | 'put' | 'delete' | 'compact';
  /** Paths relative to the offline root. */
  files: string[];
  rows: number;
  duplicatesDropped: number;
  committedAt: string;
}

/** Result of {@link FeatureRegistry.addFeatures}. */
export interface EvolveResult {
  group: FeatureGroup;
  added: FeatureDefinition[];
  unchanged: FeatureDefinition[];
}

interface GroupRow {
  name: string;
  record_identifier: string;
  event_time: string;
  description: string;
  tags: string;
  ttl_seconds: number | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * The feature group registry: definitions, their change history (schema evolution), and the
 * committed batches of the offline store, in the project's SQLite database.
 */
export class FeatureRegistry {
  private readonly nameStmt: ReturnType<ProjectDb['prepare']>;

  constructor(private readonly db: ProjectDb) {
    migrate(db, 'features', FEATURE_MIGRATIONS);
    this.nameStmt = db.prepare('SELECT name FROM feature_groups WHERE name = ? COLLATE NOCASE');
  }

  /** Registers a new group. A name already in use is refused (evolve it with {@link addFeatures}). */
  async create(spec: FeatureGroupSpec, now = new Date()): Promise<FeatureGroup> {
    const s = validateGroupSpec(spec);
    if (await this.find(s.name)) {
      throw new SluiceError('FEATURE_GROUP_EXISTS', `feature group "${s.name}" already exists`, {
        location: { field: 'name' },
        hint: 'pick another name, or add features to it (sluice features create --evolve, or FeatureStore.addFeatures)',
        httpStatus: 409,
      });
    }
    const at = now.toISOString();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO feature_groups VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)')
        .run(s.name, s.recordIdentifier, s.eventTime, s.description, JSON.stringify(s.tags), s.ttlSeconds, at, at);
      const ins = this.db.prepare('INSERT INTO feature_definitions VALUES (?, ?, ?, ?, 1)');
      s.features.forEach((f, i) => {
        ins.run(s.name, f.name, f.type, i);
      });
      this.db.prepare('INSERT INTO feature_group_changes VALUES (?, 1, ?, ?, ?)').run(s.name, 'created', JSON.stringify(s.features), at);
    })();
    return this.get(s.name);
  }

  /**
   * Schema evolution: new features are appended and recorded as a new version; a feature that
   * exists with the same type is left alone; a feature whose type would change is refused,
   * because the offline history already holds values of the old type.
   */
  async addFeatures(name: string, features: readonly FeatureDefinition[], now = new Date()): Promise<EvolveResult> {
    const group = await this.get(name);
    const existing = new Map(group.features.map((f) => [f.name.toLowerCase(), f]));
    const seen = new Map(group.features.map((f) => [f.name.toLowerCase(), f.name]));
    const added: FeatureDefinition[] = [];
    const unchanged: FeatureDefinition[] = [];
    features.forEach((f, i) => {
      const old = existing.get(String(f?.name).toLowerCase());
      if (old) {
        if (old.type !== f.type) {
          throw new SluiceError(
            'FEATURE_TYPE_CHANGE',
            `feature "${old.name}" of "${name}" is ${old.type}; changing it to ${f.type} is refused: the offline history holds ${old.type} values and models trained on them expect that type`,
            {
              location: { field: `features[${i}].type` },
              hint: `add a new feature with another name (e.g. ${old.name}_${f.type}) and backfill it`,
              httpStatus: 409,
            },
          );
        }
        unchanged.push(old);
        return;
      }
      validateDefinition(f, i, seen);
      added.push({ name: f.name, type: f.type });
    });
    if (added.length === 0) return { group, added, unchanged };
    const version = group.version + 1;
    const at = now.toISOString();
    this.db.transaction(() => {
      const ins = this.db.prepare('INSERT INTO feature_definitions VALUES (?, ?, ?, ?, ?)');
      added.forEach((f, i) => {
        ins.run(name, f.name, f.type, group.features.length + i, version);
      });
      this.db.prepare('INSERT INTO feature_group_changes VALUES (?, ?, ?, ?, ?)').run(name, version, 'features_added', JSON.stringify(added), at);
      this.db.prepare('UPDATE feature_groups SET version = ?, updated_at = ? WHERE name = ?').run(version, at, name);
    })();
    return { group: await this.get(name), added, unchanged };
  }

  /**
   * The registered spelling of a group name, or a 404 error. One indexed read: online lookups
   * call it on every request and need no more than the name.
   */
  async canonicalName(name: string): Promise<string> {
    const row = this.nameStmt.get(name) as { name: string } | undefined;
    return row ? row.name : (await this.get(name)).name;
  }

  async find(name: string): Promise<FeatureGroup | undefined> {
    const row = this.db.prepare('SELECT * FROM feature_groups WHERE name = ? COLLATE NOCASE').get(name) as GroupRow | undefined;
    return row ? this.hydrate(row) : undefined;
  }

  /** The group, or a 404 SluiceError naming the groups that exist. */
  async get(name: string): Promise<FeatureGroup> {
    const g = await this.find(name);
    if (g) return g;
    const names = (await this.list()).map((x) => x.name);
    throw new SluiceError('FEATURE_GROUP_NOT_FOUND', `feature group "${name}" does not exist`, {
      location: { field: 'group' },
      hint: names.length ? `existing groups: ${names.join(', ')}` : 'create one first: sluice features create NAME --from FILE --id COL --event-time COL',
      httpStatus: 404,
    });
  }

  async list(): Promise<FeatureGroup[]> {
    const rows = this.db.prepare('SELECT * FROM feature_groups ORDER BY name').all() as GroupRow[];
    return rows.map((r) => this.hydrate(r));
  }

  async findBatch(group: string, batchId: string): Promise<BatchRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM feature_batches WHERE group_name = ? AND batch_id = ?').get(group, batchId) as Record<string, unknown> | undefined;
    return r ? toBatch(r) : undefined;
  }

  /**
   * Commits a batch: from this moment its files are part of the offline store. Synchronous, as it
   * runs inside the embedded online store's SQLite transaction (ingestBatch's commit callback).
   */
  commitBatch(b: Omit<BatchRecord, 'committedAt'>, now = new Date()): BatchRecord {
    const committedAt = now.toISOString();
    this.db
      .prepare('INSERT INTO feature_batches VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(b.group, b.batchId, b.kind, JSON.stringify(b.files), b.rows, b.duplicatesDropped, committedAt);
    return { ...b, committedAt };
  }

  /**
   * Commits a compaction in one transaction: the new batch (kind `compact`, its files) appears and
   * the replaced files leave their batches' lists (the batches stay: their ids keep ingestion
   * idempotent). Refused when a replaced file is no longer listed (a concurrent compaction won).
   */
  async commitCompaction(group: string, batch: { batchId: string; files: string[] }, replaced: readonly string[], now = new Date()): Promise<BatchRecord> {
    const gone = new Set(replaced);
    return this.db.transaction(() => {
      const rows = this.batchRows(group);
      const listed = new Set(rows.flatMap((b) => b.files));
      const missing = replaced.filter((f) => !listed.has(f));
      if (missing.length) {
        throw new SluiceError('COMPACT_CONFLICT', `${missing.length} file(s) of "${group}" were changed by another compaction meanwhile (e.g. ${missing[0]})`, {
          hint: 'run the compaction again',
          httpStatus: 409,
          retryable: true,
        });
      }
      const update = this.db.prepare('UPDATE feature_batches SET files = ? WHERE group_name = ? AND batch_id = ?');
      for (const b of rows) {
        if (b.files.some((f) => gone.has(f))) update.run(JSON.stringify(b.files.filter((f) => !gone.has(f))), group, b.batchId);
      }
      return this.commitBatch({ group, batchId: batch.batchId, kind: 'compact', files: batch.files, rows: 0, duplicatesDropped: 0 }, now);
    })();
  }

  async batches(group: string): Promise<BatchRecord[]> {
    return this.batchRows(group);
  }

  private batchRows(group: string): BatchRecord[] {
    const rows = this.db.prepare('SELECT * FROM feature_batches WHERE group_name = ? ORDER BY committed_at, batch_id').all(group) as Array<
      Record<string, unknown>
    >;
    return rows.map(toBatch);
  }

  private hydrate(r: GroupRow): FeatureGroup {
    const defs = this.db.prepare('SELECT name, type FROM feature_definitions WHERE group_name = ? ORDER BY position').all(r.name) as FeatureDefinition[];
    const changes = this.db
      .prepare('SELECT version, kind, features, at FROM feature_group_changes WHERE group_name = ? ORDER BY version')
      .all(r.name) as Array<{
      version: number;
      kind: FeatureGroupChange['kind'];
      features: string;
      at: string;
    }>;
    return {
      name: r.name,
      recordIdentifier: r.record_identifier,
      eventTime: r.event_time,
      features: defs.map((d) => ({ name: d.name, type: d.type })),
      description: r.description,
      tags: JSON.parse(r.tags) as Record<string, string>,
      ttlSeconds: r.ttl_seconds,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      history: changes.map((c) => ({ version: c.version, kind: c.kind, at: c.at, features: JSON.parse(c.features) as FeatureDefinition[] })),
    };
  }
}

function toBatch(r: Record<string, unknown>): BatchRecord {
  return {
    group: String(r.group_name),
    batchId: String(r.batch_id),
    kind: r.kind as BatchRecord['kind'],
    files: JSON.parse(String(r.files)) as string[],
    rows: Number(r.rows),
    duplicatesDropped: Number(r.duplicates_dropped),
    committedAt: String(r.committed_at),
  };
}
