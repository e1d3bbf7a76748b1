import { existsSync } from 'node:fs';
import { artifactFile, locateArtifact } from '../artifact/loadArtifact.js';
import { loadFittedFlow } from '../flow/fittedFlow.js';
import type { FlowSpec } from '../flow/flowSchema.js';

/**
 * The columns the flow knows, for the input contract (issue 13): the raw columns the flow was
 * fitted on when the serving champion was trained (its artifact's fitted flow), plus every name
 * the flow's steps mention. Undefined when there is no champion artifact to read (the first
 * model defines the contract: nothing is unknown).
 *
 * @example
 * const known = await knownColumns(champion.artifactPath, spec);
 * const unknown = columns.filter((c) => known && !known.has(c) && c !== target);
 */
export async function knownColumns(championArtifact: string | undefined, spec: FlowSpec | undefined): Promise<Set<string> | undefined> {
  if (!championArtifact) return undefined;
  let file: string;
  try {
    file = artifactFile(locateArtifact(championArtifact), 'fittedFlow');
  } catch {
    return undefined;
  }
  if (!existsSync(file)) return undefined;
  const known = new Set((await loadFittedFlow(file)).input.map((c) => c.name));
  for (const s of stringsIn(spec?.steps ?? [])) known.add(s);
  for (const s of stringsIn(Object.values(spec?.inputs ?? {}).map((i) => i.steps))) known.add(s);
  return known;
}

/** Every string value inside a JSON-like value (the column names a step spec mentions, and more). */
function* stringsIn(v: unknown, depth = 0): Generator<string> {
  if (typeof v === 'string') yield v;
  else if (depth < 32 && v !== null && typeof v === 'object') for (const x of Object.values(v)) yield* stringsIn(x, depth + 1);
}
