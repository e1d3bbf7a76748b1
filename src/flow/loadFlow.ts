import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { SluiceError, isSluiceError } from '../core/errors.js';
import { RESERVED_COLUMN_NAME, reservedKeyPaths } from '../core/reservedColumnName.js';
import { branchName } from './branches.js';
import { MAIN_INPUT, flowCheckSchema, placeholderSchema, type FlowSpec, type StepSpec } from './flowSchema.js';
import { closest } from './steps/common.js';
import { STEPS, stepDef } from './steps/index.js';

/**
 * A flow file is parsed once per process: zod's compiled fast path for object schemas (generated
 * with `new Function` on a schema's first parse, about half of loadFlow's time in `sluice flow
 * validate`) would not pay for itself, so these parses skip it. Same result, same issues.
 */
const ONCE = { jitless: true } as const;

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
  const target = typeof obj.target === 'string' ? obj.target : undefined;
  // Every problem is collected, so one run of validate lists them all.
  const problems: SluiceError[] = reservedKeys(obj, file, at);
  if (Array.isArray(obj.steps)) checkSteps(obj.steps as unknown[], ['steps'], '', target, file, at, problems);
  const inputs = obj.inputs;
  if (typeof inputs === 'object' && inputs !== null && !Array.isArray(inputs)) {
    for (const [name, source] of Object.entries(inputs as Record<string, unknown>)) {
      const steps = typeof source === 'object' && source !== null ? (source as Record<string, unknown>).steps : undefined;
      if (Array.isArray(steps)) checkSteps(steps as unknown[], ['inputs', name, 'steps'], `input ${name}, `, target, file, at, problems);
    }
  }
  const whole = flowCheckSchema.safeParse(data, ONCE);
  if (!whole.success) {
    // Issues inside steps were reported step by step above (with better messages).
    const inSteps = (p: PropertyKey[]) => (p[0] === 'steps' && p.length > 1) || (p[0] === 'inputs' && p[2] === 'steps' && p.length > 3);
    const rest = whole.error.issues.filter((issue) => !(problems.length > 0 && inSteps(issue.path)));
    problems.push(...rest.map((issue) => issueError(issue, [], file, at, 'the flow')));
  }
  checkReferences(obj, file, at, problems);
  // (A failed parse always added a problem above; the second test narrows the type.)
  if (problems.length > 0 || !whole.success) throw combine(problems, file);
  const parsed = whole.data;
  // Defaults (e.g. record_id.method) come from each step's own schema.
  const spec = parsed as unknown as FlowSpec;
  spec.steps = spec.steps.map((s) => stepDef(s.kind)!.schema.parse(s, ONCE) as StepSpec);
  for (const source of Object.values(spec.inputs ?? {})) source.steps = source.steps.map((s) => stepDef(s.kind)!.schema.parse(s, ONCE) as StepSpec);
  return spec;
}

/**
 * Every `__proto__` key of the document ({@link reservedKeyPaths}): a mapping's entry or an input
 * would be dropped without a word, so it is refused with its place.
 */
function reservedKeys(doc: Record<string, unknown>, file: string, at: At): SluiceError[] {
  return reservedKeyPaths(doc).map((path) => {
    const inSteps = path[0] === 'steps' ? 1 : path[0] === 'inputs' && path[2] === 'steps' ? 3 : -1;
    const index = inSteps >= 0 && typeof path[inSteps] === 'number' ? (path[inSteps] as number) : undefined;
    const step = index !== undefined ? stepAt(doc, path.slice(0, inSteps + 1)) : undefined;
    const kind = typeof step?.kind === 'string' ? ` (${step.kind})` : '';
    const what = index !== undefined ? `${path[0] === 'inputs' ? `input ${path[1]}, ` : ''}step ${index + 1}${kind}` : 'the flow';
    const field = (index !== undefined ? path.slice(inSteps + 1) : path).join('.');
    return new SluiceError(
      'FLOW_INVALID',
      `${file}: ${what}, field "${field}": "${RESERVED_COLUMN_NAME}" cannot be a key in a flow: a JavaScript object cannot hold it as its own key, so the entry would be lost`,
      {
        location: { ...at(path), field, ...(index !== undefined ? { step: index } : {}) },
        hint: `use another name; a column named "${RESERVED_COLUMN_NAME}" is refused when data is read (docs/data.md), and a value "${RESERVED_COLUMN_NAME}" can be replaced with find_replace or compute`,
      },
    );
  });
}

/** The object at `path` of the document, when it is one. */
function stepAt(doc: Record<string, unknown>, path: Array<string | number>): Record<string, unknown> | undefined {
  let v: unknown = doc;
  for (const p of path) v = typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[p] : undefined;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** One problem as it is; several as one error listing each with its place. */
function combine(problems: SluiceError[], file: string): SluiceError {
  if (problems.length === 1) return problems[0]!;
  const lines = problems.map(
    (p, i) =>
      `  ${i + 1}. ${p.message.replace(`${file}: `, '')}${p.location?.line !== undefined ? ` (line ${p.location.line})` : ''}${p.hint ? `\n     hint: ${p.hint.split('\n')[0]}` : ''}`,
  );
  return new SluiceError('FLOW_PROBLEMS', `${file} has ${problems.length} problems:\n${lines.join('\n')}`, {
    location: problems[0]!.location,
    hint: 'fix them all, then validate again; placeholders (todo_custom_code) show their code with `sluice flow validate` one at a time after the others are fixed',
    details: problems.map((p) => p.toJSON()),
  });
}

type At = (path: Array<string | number>) => { file: string; line?: number; column?: number };

/** Checks each step on its own, so an error names the step and the field. */
function checkSteps(
  steps: unknown[],
  prefix: Array<string | number>,
  label: string,
  target: string | undefined,
  file: string,
  at: At,
  problems: SluiceError[],
): void {
  steps.forEach((step, i) => {
    const kind = typeof step === 'object' && step !== null ? (step as Record<string, unknown>).kind : undefined;
    if (typeof kind !== 'string') {
      problems.push(
        new SluiceError('FLOW_INVALID', `${file}: ${label}step ${i + 1} has no kind`, {
          location: { ...at([...prefix, i]), step: i, field: 'kind' },
          hint: `every step is an object with kind: one of ${STEPS.map((s) => s.kind).join(', ')}`,
        }),
      );
      return;
    }
    if (kind === 'todo_custom_code') {
      const p = placeholderSchema.safeParse(step, ONCE);
      const code = p.success ? p.data.code : '';
      problems.push(
        new SluiceError(
          'FLOW_PLACEHOLDER',
          `${file}: ${label}step ${i + 1} is a placeholder for custom ${p.success ? p.data.language : ''} code from a Data Wrangler import, which Sluice cannot run`,
          {
            location: { ...at([...prefix, i]), step: i, field: 'kind' },
            hint: `replace it with built-in steps that do the same${p.success && p.data.language === 'pyspark' ? ' (or rewrite it with pandas as a python step)' : ''}. Its code was:\n${code
              .split('\n')
              .map((l) => `      ${l}`)
              .join('\n')}`,
          },
        ),
      );
      return;
    }
    const def = stepDef(kind);
    if (!def) {
      const near = closest(
        kind,
        STEPS.map((s) => s.kind),
      );
      problems.push(
        new SluiceError('FLOW_UNKNOWN_STEP', `${file}: ${label}step ${i + 1} has unknown kind "${kind}"`, {
          location: { ...at([...prefix, i, 'kind']), step: i, field: 'kind' },
          hint: near ? `did you mean "${near}"? See docs/flows.md` : `known kinds: ${STEPS.map((s) => s.kind).join(', ')}`,
        }),
      );
      return;
    }
    const r = def.schema.safeParse(step, ONCE);
    if (!r.success) {
      problems.push(issueError(r.error.issues[0]!, [...prefix, i], file, at, `${label}step ${i + 1} (${kind})`, i));
      return;
    }
    // Static checks that need no data: expression syntax, regular expressions.
    try {
      def.inputs(r.data, { columns: [], target, mode: 'train', index: i });
    } catch (e) {
      if (!isSluiceError(e)) throw e;
      problems.push(new SluiceError(e.code, `${file}: ${label}${e.message}`, { location: { ...at([...prefix, i]), ...e.location, file }, hint: e.hint }));
    }
  });
}

type Raw = Record<string, unknown>;
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What steps read by name, checked on the raw document so these problems are listed with the
 * others: a `with:` names an input or a branch (a step's `as:`, or `main`); a branch is read only
 * after the step that names it (reading it at that step or before is a cycle); `branch:` inputs
 * start at a named step; an input's own steps neither read nor name other tables.
 */
function checkReferences(obj: Raw, file: string, at: At, problems: SluiceError[]): void {
  const steps = Array.isArray(obj.steps) ? obj.steps.map((s) => (isRaw(s) ? s : {})) : [];
  const inputs = isRaw(obj.inputs) ? obj.inputs : {};
  const label = (s: Raw, i: number) => `step ${i + 1}${typeof s.kind === 'string' ? ` (${s.kind})` : ''}`;
  const named = new Map<string, number>();
  steps.forEach((s, i) => {
    const as = branchName(s);
    if (as === undefined) return;
    const where = { ...at(['steps', i, 'as']), step: i, field: 'as' };
    const before = named.get(as);
    if (as === MAIN_INPUT) {
      problems.push(
        new SluiceError('FLOW_BRANCH_NAME', `${file}: ${label(s, i)} names its result "${MAIN_INPUT}", the name of the flow's own data as it arrived`, {
          location: where,
          hint: 'choose another name',
        }),
      );
    } else if (before !== undefined) {
      problems.push(
        new SluiceError('FLOW_BRANCH_NAME', `${file}: ${label(s, i)} names its result "${as}", as step ${before + 1} already does`, {
          location: where,
          hint: 'give each branch its own name',
        }),
      );
    } else if (Object.hasOwn(inputs, as)) {
      problems.push(
        new SluiceError('FLOW_BRANCH_NAME', `${file}: ${label(s, i)} names its result "${as}", which is also the name of an input`, {
          location: where,
          hint: 'give the branch and the input different names',
        }),
      );
    } else named.set(as, i);
  });
  const known = () => [...Object.keys(inputs), MAIN_INPUT, ...named.keys()];
  /** Where a table a step reads starts: -1 before the first step, i after step i; undefined when unknown. */
  const startOf = (name: string): number | undefined => {
    if (name === MAIN_INPUT) return -1;
    if (named.has(name)) return named.get(name);
    const source = inputs[name];
    if (!isRaw(source)) return undefined;
    if (typeof source.branch !== 'string') return -1;
    return source.branch === MAIN_INPUT ? -1 : named.get(source.branch);
  };
  for (const [name, source] of Object.entries(inputs)) {
    if (!isRaw(source)) continue;
    if (typeof source.branch === 'string' && source.branch !== MAIN_INPUT && !named.has(source.branch)) {
      const near = closest(source.branch, [MAIN_INPUT, ...named.keys()]);
      problems.push(
        new SluiceError('FLOW_UNKNOWN_BRANCH', `${file}: input ${name} is a branch from "${source.branch}", which no step names (as: ${source.branch})`, {
          location: { ...at(['inputs', name, 'branch']), field: `inputs.${name}.branch` },
          hint: near
            ? `did you mean "${near}"?`
            : `add \`as: ${source.branch}\` to the step whose result the branch starts from, or use branch: ${MAIN_INPUT} (the data as it arrived)`,
        }),
      );
    }
    const own = Array.isArray(source.steps) ? source.steps : [];
    own.forEach((raw, k) => {
      const s = isRaw(raw) ? raw : {};
      if (typeof s.with === 'string') {
        problems.push(
          new SluiceError('FLOW_INVALID', `${file}: input ${name}, ${label(s, k)} reads another input; an input's own steps cannot`, {
            location: { ...at(['inputs', name, 'steps', k, 'with']), step: k, field: 'with' },
            hint: "join in the flow's steps instead",
          }),
        );
      }
      if (branchName(s) !== undefined) {
        problems.push(
          new SluiceError('FLOW_INVALID', `${file}: input ${name}, ${label(s, k)} names its result (as:); only the flow's own steps can`, {
            location: { ...at(['inputs', name, 'steps', k, 'as']), step: k, field: 'as' },
            hint: 'name a step of the flow, and declare another input branched from it',
          }),
        );
      }
    });
  }
  steps.forEach((s, i) => {
    if (typeof s.with !== 'string') return;
    const w = s.with;
    const where = { ...at(['steps', i, 'with']), step: i, field: 'with' };
    if (w !== MAIN_INPUT && !named.has(w) && !Object.hasOwn(inputs, w)) {
      const near = closest(w, known());
      problems.push(
        new SluiceError(
          'FLOW_UNKNOWN_INPUT',
          `${file}: ${label(s, i)} reads "${w}", which the flow does not declare (neither an input nor a branch: a step's as:)`,
          {
            location: where,
            hint: near
              ? `did you mean "${near}"? Inputs and branches: ${known().join(', ')}`
              : `declare it: inputs: { ${w}: { file: ${w}.csv } }, or name an earlier step's result with as: ${w}`,
          },
        ),
      );
      return;
    }
    const start = startOf(w);
    if (start === undefined || start < i) return;
    const what = named.has(w) ? `branch "${w}"` : `input "${w}", a branch from "${String((inputs[w] as Raw).branch)}",`;
    if (start === i) {
      problems.push(
        new SluiceError('FLOW_BRANCH_CYCLE', `${file}: ${label(s, i)} reads ${what} which is this step's own result: the step would read itself (a cycle)`, {
          location: where,
          hint: 'read a branch taken before this step: move as: to an earlier step',
        }),
      );
    } else {
      problems.push(
        new SluiceError(
          'FLOW_BRANCH_ORDER',
          `${file}: ${label(s, i)} reads ${what} which is taken after step ${start + 1}, a later step: it does not exist yet`,
          {
            location: where,
            hint: `a step reads only branches taken before it: move as: to a step before step ${i + 1}, or move this step after step ${start + 1}`,
          },
        ),
      );
    }
  });
}

function issueError(
  issue: z.core.$ZodIssue,
  prefix: Array<string | number>,
  file: string,
  at: (path: Array<string | number>) => { file: string; line?: number; column?: number },
  what: string,
  step?: number,
): SluiceError {
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
