import { closest } from '../../core/closest.js';
import type { AnySignature, ValueType, Wire } from '../activities/ActivitySignature.js';
import { typeFits } from '../activities/ActivitySignature.js';
import { APPROVAL_SIGNATURE, BUILTIN_SIGNATURES, EXECUTION_INPUT_TYPES } from '../activities/builtinActivityDefinitions.js';
import type { ApprovalState, Pipeline, State, TaskState } from './pipelineSchema.js';
import { precedingStates } from './precedingStates.js';
import { indexStates, type IndexedState, type PipelineProblem } from './validatePipeline.js';

/**
 * Wires and checks a pipeline's data flow, once, when it loads:
 *
 * ```
 * every task of a known activity:  legacy `from: <state>` -> `$.results.<state>`
 *                                  each input it leaves out -> its default wiring (the nearest
 *                                  preceding state running the activity that makes it, or $.input)
 * every approval state:            `findings` left out -> the nearest preceding report
 * every reference ($. in task and approval inputs, choice conditions, wait until):
 *   $.results.<state>.<field>  -> the state exists, precedes on every path, has a result,
 *                                 outputs the field, with a type the input accepts
 * ```
 *
 * Returns the wired pipeline (a copy) and the problems; a pipeline with problems must not run.
 * Idempotent: wiring a wired pipeline changes nothing.
 */
export function wirePipeline(
  pipeline: Pipeline,
  signatures: Record<string, AnySignature> = BUILTIN_SIGNATURES,
): { pipeline: Pipeline; problems: PipelineProblem[] } {
  const wired = structuredClone(pipeline);
  const index = indexStates(wired);
  const before = precedingStates(wired);
  const problems: PipelineProblem[] = [];
  for (const s of index.values()) {
    if (s.state.type === 'approval') wireTask(s, s.state, APPROVAL, index, before, problems);
    if (s.state.type !== 'task' || s.state.activity === undefined) continue;
    const sig = signatures[s.state.activity];
    if (sig) wireTask(s, s.state, sig, index, before, problems);
  }
  const ctx: RefContext = { index, before, signatures, problems };
  for (const s of index.values()) checkState(s, ctx);
  return { pipeline: wired, problems };
}

const APPROVAL = APPROVAL_SIGNATURE as unknown as AnySignature;

/** Fills in the inputs a task (or an approval) leaves out, from its signature's default wiring. */
function wireTask(
  s: IndexedState,
  task: TaskState | ApprovalState,
  sig: AnySignature,
  index: Map<string, IndexedState>,
  before: Map<string, ReadonlySet<string>>,
  problems: PipelineProblem[],
): void {
  const input: Record<string, unknown> = { ...(task.input ?? {}) };
  for (const [old, now] of Object.entries(sig.legacy ?? {})) {
    if (typeof input[old] === 'string' && !(now in input)) input[now] = input[old];
    if (old !== now) delete input[old];
  }
  // A state name where a whole result is expected (`train: train`, as older files wrote) is that state's result.
  for (const [k, v] of Object.entries(input)) if (sig.input[k] === 'object' && typeof v === 'string' && !v.startsWith('$')) input[k] = `$.results.${v}`;
  for (const [field, wires] of Object.entries(sig.wiring ?? {})) {
    if (field in input || !wires) continue;
    const ref = wires.map((w) => derive(w, s.name, index, before)).find((r) => r !== undefined);
    if (ref !== undefined) input[field] = ref;
  }
  for (const field of sig.required ?? []) {
    if (field in input) continue;
    const makers = (sig.wiring?.[field] ?? []).map(describeWire).join(' or ');
    problems.push({
      path: [...s.path, 'input', field],
      message: `${task.type === 'task' ? `task "${s.name}" (activity ${task.activity})` : `approval "${s.name}"`} needs its input "${field}", and no state before it makes one${makers ? ` (${makers})` : ''}`,
      hint: `wire it in the task: \`input: { ${field}: $.results.<state>... }\`, or add the state it needs before "${s.name}"`,
    });
  }
  if (Object.keys(input).length > 0) task.input = input as typeof task.input;
}

/** The reference a default wiring gives at state `at`, if a state before it makes it. */
function derive(w: Wire, at: string, index: Map<string, IndexedState>, before: Map<string, ReadonlySet<string>>): string | undefined {
  if ('input' in w) return `$.input.${w.input}`;
  const makers = [...(before.get(at) ?? [])].filter((n) => {
    const st = index.get(n)?.state;
    return 'approval' in w ? st?.type === 'approval' : st?.type === 'task' && st.activity === w.activity;
  });
  if (makers.length === 0) return undefined;
  // The nearest: of makers on one path, the later one has more states before it.
  const nearest = makers.reduce((a, b) => ((before.get(a)?.size ?? 0) >= (before.get(b)?.size ?? 0) ? a : b));
  return `$.results.${nearest}${w.field ? `.${w.field}` : ''}`;
}

function describeWire(w: Wire): string {
  if ('input' in w) return `$.input.${w.input}`;
  return 'approval' in w ? `an approval state${w.field ? `'s ${w.field}` : ''}` : `activity ${w.activity}${w.field ? `'s ${w.field}` : ''}`;
}

interface RefContext {
  index: Map<string, IndexedState>;
  before: Map<string, ReadonlySet<string>>;
  signatures: Record<string, AnySignature>;
  problems: PipelineProblem[];
}

/** Checks every reference a state makes. */
function checkState(s: IndexedState, ctx: RefContext): void {
  const st = s.state;
  if (st.type === 'task' || st.type === 'approval') {
    const sig = st.type === 'approval' ? APPROVAL : st.activity !== undefined ? ctx.signatures[st.activity] : undefined;
    for (const [k, v] of Object.entries(st.input ?? {}))
      walkRefs(v, [...s.path, 'input', k], (ref, at) => checkRef(ref, s, at, at.length === s.path.length + 2 ? sig?.input[k] : undefined, ctx));
  } else if (st.type === 'choice') {
    st.choices.forEach((c, i) => {
      const conds = Array.isArray(c.if) ? c.if : [c.if];
      conds.forEach((cond, j) => {
        checkRef(cond.path, s, [...s.path, 'choices', i, 'if', ...(Array.isArray(c.if) ? [j] : []), 'path'], undefined, ctx);
      });
    });
  } else if (st.type === 'wait' && st.until?.startsWith('$')) checkRef(st.until, s, [...s.path, 'until'], undefined, ctx);
}

function walkRefs(v: unknown, path: PropertyKey[], visit: (ref: string, path: PropertyKey[]) => void): void {
  if (typeof v === 'string' && v.startsWith('$.')) visit(v, path);
  else if (Array.isArray(v))
    v.forEach((x, i) => {
      walkRefs(x, [...path, i], visit);
    });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walkRefs(x, [...path, k], visit);
}

/** Checks one `$.` reference made by state `from`; `expected` is the type of the input it feeds, when known. */
function checkRef(ref: string, from: IndexedState, path: PropertyKey[], expected: ValueType | undefined, ctx: RefContext): void {
  const problem = (message: string, hint: string): void => void ctx.problems.push({ path, message: `state "${from.name}": ${ref}: ${message}`, hint });
  const parts = ref === '$' ? [] : ref.slice(2).split('.');
  const [root, name, field, ...deeper] = parts;
  let type: ValueType | undefined;
  if (root === undefined) return;
  // Own keys only: `$.input.constructor` is an unknown field like any other, not Object's constructor.
  if (root === 'input')
    type = name === undefined ? 'object' : field === undefined && Object.hasOwn(EXECUTION_INPUT_TYPES, name) ? (EXECUTION_INPUT_TYPES[name] ?? 'any') : 'any';
  else if (root !== 'results') {
    problem('a path reads $.input... (what started the execution) or $.results.<state>...', 'write $.input.file or $.results.<state>.<field>');
    return;
  } else if (name === undefined) type = 'object';
  else {
    const target = ctx.index.get(name);
    const preceding = ctx.before.get(from.name) ?? new Set<string>();
    if (!target) {
      const near = closest(name, [...ctx.index.keys()]);
      problem(`there is no state "${name}"`, `${near ? `did you mean ${near}? ` : ''}states before "${from.name}": ${[...preceding].join(', ') || '(none)'}`);
      return;
    }
    if (target.state.type === 'choice' || target.state.type === 'succeed' || target.state.type === 'fail') {
      problem(`state "${name}" is a ${target.state.type} state and has no result`, 'read the result of a task, approval, wait or parallel state');
      return;
    }
    if (!preceding.has(name)) {
      problem(
        `state "${name}" does not run before "${from.name}" on every path, so its result may not exist yet`,
        `read a state that runs before it on every path (${[...preceding].join(', ') || 'none does'}), or move "${name}" earlier`,
      );
      return;
    }
    const fields = outputOf(target.state, ctx.signatures);
    if (field === undefined) type = 'object';
    else if (fields === null) {
      problem(`state "${name}" (a wait) has no result fields`, 'a wait state records no result');
      return;
    } else if (fields === 'any') type = 'any';
    else if (!(field in fields)) {
      const near = closest(field, Object.keys(fields));
      problem(
        `${describe(target.state, name)} has no output field "${field}"`,
        `${near ? `did you mean ${near}? ` : ''}its fields: ${Object.keys(fields).join(', ')}`,
      );
      return;
    } else {
      const t = fields[field]!;
      if (deeper.length > 0 && !['object', 'array', 'any'].includes(t)) {
        problem(`field "${field}" of "${name}" is a ${t}; it has no field "${deeper[0]}"`, `read $.results.${name}.${field}`);
        return;
      }
      type = deeper.length > 0 ? 'any' : t;
    }
  }
  if (expected && type && !typeFits(type, expected)) {
    const input = String(path[path.length - 1]);
    problem(`input "${input}" of "${from.name}" takes ${article(expected)}, and this is ${article(type)}`, `wire "${input}" to a field of type ${expected}`);
  }
}

/** What a state outputs: its fields and their types, `any` when unknown (a command, a custom activity), null for a wait. */
function outputOf(state: State, signatures: Record<string, AnySignature>): Record<string, ValueType> | 'any' | null {
  if (state.type === 'approval') return APPROVAL.output;
  if (state.type === 'wait') return null;
  if (state.type === 'parallel') return Object.fromEntries(state.branches.map((b) => [b.name, 'any' as const]));
  if (state.type === 'task' && state.activity !== undefined) return signatures[state.activity]?.output ?? 'any';
  return 'any';
}

function describe(state: State, name: string): string {
  return state.type === 'task' && state.activity ? `state "${name}" (activity ${state.activity})` : `state "${name}" (${state.type})`;
}

function article(t: ValueType): string {
  return t === 'any' ? 'any value' : t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`;
}
