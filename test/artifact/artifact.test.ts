import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_FILES } from '../../src/artifact/artifactFiles.js';
import { loadArtifact, verifyArtifact } from '../../src/artifact/loadArtifact.js';
import { MANIFEST_VERSION, type ManifestFacts, type ModelManifest } from '../../src/artifact/manifest.js';
import { saveArtifact } from '../../src/artifact/saveArtifact.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import type { SluiceError } from '../../src/core/errors.js';
import { predictFile, predictionsCsv } from '../../src/training/predictFile.js';
import { notesCsv } from '../../src/training/predictionNotes.js';

/** A training output folder written by the previous layout (test/fixtures/artifacts/train-v1/README.md). */
const V1 = resolve('test/fixtures/artifacts/train-v1');
const golden = (f: string) => readFileSync(join(V1, f), 'utf8');

async function errorOf(p: Promise<unknown>): Promise<SluiceError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!e) throw new Error('expected a rejection');
  return e as SluiceError;
}

/** A new-layout artifact saved from the fixture's model and fitted flow. */
async function savedCopy(): Promise<{ dir: string; manifest: ModelManifest }> {
  const old = await loadArtifact(V1);
  const { format: _f, formatVersion: _v, artifact: _a, files: _h, ...facts } = old.manifest!;
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-artifact-')), 'model');
  const manifest = await saveArtifact(dir, { model: old.model, fitted: old.fitted, facts: facts as ManifestFacts });
  return { dir, manifest };
}

describe('the artifact module: one manifest, save, load, verify', () => {
  it('loads an artifact written by the previous layout (manifest in model.json), from DIR and from DIR/model, and predicts the same bytes', async () => {
    for (const path of [V1, join(V1, 'model')]) {
      const a = await loadArtifact(path);
      expect(a.dir).toBe(join(V1, 'model'));
      expect(a.manifest).toMatchObject({ format: 'sluice.model-manifest', formatVersion: 1, target: 'label', recordId: 'rid' });
      expect(a.model.labels).toEqual(['high', 'low']);
      const p = await predictFile(a, join(V1, 'dirty.csv'));
      expect(predictionsCsv(p)).toBe(golden('dirty-predictions.csv'));
      expect(notesCsv(p.notes)).toBe(golden('dirty-notes.csv'));
    }
    const verified = await verifyArtifact(V1);
    expect(verified.found?.file).toBe(join(V1, 'model', 'manifest.json'));
  });

  it('saves a folder with SLUICE_MODEL.json hashing every file, atomically, and loads it back to the same predictions', async () => {
    const { dir, manifest } = await savedCopy();
    expect(readdirSync(dir).sort()).toEqual([ARTIFACT_FILES.manifest, ARTIFACT_FILES.fittedFlow, ARTIFACT_FILES.model].sort());
    expect(manifest.formatVersion).toBe(MANIFEST_VERSION);
    expect(JSON.parse(readFileSync(join(dir, ARTIFACT_FILES.manifest), 'utf8'))).toEqual(manifest);
    for (const f of [ARTIFACT_FILES.model, ARTIFACT_FILES.fittedFlow]) expect(manifest.files![f]!.bytes).toBe(readFileSync(join(dir, f)).length);
    // No temporary or moved-aside folder is left beside it.
    expect(readdirSync(join(dir, '..'))).toEqual(['model']);
    const a = await loadArtifact(join(dir, '..'));
    expect(a.dir).toBe(dir);
    expect(predictionsCsv(await predictFile(a, join(V1, 'dirty.csv')))).toBe(golden('dirty-predictions.csv'));
    // Saving again replaces the folder as a whole.
    const again = await saveArtifact(dir, { model: a.model, fitted: a.fitted, facts: { ...manifest, seed: 99 } as ManifestFacts });
    expect(again.seed).toBe(99);
    expect(readdirSync(join(dir, '..'))).toEqual(['model']);
  });

  it('refuses a changed file, a missing file, an unknown manifest version and a broken manifest, naming the file', async () => {
    const { dir } = await savedCopy();
    const copy = (name: string): string => {
      const d = join(mkdtempSync(join(tmpdir(), `sluice-artifact-${name}-`)), 'model');
      cpSync(dir, d, { recursive: true });
      return d;
    };
    const changed = copy('changed');
    writeFileSync(join(changed, ARTIFACT_FILES.fittedFlow), readFileSync(join(changed, ARTIFACT_FILES.fittedFlow), 'utf8').replace('"small"', '"smalL"'));
    const e1 = await errorOf(loadArtifact(changed));
    expect(e1.code).toBe('ARTIFACT_HASH_MISMATCH');
    expect(e1.location?.file).toBe(join(changed, ARTIFACT_FILES.fittedFlow));
    expect(e1.hint).toMatch(/restore the file/);

    const missing = copy('missing');
    rmSync(join(missing, ARTIFACT_FILES.model));
    const e2 = await errorOf(loadArtifact(missing));
    expect(e2.code).toBe('ARTIFACT_FILE_MISSING');
    expect(e2.location?.file).toBe(join(missing, ARTIFACT_FILES.model));

    const newer = copy('newer');
    const m = JSON.parse(readFileSync(join(newer, ARTIFACT_FILES.manifest), 'utf8'));
    writeFileSync(join(newer, ARTIFACT_FILES.manifest), JSON.stringify({ ...m, formatVersion: 3 }));
    const e3 = await errorOf(loadArtifact(newer));
    expect(e3.code).toBe('ARTIFACT_VERSION_UNKNOWN');
    expect(e3.message).toMatch(/version 3; this Sluice reads versions 1 and 2/);
    expect(e3.hint).toMatch(/upgrade Sluice/);

    const broken = copy('broken');
    writeFileSync(join(broken, ARTIFACT_FILES.manifest), JSON.stringify({ ...m, inputSignature: 'age' }));
    const e4 = await errorOf(loadArtifact(broken));
    expect(e4.code).toBe('ARTIFACT_INVALID');
    expect(e4.message).toContain('"inputSignature"');
    expect(e4.location?.file).toBe(join(broken, ARTIFACT_FILES.manifest));
    writeFileSync(join(broken, ARTIFACT_FILES.manifest), '{"format": "sluice.model-manifest", "formatVer');
    expect((await errorOf(loadArtifact(broken))).code).toBe('ARTIFACT_INVALID');

    const nothing = mkdtempSync(join(tmpdir(), 'sluice-artifact-none-'));
    const e5 = await errorOf(loadArtifact(nothing));
    expect(e5.code).toBe('ARTIFACT_NOT_FOUND');
    expect(e5.hint).toContain(ARTIFACT_FILES.manifest);
    expect((await errorOf(loadArtifact(join(nothing, 'nope')))).message).toMatch(/does not exist/);
  });

  it('registration verifies the artifact: a changed or missing file is refused, nothing is registered, the intact one registers', async () => {
    const { dir } = await savedCopy();
    const project = mkdtempSync(join(tmpdir(), 'sluice-artifact-reg-'));
    const reg = await ModelRegistry.open(project);
    try {
      const tampered = join(mkdtempSync(join(tmpdir(), 'sluice-artifact-tampered-')), 'model');
      cpSync(dir, tampered, { recursive: true });
      const modelFile = join(tampered, ARTIFACT_FILES.model);
      writeFileSync(modelFile, readFileSync(modelFile, 'utf8').replace('"high"', '"HIGH"'));
      const e1 = await errorOf(reg.register(tampered, { name: 'readmission' }));
      expect(e1.code).toBe('ARTIFACT_HASH_MISMATCH');
      expect(e1.message).toMatch(/^cannot register model "readmission": .*model\.json changed after the model was saved/);
      expect(e1.location?.file).toBe(modelFile);
      expect(e1.hint).toMatch(/never edited by hand/);

      const incomplete = join(mkdtempSync(join(tmpdir(), 'sluice-artifact-incomplete-')), 'model');
      cpSync(dir, incomplete, { recursive: true });
      rmSync(join(incomplete, ARTIFACT_FILES.fittedFlow));
      const e2 = await errorOf(reg.register(join(incomplete, '..'), { name: 'readmission' }));
      expect(e2.code).toBe('ARTIFACT_FILE_MISSING');
      expect(e2.location?.file).toBe(join(incomplete, ARTIFACT_FILES.fittedFlow));

      const e3 = await errorOf(reg.register(join(project, 'nope'), { name: 'readmission' }));
      expect(e3.code).toBe('ARTIFACT_NOT_FOUND');

      // Nothing was registered or left behind by the refusals.
      expect(await reg.list()).toEqual([]);
      expect(existsSync(join(project, '.sluice', 'models'))).toBe(false);
      const v = await reg.register(join(dir, '..'), { name: 'readmission' });
      expect(v.version).toBe(1);
      expect((await loadArtifact(v.artifactPath)).manifest?.files).toBeDefined();
    } finally {
      await reg.close();
    }
  });
});
