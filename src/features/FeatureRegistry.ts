import { SluiceError } from '../core/errors.js';
import { isUniqueViolation } from '../state/isUniqueViolation.js';
import { asStateDb } from '../state/asStateDb.js';
import { migrateState } from '../state/migrateState.js';
import type { ProjectDb } from '../state/openProjectDb.js';
import type { StateDb } from '../state/StateDb.js';
import { FEATURE_MIGRATIONS } from './featureMigrations.js';
import { validateDefinition, validateGroupSpec } from './validateGroupSpec.js';
import type { FeatureDefinition, FeatureGroup, FeatureGroupChange, FeatureGroupSpec } from './types.js';

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
  /** The ingest attempt that committed it (its files and staged online entries); null for batches committed before attempts were recorded. */
  attempt: string | null;
}

/** What {@link FeatureRegistry.commitBatch} records; `attempt` is optional. */
export type BatchCommit = Omit<BatchRecord, 'committedAt' | 'attempt'> & { attempt?: string | null };

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

/** Rows per multi-row INSERT of definitions (a group may have hundreds of features). */
const INSERT_CHUNK = 200;

/**
 * The feature group registry: definitions, their change history (schema evolution), and the
 * committed batches of the offline store, in the shared state (`stores.state`: the project's
 * SQLite file, or PostgreSQL shared by every process). One SQL implementation over `StateDb`;
 * `test/stores/featureRegistry.conformance.test.ts` runs it on both drivers.
 *
 * Every change is one transaction that reads what it depends on inside it, so concurrent
 * writers (two processes creating one group, evolving it, committing one batch) end as if they
 * had run one after the other: one wins, the other gets a clear error or sees the result.
 */
export class FeatureRegistry {
  /** The shared state the registry lives in. */
  readonly db: StateDb;
  private readonly migrated: Promise<void>;

  constructor(db: StateDb | ProjectDb) {
    this.db = asStateDb(db);
    this.migrated = migrateState(this.db, 'features', FEATURE_MIGRATIONS);
    this.migrated.catch(() => {}); // reported by every call that awaits it
  }

  /** Resolves once the registry's tables are migrated (rejects with the migration's error). */
  ready(): Promise<void> {
    return this.migrated;
  }

  /** Registers a new group. A name already in use is refused (evolve it with {@link addFeatures}). */
  async create(spec: FeatureGroupSpec, now = new Date()): Promise<FeatureGroup> {
    const s = validateGroupSpec(spec);
    await this.migrated;
    const at = now.toISOString();
    try {
      await this.db.transaction(async (tx) => {
        if (await findRow(tx, s.name)) throw groupExists(s.name);
        await tx.run(
          `INSERT INTO feature_groups (name, record_identifier, event_time, description, tags, ttl_seconds, version, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
          [s.name, s.recordIdentifier, s.eventTime, s.description, JSON.stringify(s.tags), s.ttlSeconds, at, at],
        );
        await insertDefinitions(
          tx,
          s.name,
          s.features.map((f, i) => ({ ...f, position: i })),
          1,
        );
        await tx.run('INSERT INTO feature_group_changes (group_name, version, kind, features, at) VALUES (?, 1, ?, ?, ?)', [
          s.name,
          'created',
          JSON.stringify(s.features),
          at,
        ]);
      });
    } catch (e) {
      // Another process created the same name between our check and our insert (PostgreSQL's unique index).
      if (isUniqueViolation(e)) throw groupExists(s.name);
      throw e;
    }
    return this.get(s.name);
  }

  /**
   * Schema evolution: new features are appended and recorded as a new version; a feature that
   * exists with the same type is left alone; a feature whose type would change is refused,
   * because the offline history already holds values of the old type. Read and written in one
   * transaction, so two evolutions at once make two versions, never one version twice.
   */
  async addFeatures(name: string, features: readonly FeatureDefinition[], now = new Date()): Promise<EvolveResult> {
    await this.migrated;
    if (!Array.isArray(features)) {
      throw new SluiceError('FEATURE_SPEC_INVALID', 'features must be a list of {name, type}', {
        location: { field: 'features' },
        hint: 'e.g. [{"name": "age", "type": "integral"}]',
      });
    }
    const at = now.toISOString();
    const result = await this.db.transaction(async (tx) => {
      const group = await getGroup(tx, name);
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
              `feature "${old.name}" of "${group.name}" is ${old.type}; changing it to ${f.type} is refused: the offline history holds ${old.type} values and models trained on them expect that type`,
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
      await insertDefinitions(
        tx,
        group.name,
        added.map((f, i) => ({ ...f, position: group.features.length + i })),
        version,
      );
      await tx.run('INSERT INTO feature_group_changes (group_name, version, kind, features, at) VALUES (?, ?, ?, ?, ?)', [
        group.name,
        version,
        'features_added',
        JSON.stringify(added),
        at,
      ]);
      await tx.run('UPDATE feature_groups SET version = ?, updated_at = ? WHERE name = ?', [version, at, group.name]);
      return { group: await getGroup(tx, group.name), added, unchanged };
    });
    return result;
  }

  /**
   * The registered spelling of a group name, or a 404 error. One indexed read: online lookups
   * call it on every request and need no more than the name.
   */
  async canonicalName(name: string): Promise<string> {
    await this.migrated;
    const row = await findRow(this.db, name);
    return row ? row.name : (await this.get(name)).name;
  }

  async find(name: string): Promise<FeatureGroup | undefined> {
    await this.migrated;
    const row = await findRow(this.db, name);
    return row ? hydrate(this.db, row) : undefined;
  }

  /** The group, or a 404 SluiceError naming the groups that exist. */
  async get(name: string): Promise<FeatureGroup> {
    await this.migrated;
    return getGroup(this.db, name);
  }

  async list(): Promise<FeatureGroup[]> {
    await this.migrated;
    const rows = byName(await this.db.query<GroupRow>('SELECT * FROM feature_groups'));
    const out: FeatureGroup[] = [];
    for (const r of rows) out.push(await hydrate(this.db, r));
    return out;
  }

  async findBatch(group: string, batchId: string): Promise<BatchRecord | undefined> {
    await this.migrated;
    const r = await this.db.one<Record<string, unknown>>('SELECT * FROM feature_batches WHERE group_name = ? AND batch_id = ?', [group, batchId]);
    return r ? toBatch(r) : undefined;
  }

  /**
   * Commits a batch: from this moment its files are part of the offline store. One transaction
   * (or part of `tx`'s: the embedded online store applies the batch in the same SQLite
   * transaction). A batch id is committed once: when the group already has it (another attempt
   * committed it, possibly at this very moment from another connection), BATCH_COMMITTED (409)
   * says which attempt did, and nothing is written.
   */
  async commitBatch(b: BatchCommit, now = new Date(), tx?: StateDb): Promise<BatchRecord> {
    await this.migrated;
    const committedAt = now.toISOString();
    const attempt = b.attempt ?? null;
    await (tx ?? this.db).transaction(async (t) => {
      if (!(await t.one('SELECT name FROM feature_groups WHERE name = ?', [b.group]))) throw await groupNotFound(t, b.group);
      const r = await t.run(
        `INSERT INTO feature_batches (group_name, batch_id, kind, files, rows, duplicates_dropped, committed_at, attempt)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (group_name, batch_id) DO NOTHING`,
        [b.group, b.batchId, b.kind, JSON.stringify(b.files), b.rows, b.duplicatesDropped, committedAt, attempt],
      );
      if (r.changes === 0) {
        const other = await t.one<Record<string, unknown>>('SELECT * FROM feature_batches WHERE group_name = ? AND batch_id = ?', [b.group, b.batchId]);
        throw batchCommitted(b.group, b.batchId, other ? toBatch(other) : undefined);
      }
    });
    return { ...b, attempt, committedAt };
  }

  /**
   * Commits a compaction in one transaction: the new batch (kind `compact`, its files) appears and
   * the replaced files leave their batches' lists (the batches stay: their ids keep ingestion
   * idempotent). Refused when a replaced file is no longer listed (a concurrent compaction won).
   */
  async commitCompaction(group: string, batch: { batchId: string; files: string[] }, replaced: readonly string[], now = new Date()): Promise<BatchRecord> {
    await this.migrated;
    const gone = new Set(replaced);
    return this.db.transaction(async (tx) => {
      const rows = await batchRows(tx, group);
      const listed = new Set(rows.flatMap((b) => b.files));
      const missing = replaced.filter((f) => !listed.has(f));
      if (missing.length) {
        throw new SluiceError('COMPACT_CONFLICT', `${missing.length} file(s) of "${group}" were changed by another compaction meanwhile (e.g. ${missing[0]})`, {
          hint: 'run the compaction again',
          httpStatus: 409,
          retryable: true,
        });
      }
      for (const b of rows) {
        if (b.files.some((f) => gone.has(f))) {
          await tx.run('UPDATE feature_batches SET files = ? WHERE group_name = ? AND batch_id = ?', [
            JSON.stringify(b.files.filter((f) => !gone.has(f))),
            group,
            b.batchId,
          ]);
        }
      }
      return this.commitBatch({ group, batchId: batch.batchId, kind: 'compact', files: batch.files, rows: 0, duplicatesDropped: 0 }, now, tx);
    });
  }

  /** A group's committed batches, oldest first. */
  async batches(group: string): Promise<BatchRecord[]> {
    await this.migrated;
    return batchRows(this.db, group);
  }
}

/** The group's row by a name in any case (SQLite: NOCASE; PostgreSQL: lower(), backed by a unique index). */
function findRow(db: StateDb, name: string): Promise<GroupRow | undefined> {
  const sql =
    db.dialect === 'sqlite' ? 'SELECT * FROM feature_groups WHERE name = ? COLLATE NOCASE' : 'SELECT * FROM feature_groups WHERE lower(name) = lower(?)';
  return db.one<GroupRow>(sql, [String(name)]);
}

async function getGroup(db: StateDb, name: string): Promise<FeatureGroup> {
  const row = await findRow(db, name);
  if (row) return hydrate(db, row);
  throw await groupNotFound(db, name);
}

async function groupNotFound(db: StateDb, name: string): Promise<SluiceError> {
  const names = byName(await db.query<{ name: string }>('SELECT name FROM feature_groups')).map((x) => x.name);
  return new SluiceError('FEATURE_GROUP_NOT_FOUND', `feature group "${name}" does not exist`, {
    location: { field: 'group' },
    hint: names.length ? `existing groups: ${names.join(', ')}` : 'create one first: sluice features create NAME --from FILE --id COL --event-time COL',
    httpStatus: 404,
  });
}

function groupExists(name: string): SluiceError {
  return new SluiceError('FEATURE_GROUP_EXISTS', `feature group "${name}" already exists`, {
    location: { field: 'name' },
    hint: 'pick another name, or add features to it (sluice features create --evolve, or FeatureStore.addFeatures)',
    httpStatus: 409,
  });
}

function batchCommitted(group: string, batchId: string, other: BatchRecord | undefined): SluiceError {
  const by = other ? ` at ${other.committedAt}${other.attempt ? ` by attempt ${other.attempt}` : ''}` : '';
  return new SluiceError('BATCH_COMMITTED', `batch "${batchId}" of "${group}" is already committed${by}`, {
    location: { field: 'batchId' },
    hint: 'a batch id is committed once; its rows are in the store. Ingest new data under a new batch id',
    httpStatus: 409,
  });
}

async function insertDefinitions(tx: StateDb, group: string, defs: ReadonlyArray<FeatureDefinition & { position: number }>, version: number): Promise<void> {
  for (let i = 0; i < defs.length; i += INSERT_CHUNK) {
    const chunk = defs.slice(i, i + INSERT_CHUNK);
    await tx.run(
      `INSERT INTO feature_definitions (group_name, name, type, position, added_in_version) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      chunk.flatMap((f) => [group, f.name, f.type, f.position, version]),
    );
  }
}

async function hydrate(db: StateDb, r: GroupRow): Promise<FeatureGroup> {
  const defs = await db.query<FeatureDefinition>('SELECT name, type FROM feature_definitions WHERE group_name = ? ORDER BY position', [r.name]);
  const changes = await db.query<{ version: number; kind: FeatureGroupChange['kind']; features: string; at: string }>(
    'SELECT version, kind, features, at FROM feature_group_changes WHERE group_name = ? ORDER BY version',
    [r.name],
  );
  return {
    name: r.name,
    recordIdentifier: r.record_identifier,
    eventTime: r.event_time,
    features: defs.map((d) => ({ name: d.name, type: d.type })),
    description: r.description,
    tags: JSON.parse(r.tags) as Record<string, string>,
    ttlSeconds: r.ttl_seconds === null ? null : Number(r.ttl_seconds),
    version: Number(r.version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    history: changes.map((c) => ({ version: Number(c.version), kind: c.kind, at: c.at, features: JSON.parse(c.features) as FeatureDefinition[] })),
  };
}

async function batchRows(db: StateDb, group: string): Promise<BatchRecord[]> {
  const rows = await db.query<Record<string, unknown>>('SELECT * FROM feature_batches WHERE group_name = ?', [group]);
  // Sorted here, not in SQL: PostgreSQL's text order follows the database's collation, SQLite's is binary.
  return rows.map(toBatch).sort((a, b) => cmp(a.committedAt, b.committedAt) || cmp(a.batchId, b.batchId));
}

function byName<T extends { name: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => cmp(a.name, b.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
    attempt: r.attempt === null || r.attempt === undefined ? null : String(r.attempt),
  };
}
