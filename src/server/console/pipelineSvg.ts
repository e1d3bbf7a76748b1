import { html, type SafeHtml } from '../../core/html.js';
import type { Pipeline, State } from '../../pipeline/definition/pipelineSchema.js';
import type { ExecutionEvent } from '../../pipeline/events.js';

/** Which top-level states an execution is at, has finished, or failed in. */
export interface StateMarks {
  current: ReadonlySet<string>;
  done: ReadonlySet<string>;
  failed?: string | undefined;
}

/** The top-level state of a step name: `build/train#2` -> `build`, `approval#3` -> `approval`. */
function topState(step: string): string {
  return (step.split('/')[0] ?? step).replace(/#\d+$/, '');
}

/**
 * Reads the marks from the recorded history alone (the same facts `plan` folds): a state is done
 * once exited (a choice once taken; a succeed state once entered), current while the execution
 * is at one of its steps, failed when the execution failed there.
 */
export function stateMarks(history: readonly ExecutionEvent[], current: readonly string[], pipeline: Pipeline): StateMarks {
  const done = new Set<string>();
  for (const e of history) {
    if (!e.step) continue;
    const top = topState(e.step);
    if (e.step.includes('/') && e.type !== 'StateExited') continue;
    if (e.type === 'StateExited' && !e.step.includes('/')) done.add(top);
    if (e.type === 'ChoiceTaken' && !e.step.includes('/')) done.add(top);
    if (e.type === 'StateEntered' && pipeline.states[top]?.type === 'succeed') done.add(top);
  }
  const failedEvent = [...history].reverse().find((e) => e.type === 'ExecutionFailed');
  const redriven = failedEvent && history.some((e) => e.type === 'ExecutionRedriven' && e.seq > failedEvent.seq);
  return { current: new Set(current.map(topState)), done, failed: failedEvent?.step && !redriven ? topState(failedEvent.step) : undefined };
}

interface Edge {
  from: string;
  to: string;
  label?: string | undefined;
}

function edgesOf(name: string, s: State): Edge[] {
  if (s.type === 'choice') {
    return [
      ...s.choices.map((c) => ({ from: name, to: c.next, label: conditionLabel(c.if) })),
      ...(s.default ? [{ from: name, to: s.default, label: 'otherwise' }] : []),
    ];
  }
  if (s.type === 'succeed' || s.type === 'fail' || !s.next) return [];
  return [{ from: name, to: s.next }];
}

function conditionLabel(c: unknown): string {
  const one = (Array.isArray(c) ? c[0] : c) as { path?: string; equals?: unknown } | undefined;
  if (!one?.path) return 'if';
  const field = one.path.split('.').pop() ?? one.path;
  return one.equals !== undefined ? `${field} = ${String(one.equals)}` : `if ${field}`;
}

function kindLabel(s: State): string {
  switch (s.type) {
    case 'task':
      return `task ${s.activity ?? 'command'}`;
    case 'parallel':
      return `parallel: ${s.branches.map((b) => b.name).join(' | ')}`;
    case 'succeed':
      return s.outcome ? `end: ${s.outcome}` : 'end';
    case 'fail':
      return `fail ${s.error}`;
    default:
      return s.type;
  }
}

const W = 180;
const H = 50;
const GX = 26;
const GY = 46;

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * Draws the pipeline definition as an SVG diagram: states as boxes in rows by their distance
 * from `start`, transitions as arrows (choices labelled), the current state outlined in blue,
 * done states green with a check, a failed state red. Text equivalent in `<title>`/`<desc>`
 * for screen readers. Built with the escaping template, so names from a spec cannot inject markup.
 */
export function pipelineSvg(p: Pipeline, marks: StateMarks): SafeHtml {
  const names = Object.keys(p.states);
  const depth = new Map<string, number>([[p.start, 0]]);
  const queue = [p.start];
  while (queue.length) {
    const n = queue.shift()!;
    for (const e of edgesOf(n, p.states[n]!)) {
      if (!depth.has(e.to) && p.states[e.to]) {
        depth.set(e.to, depth.get(n)! + 1);
        queue.push(e.to);
      }
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  for (const n of names) if (!depth.has(n)) depth.set(n, maxDepth + 1);
  const rows: string[][] = [];
  for (const n of names) (rows[depth.get(n)!] ??= []).push(n);
  const filled = rows.filter((r) => r?.length);
  const widest = Math.max(...filled.map((r) => r.length));
  const width = widest * (W + GX) + GX + 80;
  const pos = new Map<string, { x: number; y: number }>();
  filled.forEach((row, r) => {
    const offset = (width - 80 - row.length * (W + GX) + GX) / 2;
    row.forEach((n, i) => {
      pos.set(n, { x: offset + i * (W + GX), y: 16 + r * (H + GY) });
    });
  });
  const height = 16 + filled.length * (H + GY);

  const edges = names.flatMap((n) => edgesOf(n, p.states[n]!)).filter((e) => pos.has(e.to));
  const arrows = edges.map((e) => {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    let d: string;
    let lx: number;
    let ly: number;
    if (b.y > a.y) {
      const x1 = a.x + W / 2;
      const y1 = a.y + H;
      const x2 = b.x + W / 2;
      const y2 = b.y;
      d = `M${x1},${y1} C${x1},${y1 + GY / 2} ${x2},${y2 - GY / 2} ${x2},${y2 - 2}`;
      // Near the target, beside the arrow head: labels of a choice's branches never overlap.
      lx = x2 + 6;
      ly = y2 - 8;
    } else {
      // A loop back (or sideways): around the right edge of the boxes.
      const x1 = a.x + W;
      const y1 = a.y + H / 2;
      const x2 = b.x + W;
      const y2 = b.y + H / 2;
      const out = Math.max(x1, x2) + 40;
      d = `M${x1},${y1} C${out},${y1} ${out},${y2} ${x2 + 2},${y2}`;
      lx = out - 10;
      ly = (y1 + y2) / 2;
    }
    const stroke = marks.done.has(e.from) && (marks.done.has(e.to) || marks.current.has(e.to)) ? '#13702b' : '#6b7383';
    return html`<path d="${d}" fill="none" stroke="${stroke}" stroke-width="1.6" marker-end="url(#arrow)"/>${e.label ? html`<text x="${lx}" y="${ly}" font-size="11" fill="#3d4555">${cut(e.label, 28)}</text>` : ''}`;
  });

  const boxes = names.map((n) => {
    const s = p.states[n]!;
    const { x, y } = pos.get(n)!;
    const status = marks.failed === n ? 'failed' : marks.current.has(n) ? 'current' : marks.done.has(n) ? 'done' : 'pending';
    const style = {
      failed: { fill: '#fdecea', stroke: '#b3261e', sw: 3, mark: '✗ ' },
      current: { fill: '#e3ecfb', stroke: '#1f4fb8', sw: 3.5, mark: '▶ ' },
      done: { fill: '#e8f5e9', stroke: '#13702b', sw: 1.5, mark: '✓ ' },
      pending: { fill: '#ffffff', stroke: '#9aa3b2', sw: 1.2, mark: '' },
    }[status];
    return html`<g class="state ${status}" data-state="${n}"><title>${n}: ${kindLabel(s)} (${status})</title>
<rect x="${x}" y="${y}" width="${W}" height="${H}" rx="8" fill="${style.fill}" stroke="${style.stroke}" stroke-width="${style.sw}"/>
<text x="${x + 10}" y="${y + 20}" font-size="14" font-weight="600" fill="#1d2330">${style.mark}${cut(n, 20)}</text>
<text x="${x + 10}" y="${y + 38}" font-size="11.5" fill="#3d4555">${cut(kindLabel(s), 28)}</text></g>`;
  });

  const summary = `Pipeline ${p.name}. Current: ${[...marks.current].join(', ') || 'none'}. Done: ${[...marks.done].join(', ') || 'none'}.${marks.failed ? ` Failed at ${marks.failed}.` : ''}`;
  return html`<svg class="pipeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-labelledby="pipeline-title pipeline-desc">
<title id="pipeline-title">Pipeline ${p.name}</title><desc id="pipeline-desc">${summary}</desc>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7383"/></marker></defs>
${arrows}${boxes}</svg>`;
}
