import { createHash } from 'node:crypto';
import type { FittedFlow } from '../flow/fittedFlow.js';
import type { Model } from '../ml/model.js';
import { ARTIFACT_FILES } from './artifactFiles.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type ArtifactFileHash, type ManifestFacts, type ModelManifest } from './manifest.js';
import { writeArtifactDir } from './writeArtifactDir.js';

/**
 * Saves a model artifact into `dir`: the model, the fitted flow, and the manifest
 * (`SLUICE_MODEL.json`) recording the size and SHA-256 of each, so {@link loadArtifact} can tell
 * a changed or missing file. The folder is written under a temporary name and renamed into place
 * (src/artifact/writeArtifactDir.ts): a reader sees the old folder or the complete new one.
 *
 * @example
 * const manifest = await saveArtifact('out/model', { model, fitted, facts });
 */
export async function saveArtifact(dir: string, a: { model: Model; fitted: FittedFlow; facts: ManifestFacts }): Promise<ModelManifest> {
  const contents: Record<string, string> = {
    [ARTIFACT_FILES.model]: JSON.stringify(a.model.toJSON()) + '\n',
    [ARTIFACT_FILES.fittedFlow]: JSON.stringify(a.fitted, null, 2) + '\n',
  };
  const files: Record<string, ArtifactFileHash> = {};
  for (const [name, text] of Object.entries(contents)) {
    const bytes = Buffer.from(text, 'utf8');
    files[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  }
  // Facts taken from another manifest must not carry its format, paths or hashes over.
  const { format: _format, formatVersion: _version, artifact: _artifact, files: _files, ...facts } = a.facts as Partial<ModelManifest>;
  const manifest: ModelManifest = {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    ...(facts as ManifestFacts),
    artifact: { model: ARTIFACT_FILES.model, fittedFlow: ARTIFACT_FILES.fittedFlow },
    files,
  };
  await writeArtifactDir(dir, { ...contents, [ARTIFACT_FILES.manifest]: JSON.stringify(manifest, null, 2) + '\n' });
  return manifest;
}
