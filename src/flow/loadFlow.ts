import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { SluiceError, isSluiceError } from '../core/errors.js';
import { flowSchema, placeholderSchema, type FlowSpec, type StepSpec } from './flowSchema.js';
import { closest } from './steps/common.js';
import { STEPS, stepDef } from './steps/index.js';

/** Reads and validates a flow file (`*.flow.yaml`, `*.yaml`, `*.json`). */
export async function loadFlow(path: string): Promise<FlowSpec> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new SluiceError('FILE_NOT_FOUND', `cannot read flow ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, {
      location: { file: path },
      hint: 'check the path of the flow file',
      httpStatus: 404,
    });
  });
  return parseFlow(text, path);
}

/**
 * Parses and validates flow text. Errors name the file, the line and column in it, the step
 * (number and kind) and the field, with a hint; YAML syntax errors keep the parser's position.
 */
export function parseFlow(text: string, file = '<flow>'): FlowSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lines.linePos(err.pos[0]);
    throw new SluiceError('FLOW_SYNTAX', `${file} is not valid YAML: ${err.message.split('\n')[0]}`, {
      location: { file, line: pos.line, column: pos.col },
      hint: 'check indentation and quoting at that line; quote values that contain ": " or start with a special character',
    });
  }
  const data: unknown = doc.toJS();
  const at = (path: Array<string | number>) => locate(doc, lines, path, file);

  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new SluiceError('FLOW_INVALID', `${file} must hold a flow object with version, name and steps`, {
      location: { file, line: 1 },
      hint: 'start from examples/diabetes/diabetes.flow.yaml',
    });
  }
  const obj = data as Record<string, unknown>;
  const steps = Array.isArray(obj.steps) ? (obj.steps as unknown[]) : undefined;

  // Steps first, one by one, so an error names the step and the field.
  steps?.forEach((step, i) => {
    const kind = typeof step === 'object' && step !== null ? (step as Record<string, unknown>).kind : undefined;
    if (typeof kind !== 'string') {
      throw new SluiceError('FLOW_INVALID', `${file}: step ${i + 1} has no kind`, {
        location: { ...at(['steps', i]), step: i, field: 'kind' },
        hint: `every step is an object with kind: one of ${STEPS.map((s) => s.kind).join(', ')}`,
      });
    }
    if (kind === 'todo_custom_code') {
      const p = placeholderSchema.safeParse(step);
      const code = p.success ? p.data.code : '';
      throw new SluiceError('FLOW_PLACEHOLDER', `${file}: step ${i + 1} is a placeholder for custom ${p.success ? p.data.language : ''} code from a Data Wrangler import, which Sluice cannot run`, {
        location: { ...at(['steps', i]), step: i, field: 'kind' },
        hint: `replace it with built-in steps that do the same. Its code was:\n${code.split('\n').map((l) => `      ${l}`).join('\n')}`,
      });
    }
    const def = stepDef(kind);
    if (!def) {
      const near = closest(kind, STEPS.map((s) => s.kind));
      throw new SluiceError('FLOW_UNKNOWN_STEP', `${file}: step ${i + 1} has unknown kind "${kind}"`, {
        location: { ...at(['steps', i, 'kind']), step: i, field: 'kind' },
        hint: near ? `did you mean "${near}"? See docs/flows.md` : `known kinds: ${STEPS.map((s) => s.kind).join(', ')}`,
      });
    }
    const r = def.schema.safeParse(step);
    if (!r.success) throw issueError(r.error, ['steps', i], file, at, `step ${i + 1} (${kind})`, i);
    // Static checks that need no data: expression syntax, regular expressions.
    try {
      def.inputs(r.data, { columns: [], target: typeof obj.target === 'string' ? obj.target : undefined, mode: 'train', index: i });
    } catch (e) {
      if (isSluiceError(e)) {
        throw new SluiceError(e.code, `${file}: ${e.message}`, { location: { ...at(['steps', i]), ...e.location, file }, hint: e.hint });
      }
      throw e;
    }
  });

  const parsed = flowSchema.safeParse(data);
  if (!parsed.success) throw issueError(parsed.error, [], file, at, 'the flow');
  // Defaults (e.g. record_id.method) come from each step's own schema.
  const spec = parsed.data as FlowSpec;
  spec.steps = spec.steps.map((s) => stepDef(s.kind)!.schema.parse(s) as StepSpec);
  return spec;
}

function issueError(
  error: z.ZodError,
  prefix: Array<string | number>,
  file: string,
  at: (path: Array<string | number>) => { file: string; line?: number; column?: number },
  what: string,
  step?: number,
): SluiceError {
  const issue = error.issues[0]!;
  const path = [...prefix, ...(issue.path as Array<string | number>)];
  const rel = issue.path.map(String).join('.');
  const field = rel || undefined;
  let hint = 'see docs/flows.md for the fields of each step';
  if (issue.code === 'unrecognized_keys') hint = `remove ${issue.keys.map((k) => `"${k}"`).join(', ')}, or check its spelling`;
  else if (issue.code === 'invalid_value' && 'values' in issue) hint = `use one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return new SluiceError('FLOW_INVALID', `${file}: ${what}${field ? `, field "${field}"` : ''}: ${issue.message}`, {
    location: { ...at(path), field, step },
    hint,
  });
}

/** The line and column of the YAML node at `path`, or of its nearest existing parent. */
function locate(doc: Document, lines: LineCounter, path: Array<string | number>, file: string): { file: string; line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { file, line: pos.line, column: pos.col };
    }
  }
  return { file };
}
