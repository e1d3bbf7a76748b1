import { SluiceError } from '../core/errors.js';
import type { ColumnSchema } from '../core/types.js';
import { locateArtifact, readArtifactManifest } from '../artifact/loadArtifact.js';

/** How the required inputs of a candidate differ from the champion's. */
export interface InputChange {
  /** Required by the candidate, not by the champion: clients that send what the champion needs get 400. */
  added: ColumnSchema[];
  /** Required by the champion, not by the candidate (harmless to clients; listed for the record). */
  removed: ColumnSchema[];
  /** Required by both with another type. */
  retyped: Array<{ name: string; from: string; to: string }>;
}

/**
 * The raw columns a registered version requires at prediction time (`inputSignature` of its
 * manifest, src/training/inputSignature.ts), or undefined when its artifact has no readable
 * manifest (a model trained before manifests recorded it): then nothing can be compared.
 */
export function readInputSignature(artifactPath: string): ColumnSchema[] | undefined {
  const m = readTrainingManifest(artifactPath);
  return Array.isArray(m?.inputSignature) ? (m.inputSignature as ColumnSchema[]) : undefined;
}

/**
 * Whether a registered version serves single records (`serving` of its manifest: false with the
 * steps that cannot, src/flow/servingProblems.ts), or undefined when its manifest does not say.
 */
export function readServing(artifactPath: string): { records: boolean; problems?: string[] } | undefined {
  const s = readTrainingManifest(artifactPath)?.serving as { records?: unknown; problems?: unknown } | undefined;
  if (typeof s?.records !== 'boolean') return undefined;
  return { records: s.records, ...(Array.isArray(s.problems) ? { problems: s.problems.map(String) } : {}) };
}

/** The manifest of a registered version (src/artifact/), undefined when none is readable (loading the artifact reports why). */
function readTrainingManifest(artifactPath: string): Record<string, unknown> | undefined {
  try {
    return readArtifactManifest(locateArtifact(artifactPath))?.manifest as unknown as Record<string, unknown> | undefined;
  } catch {
    return undefined;
  }
}

/** The difference between two input signatures, or undefined when they require the same columns and types. */
export function compareInputs(champion: readonly ColumnSchema[], candidate: readonly ColumnSchema[]): InputChange | undefined {
  const before = new Map(champion.map((c) => [c.name, c.type]));
  const after = new Map(candidate.map((c) => [c.name, c.type]));
  const added = candidate.filter((c) => !before.has(c.name));
  const removed = champion.filter((c) => !after.has(c.name));
  const retyped = candidate
    .filter((c) => before.has(c.name) && before.get(c.name) !== c.type)
    .map((c) => ({ name: c.name, from: before.get(c.name)!, to: c.type }));
  return added.length + removed.length + retyped.length === 0 ? undefined : { added, removed, retyped };
}

/** "requires new columns a, b; no longer requires c; d is now float (was integer)". */
export function describeInputChange(c: InputChange): string {
  const parts: string[] = [];
  if (c.added.length) parts.push(`requires new column${c.added.length > 1 ? 's' : ''} ${c.added.map((x) => x.name).join(', ')}`);
  if (c.removed.length) parts.push(`no longer requires ${c.removed.map((x) => x.name).join(', ')}`);
  for (const r of c.retyped) parts.push(`${r.name} is now ${r.to} (was ${r.from})`);
  return parts.join('; ');
}

/**
 * The input contract between a candidate and the champion it would replace: the change, when
 * both manifests record their inputs and they differ. Promotion refuses such a change unless
 * told (`--allow-schema-change`, sluice.yaml `model.allowSchemaChange`): clients built for the
 * champion would start getting 400s.
 */
export function inputChangeOf(championPath: string, candidatePath: string): InputChange | undefined {
  const before = readInputSignature(championPath);
  const after = readInputSignature(candidatePath);
  return before && after ? compareInputs(before, after) : undefined;
}

/** The 409 for a promotion whose inputs differ from the champion's. */
export function inputsChangedError(name: string, version: number, champion: number, change: InputChange): SluiceError {
  return new SluiceError(
    'MODEL_INPUTS_CHANGED',
    `${name} version ${version} ${describeInputChange(change)} compared with champion version ${champion}: clients of the endpoint would get errors`,
    {
      httpStatus: 409,
      hint: 'check that every client sends the new columns, then promote with --allow-schema-change (API: "allowSchemaChange": true; pipeline: model.allowSchemaChange in sluice.yaml)',
      details: change,
    },
  );
}
