import type { Branch, Condition, Pipeline, State } from './pipelineSchema.js';

/** A semantic problem in a pipeline, located by spec path (e.g. `['states','train','next']`). */
export interface PipelineProblem {
  path: PropertyKey[];
  message: string;
  hint: string;
}

/** A state and where it sits: its scope's path in the spec, and the branch chain leading to it. */
export interface IndexedState {
  name: string;
  state: State;
  path: PropertyKey[];
}

/** Every state of the pipeline by name, including those inside parallel branches. */
export function indexStates(pipeline: Pipeline): Map<string, IndexedState> {
  const out = new Map<string, IndexedState>();
  const visit = (states: Record<string, State>, base: PropertyKey[]) => {
    for (const [name, state] of Object.entries(states)) {
      if (!out.has(name)) out.set(name, { name, state, path: [...base, 'states', name] });
      if (state.type === 'parallel')
        state.branches.forEach((b, i) => {
          visit(b.states, [...base, 'states', name, 'branches', i]);
        });
    }
  };
  visit(pipeline.states, []);
  return out;
}

const OPERATORS = ['equals', 'notEquals', 'in', 'greaterThan', 'lessThan', 'exists'] as const;

/**
 * Checks what the schema cannot: every transition names a state of the same scope, state names
 * are unique across branches, each state says where to go next (or ends), every state is
 * reachable, conditions have exactly one operator. Returns the problems; empty means valid.
 */
export function validatePipeline(pipeline: Pipeline): PipelineProblem[] {
  const problems: PipelineProblem[] = [];
  const seen = new Map<string, string>();
  checkScope({ name: '(top)', start: pipeline.start, states: pipeline.states }, [], problems, seen);
  return problems;
}

function checkScope(scope: Branch, base: PropertyKey[], problems: PipelineProblem[], seen: Map<string, string>): void {
  const names = new Set(Object.keys(scope.states));
  const where = base.length ? `branch "${scope.name}"` : 'the pipeline';
  if (names.size === 0) problems.push({ path: [...base, 'states'], message: `${where} has no states`, hint: 'add at least one state' });
  if (!names.has(scope.start)) {
    problems.push({ path: [...base, 'start'], message: `start "${scope.start}" is not a state of ${where}`, hint: `use one of: ${[...names].join(', ')}` });
  }
  const target = (path: PropertyKey[], to: string | undefined, what: string) => {
    if (to !== undefined && !names.has(to)) {
      problems.push({
        path,
        message: `${what} "${to}" is not a state of ${where}`,
        hint: `use one of: ${[...names].join(', ')} (a parallel branch can only go to states of its own branch)`,
      });
    }
  };
  for (const [name, state] of Object.entries(scope.states)) {
    const p = [...base, 'states', name];
    const owner = seen.get(name);
    if (owner !== undefined)
      problems.push({
        path: p,
        message: `state name "${name}" is used twice (also in ${owner})`,
        hint: 'state names are unique across the whole pipeline, branches included, because results are kept by state name',
      });
    else seen.set(name, where);
    if (state.type === 'choice') {
      state.choices.forEach((c, i) => {
        target([...p, 'choices', i, 'next'], c.next, 'choice next');
        const conds = Array.isArray(c.if) ? c.if : [c.if];
        conds.forEach((cond, j) => {
          checkCondition(cond, Array.isArray(c.if) ? [...p, 'choices', i, 'if', j] : [...p, 'choices', i, 'if'], problems);
        });
      });
      target([...p, 'default'], state.default, 'default');
      continue;
    }
    if (state.type === 'succeed' || state.type === 'fail') continue;
    if (state.next === undefined && state.end !== true) {
      problems.push({ path: p, message: `state "${name}" says neither next nor end`, hint: 'add `next: <state>` or `end: true`' });
    }
    if (state.next !== undefined && state.end === true) {
      problems.push({ path: [...p, 'end'], message: `state "${name}" has both next and end`, hint: 'keep one of them' });
    }
    target([...p, 'next'], state.next, 'next');
    if (state.type === 'task' && (state.activity === undefined) === (state.command === undefined)) {
      problems.push({
        path: p,
        message: `task "${name}" needs exactly one of activity or command`,
        hint: 'write `activity: train` for a built-in, or `command: [python, score.py]` for your own program',
      });
    }
    if (state.type === 'wait' && (state.duration === undefined) === (state.until === undefined)) {
      problems.push({
        path: p,
        message: `wait "${name}" needs exactly one of duration or until`,
        hint: 'write `duration: 10m` or `until: 2026-01-01T00:00:00Z`',
      });
    }
    if (state.type === 'wait' && state.until !== undefined && !state.until.startsWith('$.') && Number.isNaN(Date.parse(state.until))) {
      problems.push({
        path: [...p, 'until'],
        message: `wait "${name}": "${state.until}" is not a time`,
        hint: 'write an ISO 8601 time such as 2026-01-01T08:00:00Z, or a $. path',
      });
    }
    if (state.type === 'parallel')
      state.branches.forEach((b, i) => {
        checkScope(b, [...p, 'branches', i], problems, seen);
      });
  }
  // Unreachable states are almost always a typo in a `next`; say so rather than ignore them.
  const reached = new Set<string>();
  const queue = names.has(scope.start) ? [scope.start] : [];
  while (queue.length) {
    const n = queue.pop()!;
    if (reached.has(n)) continue;
    reached.add(n);
    const s = scope.states[n]!;
    const nexts = s.type === 'choice' ? [...s.choices.map((c) => c.next), s.default] : s.type === 'succeed' || s.type === 'fail' ? [] : [s.next];
    for (const x of nexts) if (x !== undefined && names.has(x)) queue.push(x);
  }
  for (const n of names) {
    if (!reached.has(n))
      problems.push({
        path: [...base, 'states', n],
        message: `state "${n}" is never reached from "${scope.start}"`,
        hint: 'check the `next` fields that should lead to it, or remove it',
      });
  }
}

function checkCondition(cond: Condition, path: PropertyKey[], problems: PipelineProblem[]): void {
  const ops = OPERATORS.filter((o) => (cond as Record<string, unknown>)[o] !== undefined);
  if (ops.length !== 1) {
    problems.push({
      path,
      message: `condition on ${cond.path} has ${ops.length === 0 ? 'no operator' : `${ops.length} operators (${ops.join(', ')})`}`,
      hint: `give exactly one of: ${OPERATORS.join(', ')}`,
    });
  }
}
