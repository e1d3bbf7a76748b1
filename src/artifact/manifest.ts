import { z } from 'zod';
import type { ColumnSchema } from '../core/types.js';
import { issuePath, plainIssues } from '../core/zodIssues.js';
import type { ProblemType } from '../ml/automl/problemType.js';
import type { MetricName } from '../ml/metrics/metricRegistry.js';
import type { LearnerName } from '../ml/learners.js';
import { artifactError } from './artifactError.js';

export const MANIFEST_FORMAT = 'sluice.model-manifest';

/**
 * The manifest format this Sluice writes. 2: the manifest has its own name (`SLUICE_MODEL.json`,
 * inside the artifact folder) and records the hash of every file. 1 (read only): `model.json`
 * beside the artifact folder and `manifest.json` inside it, without hashes.
 */
export const MANIFEST_VERSION = 2;

/** The manifest format versions this Sluice reads. */
export const MANIFEST_VERSIONS_READ = [1, 2] as const;

/** The size and SHA-256 of one file of the artifact, as saved. */
export interface ArtifactFileHash {
  sha256: string;
  bytes: number;
}

/**
 * The manifest of a model artifact (`SLUICE_MODEL.json`), as MLflow's `MLmodel`: what the model
 * is, what it needs at prediction time, how good it is, what it was trained on, and the hash of
 * every file of the folder. Documented field by field in docs/models.md.
 */
export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: (typeof MANIFEST_VERSIONS_READ)[number];
  /** The learner of the best candidate (`ensemble` for a weighted ensemble). */
  learner: LearnerName;
  sluiceVersion: string;
  problemType: ProblemType;
  target: string;
  /** Class labels in the model's output order (empty for regression). */
  classLabels: string[];
  /**
   * The raw columns (and types) the fitted flow and the model read at prediction time: only these
   * are required; skipped and dropped columns are ignored when present (src/training/inputSignature.ts).
   */
  inputSignature: ColumnSchema[];
  /** The model's features: the flow's output columns it reads. */
  features: Array<ColumnSchema & { kind: 'numeric' | 'categorical' }>;
  /** The flow's record id column, copied to predictions when present. */
  recordId?: string;
  flow: { name: string; flowHash: string; steps: number };
  /**
   * Whether the fitted flow runs on single records (the endpoint): false with the steps that
   * cannot, as `sluice train` reported them (src/flow/servingProblems.ts). Batch predictions work either way.
   */
  serving?: { records: boolean; problems?: string[] };
  metric: MetricName;
  metrics: {
    holdout: Record<string, number>;
    cv: { metric: MetricName; mean: number | null; std: number | null; folds: number[] };
  };
  trainingData: {
    file: string;
    sha256: string;
    bytes: number;
    rows: { file: number; afterFlow: number; missingTarget: number; used: number; train: number; holdout: number };
  };
  seed: number;
  timeLimitSeconds: number;
  holdoutFraction: number;
  createdAt: string;
  /** The model and the fitted flow, relative to the manifest (version 1: relative to the training output folder). */
  artifact: { model: string; fittedFlow: string };
  /** Version 2: every other file of the artifact folder, by name, with its size and SHA-256. */
  files?: Record<string, ArtifactFileHash>;
}

/** What `saveArtifact` is given: the manifest without what saving fills in. */
export type ManifestFacts = Omit<ModelManifest, 'format' | 'formatVersion' | 'artifact' | 'files'>;

const column = z.looseObject({ name: z.string(), type: z.string() });

/** The fields every reader relies on, checked when a manifest is read; the others are kept as written. */
const manifestSchema = z.looseObject({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  learner: z.string(),
  problemType: z.string(),
  target: z.string(),
  classLabels: z.array(z.string()),
  inputSignature: z.array(column),
  features: z.array(column),
  recordId: z.string().optional(),
  metrics: z.looseObject({ holdout: z.record(z.string(), z.unknown()) }),
  artifact: z.object({ model: z.string(), fittedFlow: z.string() }),
  files: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })).optional(),
});

/**
 * A manifest from its text, checked: not JSON or not a manifest is `ARTIFACT_INVALID`; a format
 * version this Sluice does not read is `ARTIFACT_VERSION_UNKNOWN`; a version 2 manifest is
 * checked field by field (`ARTIFACT_INVALID` naming the field), file hashes included. A version 1
 * manifest is returned as written: fields added during version 1 (`inputSignature`, `serving`)
 * may be absent, so its readers check them.
 *
 * @example
 * const manifest = parseManifest(await readFile(file, 'utf8'), file);
 */
export function parseManifest(text: string, file: string): ModelManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw artifactError('ARTIFACT_INVALID', `${file} is not JSON: ${(e as Error).message}`, file, 'the file may be truncated; train the model again', e);
  }
  const o = (doc ?? {}) as { format?: unknown; formatVersion?: unknown };
  if (typeof o !== 'object' || o.format !== MANIFEST_FORMAT) {
    throw artifactError(
      'ARTIFACT_INVALID',
      `${file} is not a model manifest (no "format": "${MANIFEST_FORMAT}")`,
      file,
      'pass the folder written by `sluice train --out DIR` (DIR or DIR/model)',
    );
  }
  if (!(MANIFEST_VERSIONS_READ as readonly unknown[]).includes(o.formatVersion)) {
    throw artifactError(
      'ARTIFACT_VERSION_UNKNOWN',
      `${file} has manifest format version ${JSON.stringify(o.formatVersion)}; this Sluice reads versions ${MANIFEST_VERSIONS_READ.join(' and ')}`,
      file,
      'the model was saved by a newer Sluice: upgrade Sluice, or train the model again with this one',
    );
  }
  // Version 1 manifests are read as written: their fields grew over time (inputSignature, serving),
  // so readers treat each as optional there. Version 2 is checked field by field.
  if (o.formatVersion === 1) return doc as ModelManifest;
  const r = manifestSchema.safeParse(doc, { error: plainIssues });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw artifactError(
      'ARTIFACT_INVALID',
      `${file}: "${issuePath(issue)}" ${issue.message}`,
      file,
      'the manifest was edited or damaged; train the model again',
    );
  }
  if (!r.data.files) {
    throw artifactError(
      'ARTIFACT_INVALID',
      `${file} has format version 2 but no "files" (the hash of each file)`,
      file,
      'the manifest was edited or damaged; train the model again',
    );
  }
  return doc as ModelManifest;
}
