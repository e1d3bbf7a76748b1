import type { Pipeline, State } from './definition/pipelineSchema.js';

/**
 * Draws a pipeline as text, one state per line, branches indented, with arrows to the next
 * states. States in `current` are marked `▶`, states done `✓`, a failed one `✗`.
 *
 * ```
 *   ✓ run_flow        task run_flow        → report
 *   ▶ approval        approval (7d, reject) → decision
 *     decision        choice               → build | rejected
 * ```
 */
export function drawPipeline(p: Pipeline, marks: { current?: readonly string[]; done?: readonly string[]; failed?: string | undefined } = {}): string {
  const lines: string[] = [];
  const current = new Set((marks.current ?? []).map(stateOf));
  const done = new Set((marks.done ?? []).map(stateOf));
  const failed = marks.failed ? stateOf(marks.failed) : undefined;
  const width = Math.max(...allNames(p.states).map((n) => n.length)) + 2;
  const draw = (states: Record<string, State>, start: string, indent: string) => {
    for (const name of order(states, start)) {
      const s = states[name]!;
      const mark = name === failed ? '✗' : current.has(name) ? '▶' : done.has(name) ? '✓' : ' ';
      lines.push(`${indent}${mark} ${name.padEnd(width)}${describe(s).padEnd(28)}${arrows(s)}`.trimEnd());
      if (s.type === 'parallel') {
        for (const b of s.branches) {
          lines.push(`${indent}    ┆ branch ${b.name}`);
          draw(b.states, b.start, `${indent}    ┆ `);
        }
      }
    }
  };
  draw(p.states, p.start, '');
  return lines.join('\n');
}

function stateOf(step: string): string {
  return (step.split('/').pop() ?? step).replace(/#\d+$/, '');
}

function allNames(states: Record<string, State>): string[] {
  return Object.entries(states).flatMap(([n, s]) => [n, ...(s.type === 'parallel' ? s.branches.flatMap((b) => allNames(b.states)) : [])]);
}

/** States in walk order from the start (reachable first, by following next/choices). */
function order(states: Record<string, State>, start: string): string[] {
  const seen: string[] = [];
  const visit = (n: string | undefined) => {
    if (n === undefined || seen.includes(n) || !states[n]) return;
    seen.push(n);
    const s = states[n]!;
    if (s.type === 'choice') {
      for (const c of s.choices) visit(c.next);
      visit(s.default);
    } else if (s.type !== 'succeed' && s.type !== 'fail') visit(s.next);
  };
  visit(start);
  for (const n of Object.keys(states)) visit(n);
  return seen;
}

function describe(s: State): string {
  switch (s.type) {
    case 'task':
      return `task ${s.activity ?? (Array.isArray(s.command) ? s.command.join(' ') : s.command)}`.slice(0, 27);
    case 'approval':
      return `approval (${String(s.timeout)}, ${s.default})`;
    case 'wait':
      return `wait ${String(s.duration ?? s.until)}`;
    case 'succeed':
      return `succeed${s.outcome ? ` (${s.outcome})` : ''}`;
    case 'fail':
      return `fail ${s.error}`;
    default:
      return s.type;
  }
}

function arrows(s: State): string {
  if (s.type === 'choice') return `→ ${[...s.choices.map((c) => c.next), ...(s.default ? [s.default] : [])].join(' | ')}`;
  if (s.type === 'succeed' || s.type === 'fail') return '';
  return s.next ? `→ ${s.next}` : '(end)';
}
