import { SluiceError } from '../core/errors.js';

/**
 * The error family of artifacts (`ARTIFACT_*`), whoever loads one (`sluice predict`,
 * `sluice models predict`, the endpoint, the registry): always the file at fault and a hint.
 */
export type ArtifactErrorCode =
  /** The path holds no artifact (no folder, or no model in it). */
  | 'ARTIFACT_NOT_FOUND'
  /** A file the manifest lists, or the model or fitted flow, is missing. */
  | 'ARTIFACT_FILE_MISSING'
  /** A file's bytes differ from the hash the manifest recorded. */
  | 'ARTIFACT_HASH_MISMATCH'
  /** A manifest format version this Sluice does not know (written by a newer one). */
  | 'ARTIFACT_VERSION_UNKNOWN'
  /** A file that is not what it should be (not JSON, not a manifest, not a model). */
  | 'ARTIFACT_INVALID';

export function artifactError(code: ArtifactErrorCode, message: string, file: string, hint: string, cause?: unknown): SluiceError {
  return new SluiceError(code, message, { location: { file }, hint, ...(cause === undefined ? {} : { cause }) });
}
