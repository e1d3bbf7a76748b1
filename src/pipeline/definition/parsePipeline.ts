import { readFileSync } from 'node:fs';
import { SluiceError, type SourceLocation } from '../../core/errors.js';
import { RESERVED_COLUMN_NAME, reservedKeyPaths } from '../../core/reservedColumnName.js';
import { pipelineSchema, type Pipeline } from './pipelineSchema.js';
import { validatePipeline } from './validatePipeline.js';
import { wirePipeline } from './wirePipeline.js';
import { parseLocatedYaml, type LocatedYaml } from './yamlLocations.js';

/** The state a spec path points into (the innermost `states.<name>`), and the field below it. */
export function stateAndField(path: ReadonlyArray<PropertyKey>): { step?: string; field?: string } {
  let idx = -1;
  for (let i = 0; i < path.length - 1; i++) if (path[i] === 'states') idx = i;
  if (idx < 0) return path.length ? { field: path.map(String).join('.') } : {};
  const rest = path.slice(idx + 2).map(String);
  return { step: String(path[idx + 1]), ...(rest.length ? { field: rest.join('.') } : {}) };
}

/**
 * Validates a pipeline given as a plain object (from YAML, JSON or code). `prefix` is the path of
 * the pipeline inside its document (e.g. `['pipeline']` in sluice.yaml), used to locate errors.
 * Throws a SluiceError `PIPELINE_INVALID` naming the state, the field and, with a located
 * document, the line; `details.problems` lists every problem found.
 */
export function validatePipelineObject(value: unknown, opts: { file?: string; yaml?: LocatedYaml; prefix?: PropertyKey[] } = {}): Pipeline {
  const prefix = opts.prefix ?? [];
  const locate = (path: ReadonlyArray<PropertyKey>): SourceLocation => {
    const pos = opts.yaml?.locate([...prefix, ...path]);
    return { ...(opts.file ? { file: opts.file } : {}), ...(pos ? { line: pos.line, column: pos.column } : {}), ...stateAndField(path) };
  };
  const parsed = pipelineSchema.safeParse(value);
  const problems: Array<{ message: string; hint: string; location: SourceLocation }> = [];
  // A `__proto__` key (a task's input, say) would be dropped by the schema without a word.
  for (const path of reservedKeyPaths(value)) {
    const at = stateAndField(path);
    const subject = at.step ? `state "${at.step}"${at.field ? `, field "${at.field}"` : ''}` : `field "${at.field}"`;
    problems.push({
      message: `${subject}: "${RESERVED_COLUMN_NAME}" cannot be a key in a pipeline: a JavaScript object cannot hold it as its own key, so the entry would be lost`,
      hint: 'use another name for the key',
      location: locate(path),
    });
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // An unknown key is reported on its parent object; point at the key itself.
      const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
      const at = stateAndField(path);
      const subject = at.step ? `state "${at.step}"${at.field ? `, field "${at.field}"` : ''}` : at.field ? `field "${at.field}"` : 'the pipeline';
      problems.push({ message: `${subject}: ${issue.message}`, hint: hintFor(issue.code, at.field), location: locate(path) });
    }
  }
  let pipeline = parsed.success && problems.length === 0 ? parsed.data : undefined;
  if (pipeline) {
    for (const p of validatePipeline(pipeline)) problems.push({ message: p.message, hint: p.hint, location: locate(p.path) });
    if (problems.length === 0) {
      // The data flow: inputs wired (defaults derived here, once) and every reference checked.
      const wired = wirePipeline(pipeline);
      for (const p of wired.problems) problems.push({ message: p.message, hint: p.hint, location: locate(p.path) });
      pipeline = wired.pipeline;
    }
  }
  const first = problems[0];
  if (first || !pipeline) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new SluiceError('PIPELINE_INVALID', `invalid pipeline: ${first?.message ?? 'unknown problem'}${more}`, {
      location: first?.location,
      hint: first?.hint ?? 'see docs/pipelines.md',
      details: { problems },
    });
  }
  return pipeline;
}

function hintFor(code: string, field: string | undefined): string {
  if (code === 'unrecognized_keys') return 'remove the key or check its spelling; docs/pipelines.md lists the fields of each state type';
  if (code === 'invalid_union' && field === undefined) return 'type must be one of task, choice, approval, wait, parallel, succeed, fail';
  if (field?.endsWith('timeout') || field?.includes('backoff') || field === 'duration' || field === 'remind')
    return 'durations are seconds or strings like 30s, 10m, 2h, 7d';
  return 'see docs/pipelines.md and docs/pipeline.schema.json';
}

/** Parses and validates a pipeline YAML text (a whole `pipelines/*.yaml` file). */
export function parsePipelineYaml(text: string, file?: string): Pipeline {
  const yaml = parseLocatedYaml(text, file);
  return validatePipelineObject(yaml.value, { ...(file ? { file } : {}), yaml });
}

/** Reads, parses and validates a pipeline file. */
export function loadPipelineFile(path: string): Pipeline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SluiceError('PIPELINE_NOT_FOUND', `cannot read pipeline ${path}: ${(e as Error).message}`, { hint: 'check the path', cause: e });
  }
  return parsePipelineYaml(text, path);
}
