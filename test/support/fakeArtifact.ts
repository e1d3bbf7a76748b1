import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_FILES } from '../../src/artifact/artifactFiles.js';

/**
 * An artifact folder for tests of the registry's bookkeeping, not of a model: the two files every
 * artifact holds (registration verifies them), `model` as the model's text, a placeholder fitted
 * flow, and no manifest (so no hashes to check). A real one comes from `trainModel`.
 */
export function fakeArtifact(model: unknown = {}, dir = mkdtempSync(join(tmpdir(), 'sluice-art-'))): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ARTIFACT_FILES.model), typeof model === 'string' ? model : JSON.stringify(model));
  writeFileSync(join(dir, ARTIFACT_FILES.fittedFlow), '{}');
  return dir;
}
