import { isAbsolute, join } from 'node:path';
import type { ModelHistoryEntry, ModelStatus, ModelVersion } from './types.js';

/** Row shapes of the registry tables and their conversion to the public types. */
export interface VersionRow {
  name: string;
  version: number;
  status: ModelStatus;
  status_by: string | null;
  status_at: string | null;
  status_comment: string | null;
  description: string | null;
  created_at: string;
  created_by: string | null;
  artifact_dir: string;
  artifact_hash: string;
  metrics: string;
  tags: string;
  lineage: string;
}

export interface HistoryRow {
  id: number;
  name: string;
  version: number | null;
  kind: ModelHistoryEntry['kind'];
  alias: string | null;
  from_value: string | null;
  to_value: string | null;
  by: string;
  at: string;
  comment: string | null;
}

/** A version row as the public type; the artifact folder is resolved against `modelsDir`. */
export function toVersion(modelsDir: string, r: VersionRow, aliases: string[]): ModelVersion {
  return {
    name: r.name,
    version: r.version,
    status: r.status,
    statusBy: r.status_by,
    statusAt: r.status_at,
    statusComment: r.status_comment,
    description: r.description,
    createdAt: r.created_at,
    createdBy: r.created_by,
    artifactPath: isAbsolute(r.artifact_dir) ? r.artifact_dir : join(modelsDir, r.artifact_dir),
    artifactHash: r.artifact_hash,
    metrics: JSON.parse(r.metrics) as Record<string, number>,
    tags: JSON.parse(r.tags) as Record<string, string>,
    lineage: JSON.parse(r.lineage) as ModelVersion['lineage'],
    aliases,
  };
}

export function toHistory(r: HistoryRow): ModelHistoryEntry {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    kind: r.kind,
    alias: r.alias,
    from: r.from_value,
    to: r.to_value,
    by: r.by,
    at: r.at,
    comment: r.comment,
  };
}
