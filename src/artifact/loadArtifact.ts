import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SluiceError, toSluiceError } from '../core/errors.js';
import { sha256File } from '../core/fileHash.js';
import { parseFittedFlow, type FittedFlow } from '../flow/fittedFlow.js';
import { loadModel } from '../ml/loadModel.js';
import type { Model } from '../ml/model.js';
import { artifactError } from './artifactError.js';
import { ARTIFACT_DIR, ARTIFACT_FILES, LEGACY_FILES } from './artifactFiles.js';
import { MANIFEST_FORMAT, parseManifest, type ModelManifest } from './manifest.js';

export interface Artifact {
  /** The artifact folder (holding the manifest, the model and the fitted flow). */
  dir: string;
  model: Model;
  fitted: FittedFlow;
  /** Absent only for a folder saved before manifests existed. */
  manifest?: ModelManifest;
}

/** Where an artifact's manifest was found, and what it says. */
export interface FoundManifest {
  manifest: ModelManifest;
  file: string;
}

const WHAT = 'the folder written by `sluice train --out DIR` (DIR or DIR/model), or a registered version folder';

/**
 * Loads a model artifact: the training output folder `DIR` or the artifact folder `DIR/model`
 * itself (a registered version folder is one too). The manifest's hashes are checked first
 * ({@link verifyArtifact}); then the model and the fitted flow are read. Artifacts of the earlier
 * layout (manifest format version 1 in `DIR/model.json` and `DIR/model/manifest.json`) load too,
 * without hashes to check. Every failure is an `ARTIFACT_*` error naming the file, with a hint.
 *
 * @example
 * const { model, fitted, manifest } = await loadArtifact('out');
 */
export async function loadArtifact(path: string): Promise<Artifact> {
  const { dir, found } = await verifyArtifact(path);
  const modelFile = join(dir, ARTIFACT_FILES.model);
  const flowFile = join(dir, ARTIFACT_FILES.fittedFlow);
  const modelText = await readArtifactFile(modelFile);
  const flowText = await readArtifactFile(flowFile);
  let model: Model;
  try {
    if ((JSON.parse(modelText) as { format?: unknown }).format === MANIFEST_FORMAT) {
      throw new SluiceError('ARTIFACT_INVALID', 'it is a manifest, not a model', { hint: `pass ${WHAT}` });
    }
    model = loadModel(modelText);
  } catch (e) {
    throw wrap(e, modelFile, 'the file may be truncated or from another program; train the model again');
  }
  let fitted: FittedFlow;
  try {
    fitted = parseFittedFlow(flowText, flowFile);
  } catch (e) {
    throw wrap(e, flowFile, 'the file may be truncated; train the model again');
  }
  return { dir, model, fitted, ...(found ? { manifest: found.manifest } : {}) };
}

/**
 * Checks an artifact without loading its model: the folder exists, its manifest is readable and
 * of a known version, the model and the fitted flow are there, and every file the manifest lists
 * has the size and SHA-256 it recorded (`ARTIFACT_FILE_MISSING`, `ARTIFACT_HASH_MISMATCH`).
 *
 * @example
 * const { dir, found } = await verifyArtifact('.sluice/models/readmission/3');
 */
export async function verifyArtifact(path: string): Promise<{ dir: string; found: FoundManifest | undefined }> {
  const dir = locateArtifact(path);
  const found = readArtifactManifest(dir);
  for (const name of [ARTIFACT_FILES.model, ARTIFACT_FILES.fittedFlow]) {
    if (!(await isFile(join(dir, name)))) {
      throw artifactError(
        'ARTIFACT_FILE_MISSING',
        `${join(dir, name)} is missing`,
        join(dir, name),
        `an artifact folder holds ${artifactFileList()}; train the model again`,
      );
    }
  }
  for (const [name, h] of Object.entries(found?.manifest.files ?? {})) {
    const file = join(dir, name);
    if (name.includes('..') || name.startsWith('/') || !(await isFile(file))) {
      throw artifactError(
        'ARTIFACT_FILE_MISSING',
        `${file}, listed in ${found!.file}, is missing`,
        file,
        'restore the file from a copy of the artifact, or train the model again',
      );
    }
    const sha256 = await sha256File(file);
    if (sha256 !== h.sha256) {
      throw artifactError(
        'ARTIFACT_HASH_MISMATCH',
        `${file} changed after the model was saved: its SHA-256 is ${sha256.slice(0, 12)}…, the manifest recorded ${h.sha256.slice(0, 12)}…`,
        file,
        'restore the file from a copy of the artifact, or train the model again; an artifact is never edited by hand',
      );
    }
  }
  return { dir, found };
}

/**
 * The artifact folder of `path`: `path` itself when it holds a manifest or a model, else its
 * `model/` subfolder (a training output folder). `ARTIFACT_NOT_FOUND` otherwise.
 */
export function locateArtifact(path: string): string {
  if (isFileSync(join(path, ARTIFACT_FILES.manifest))) return path;
  const nested = join(path, ARTIFACT_DIR);
  if (isFileSync(join(nested, ARTIFACT_FILES.manifest)) || isFileSync(join(nested, ARTIFACT_FILES.model))) return nested;
  if (isFileSync(join(path, ARTIFACT_FILES.model))) return path;
  const st = statSync(path, { throwIfNoEntry: false });
  const exists = st === undefined ? undefined : st.isDirectory() ? 'folder' : 'file';
  throw artifactError(
    'ARTIFACT_NOT_FOUND',
    exists === undefined
      ? `${path} does not exist`
      : exists === 'file'
        ? `${path} is a file, not a model folder`
        : `${path} holds no model (no ${ARTIFACT_FILES.manifest} or ${ARTIFACT_FILES.model})`,
    path,
    `pass ${WHAT}, holding ${artifactFileList()}`,
  );
}

/**
 * The manifest of an artifact folder, checked ({@link parseManifest}): `SLUICE_MODEL.json`, or for
 * the earlier layout `manifest.json` inside the folder or `model.json` beside it (format version
 * 1). Undefined for a folder saved before manifests existed.
 */
export function readArtifactManifest(dir: string): FoundManifest | undefined {
  const legacy = [join(dir, LEGACY_FILES.manifestCopy), ...(basename(dir) === ARTIFACT_DIR ? [join(dirname(dir), LEGACY_FILES.trainingManifest)] : [])];
  for (const file of [join(dir, ARTIFACT_FILES.manifest), ...legacy]) {
    if (isFileSync(file)) return { manifest: parseManifest(readFileSync(file, 'utf8'), file), file };
  }
  return undefined;
}

/** The path of one file of an artifact folder, by role. */
export function artifactFile(dir: string, role: keyof typeof ARTIFACT_FILES): string {
  return join(dir, ARTIFACT_FILES[role]);
}

function artifactFileList(): string {
  return `${ARTIFACT_FILES.manifest}, ${ARTIFACT_FILES.model} and ${ARTIFACT_FILES.fittedFlow}`;
}

async function readArtifactFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw artifactError(
      missing ? 'ARTIFACT_FILE_MISSING' : 'ARTIFACT_INVALID',
      `cannot read ${file}: ${missing ? 'no such file' : (e as Error).message}`,
      file,
      `an artifact folder holds ${artifactFileList()}`,
    );
  }
}

/** Any failure reading one file as an `ARTIFACT_INVALID` naming it (an `ARTIFACT_*` error stays as it is). */
function wrap(e: unknown, file: string, hint: string): SluiceError {
  const err = toSluiceError(e, 'ARTIFACT_INVALID');
  if (err.code.startsWith('ARTIFACT_') && err.location?.file) return err;
  return artifactError('ARTIFACT_INVALID', `${file}: ${err.message}`, file, err.hint ?? hint, e);
}

function isFileSync(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}
