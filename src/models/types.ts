import { SluiceError } from '../core/errors.js';

/** Approval status of a model version, as SageMaker's `ModelApprovalStatus`. */
export const MODEL_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** The alias the real-time endpoint serves. */
export const CHAMPION = 'champion';
/** The alias a model gets when it did not beat the champion. */
export const CHALLENGER = 'challenger';

/** The training batch a model was fitted on. */
export interface TrainingBatchLineage {
  /** The data file as it arrived (path or object key). */
  file: string;
  /** `sha256:<hex>` of the file's bytes. */
  contentHash: string;
  /** The pipeline execution that trained the model. */
  executionId?: string;
}

/** Who approved the batch the model was trained on (the human in the loop). */
export interface ApprovalRecord {
  by: string;
  at: string;
  comment?: string;
}

/** Where a model came from: everything needed to trace a prediction back to data and people. */
export interface ModelLineage {
  trainingBatch?: TrainingBatchLineage;
  /** The fitted flow (recipe plus fitted parameters) serving applies to raw records. */
  fittedFlow?: string;
  /** The data quality and insights report of the training batch. */
  insightsReport?: string;
  approval?: ApprovalRecord;
  trainingConfig?: Record<string, unknown>;
  seed?: number;
}

/** What a caller states about a model when registering it. */
export interface RegisterMeta {
  name: string;
  description?: string;
  /** Defaults to `pending`. */
  status?: ModelStatus;
  metrics?: Record<string, number>;
  tags?: Record<string, string>;
  lineage?: ModelLineage;
  /** Who registered it (a person or `pipeline`). */
  by?: string;
  /**
   * Makes registration idempotent: registering again with the same name and key returns the
   * version registered the first time (an orchestrator activity keyed by execution id + step).
   */
  idempotencyKey?: string;
}

/** One registered version of a model package. */
export interface ModelVersion {
  name: string;
  version: number;
  status: ModelStatus;
  /** Who set the current status, when, and why. */
  statusBy: string | null;
  statusAt: string | null;
  statusComment: string | null;
  description: string | null;
  createdAt: string;
  createdBy: string | null;
  /** Absolute path of the artifact folder `<project>/.sluice/models/<name>/<version>`. */
  artifactPath: string;
  /** `sha256:<hex>` over the artifact's files (names and bytes). */
  artifactHash: string;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  lineage: ModelLineage;
  /** Aliases that currently point to this version. */
  aliases: string[];
}

/** One recorded change: registration, status, alias, deletion. */
export interface ModelHistoryEntry {
  id: number;
  name: string;
  version: number | null;
  kind: 'registered' | 'status' | 'alias' | 'alias_removed' | 'rollback' | 'deleted' | 'tags' | 'recovered';
  alias: string | null;
  from: string | null;
  to: string | null;
  by: string;
  at: string;
  comment: string | null;
}

/** A model name with its latest version and aliases, for listings. */
export interface ModelSummary {
  name: string;
  versions: number;
  latestVersion: number;
  aliases: Record<string, number>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Model names and aliases become folder names and URL segments: keep them plain. */
export function checkName(kind: 'model name' | 'alias', value: unknown): string {
  if (typeof value !== 'string' || !NAME_RE.test(value)) {
    throw new SluiceError('MODEL_BAD_NAME', `invalid ${kind} ${JSON.stringify(value)}`, {
      hint: `a ${kind} starts with a letter or digit and has up to 128 letters, digits, ".", "_" or "-"`,
      location: { field: kind === 'alias' ? 'alias' : 'name' },
    });
  }
  if (kind === 'alias' && /^\d+$/.test(value)) {
    throw new SluiceError('MODEL_BAD_NAME', `alias "${value}" is all digits and would be confused with a version`, {
      hint: 'use a name such as "staging" or "v2-candidate"',
      location: { field: 'alias' },
    });
  }
  return value;
}

export function checkStatus(value: unknown): ModelStatus {
  if (typeof value !== 'string' || !(MODEL_STATUSES as readonly string[]).includes(value)) {
    throw new SluiceError('MODEL_BAD_STATUS', `invalid status ${JSON.stringify(value)}`, {
      hint: `use one of ${MODEL_STATUSES.join(', ')}`,
      location: { field: 'status' },
    });
  }
  return value as ModelStatus;
}
