import { html, type SafeHtml } from '../../../core/html.js';
import type { ExecutionEvent } from '../../../pipeline/events.js';
import { driftCaption, driftPictureSvg } from '../../../profile/html/driftPictureSvg.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import type { ExecutionView } from '../executionView.js';
import { cell, fileName, num, since, when } from '../format.js';
import { badge, csrfField, notice, table } from '../fragments.js';
import { pipelineSvg, stateMarks } from '../pipelineSvg.js';

export interface ExecutionPageOptions {
  /** CSRF token for the decision form; the form is shown only when given (the user may decide). */
  decideCsrf?: string | undefined;
  /** Why the signed-in user cannot decide, shown instead of the form. */
  cannotDecide?: string | undefined;
  /** A message after a decision or a refused one. */
  message?: { kind: 'done' | 'refused'; text: string; hint?: string | undefined } | undefined;
}

/**
 * One execution: the findings first (verdict, failed gates, high warnings, key figures, drift),
 * the decision form when it waits for this user, the pipeline diagram, the embedded report and
 * the event timeline.
 */
export function executionPage(frame: Frame, v: ExecutionView, o: ExecutionPageOptions): string {
  const b = frame.base;
  const ex = v.execution;
  const id = encodeURIComponent(ex.id);
  const f = v.findings;
  const gates = [...f.gates].sort((x, y) => Number(x.passed) - Number(y.passed));
  const marks = stateMarks(v.history, ex.current, ex.definition);
  const decisions = v.history.filter((e) => e.type === 'ApprovalDecided' || e.type === 'ApprovalTimedOut');

  return consoleLayout(
    frame,
    `Execution ${fileName(ex.file)} · ${ex.id}`,
    'Executions',
    html`
<p><a href="${b}/executions">← Executions</a></p>
<h1>${fileName(ex.file)} ${badge(ex.status)}</h1>
<dl class="kv">
<dt>Execution</dt><dd><code>${ex.id}</code></dd>
<dt>Pipeline</dt><dd>${ex.pipeline}</dd>
<dt>File</dt><dd><code>${ex.file ?? '—'}</code></dd>
<dt>Started</dt><dd><time datetime="${ex.createdAt}">${when(ex.createdAt)}</time></dd>
${ex.outcome ? html`<dt>Outcome</dt><dd>${ex.outcome}</dd>` : ''}
${ex.duplicateOf ? html`<dt>Duplicate of</dt><dd><a href="${b}/executions/${encodeURIComponent(ex.duplicateOf)}">${ex.duplicateOf}</a></dd>` : ''}
${ex.error ? html`<dt>Error</dt><dd class="fail">${ex.error.code}: ${ex.error.message}${ex.error.hint ? html`<br><span class="muted">${ex.error.hint}</span>` : ''}</dd>` : ''}
</dl>
${o.message ? notice(o.message.kind, o.message.text, o.message.hint) : ''}
${v.pending ? notice('warn', `Waiting for a decision at step "${v.pending.step}" for ${since(v.pending.requestedAt)}.${v.pending.expiresAt ? ` Without a decision by ${when(v.pending.expiresAt)}, the default action is taken.` : ''}`) : ''}

<h2>Findings</h2>
<p>Verdict: <b class="${f.tone === 'none' ? '' : f.tone}">${f.headline ?? 'no report yet'}</b></p>
${
  gates.length
    ? table(
        'Gates, failed first',
        ['Result', 'Gate', 'Detail'],
        gates.map(
          (g) => html`<tr><td class="${g.passed ? 'pass' : 'fail'}">${g.passed ? 'PASS' : 'FAIL'}</td><td>${g.name}</td><td>${g.message ?? ''}</td></tr>`,
        ),
      )
    : ''
}
${f.highWarnings.length ? html`<div class="warn"><h3>High warnings</h3><ul>${f.highWarnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : ''}
${
  f.figures.length
    ? table(
        'Key figures',
        ['Figure', 'Value'],
        f.figures.map(([k, val]) => html`<tr><th scope="row">${k}</th><td class="num">${val}</td></tr>`),
      )
    : ''
}
${rowsSection(v)}
${driftSection(v)}
${f.driftPictures.length ? html`<h3>Drifted columns: baseline and this batch</h3><div class="drift-pictures">${f.driftPictures.map((p) => html`<figure class="drift-figure">${driftPictureSvg(p)}<figcaption>${driftCaption(p)}</figcaption></figure>`)}</div>` : ''}

${decisionSection(frame, v, o, id)}
${decisions.length ? html`<h2>Decision</h2>${decisions.map((e) => html`<p>${badge(String(e.data.decision))} by <b>${String(e.data.by)}</b> at ${when(String(e.data.at))}${e.data.comment ? html` — “${String(e.data.comment)}”` : ''}${e.data.reason ? html` — reason: “${String(e.data.reason)}”` : ''}</p>`)}` : ''}

<h2>Pipeline</h2>
<div class="scroll">${pipelineSvg(ex.definition, marks)}</div>
<p class="muted">▶ current state · ✓ done · ✗ failed</p>

<h2>Insights report</h2>
${
  v.hasReport
    ? html`<p><a href="${b}/executions/${id}/report">Open the full report</a> · <a href="/reports/${id}/report.json">report.json</a></p>
<iframe class="report" src="${b}/executions/${id}/report" title="Insights report of ${fileName(ex.file)}" sandbox></iframe>`
    : html`<p class="muted">No report yet (the report step writes it).</p>`
}

<h2>Timeline</h2>
${timeline(v.history)}`,
  );
}

function driftSection(v: ExecutionView): SafeHtml {
  const d = v.drift;
  if (!d) return html`<h3>Drift</h3><p class="muted">No drift measured (no earlier approved batch, or no report yet).</p>`;
  const drifted = d.columns.filter((c) => c.drifted);
  return html`<h3>Drift against the last approved batch</h3>
<p>Verdict: <b class="${d.verdict === 'drift' ? 'fail' : 'pass'}">${d.verdict === 'drift' ? 'drift' : 'no drift'}</b>${d.baseline ? html` · baseline <code>${fileName(d.baseline)}</code>` : ''}${d.baselineRows !== undefined ? html` (${num(d.baselineRows)} rows)` : ''}</p>
${d.newColumns.length ? html`<p class="fail">New columns: ${d.newColumns.join(', ')}</p>` : ''}
${d.missingColumns.length ? html`<p class="fail">Missing columns: ${d.missingColumns.join(', ')}</p>` : ''}
${
  d.columns.length
    ? table(
        `Columns by drift (${drifted.length} of ${d.columns.length} drifted)`,
        ['Column', 'Kind', 'PSI', 'Drifted', 'New categories'],
        [...d.columns]
          .sort((a, c) => Number(c.drifted) - Number(a.drifted) || (c.psi ?? 0) - (a.psi ?? 0))
          .slice(0, 30)
          .map(
            (c) =>
              html`<tr><td>${c.name}</td><td>${c.kind}</td><td class="num">${num(c.psi)}</td><td class="${c.drifted ? 'fail' : 'pass'}">${c.drifted ? 'yes' : 'no'}</td><td>${c.newCategories.slice(0, 5).join(', ')}</td></tr>`,
          ),
        { visibleCaption: true, numeric: [2] },
      )
    : ''
}`;
}

function decisionSection(frame: Frame, v: ExecutionView, o: ExecutionPageOptions, id: string): SafeHtml {
  if (!v.pending) return html``;
  if (!o.decideCsrf) return html`<h2 id="decide">Decision</h2><p class="muted">${o.cannotDecide ?? 'You cannot decide this approval.'}</p>`;
  return html`<h2 id="decide">Decide</h2>
<form method="post" action="${frame.base}/executions/${id}/decide">
${csrfField(o.decideCsrf)}
<label for="comment">Comment (optional when approving)</label><textarea id="comment" name="comment" rows="2" maxlength="4000"></textarea>
<label for="reason">Reason (required to reject)</label><input type="text" id="reason" name="reason" maxlength="4000">
<div><button type="submit" class="primary" name="decision" value="approve">Approve</button>
<button type="submit" class="danger" name="decision" value="reject">Reject</button></div>
</form>
<p class="muted">You decide as ${frame.user.name} (${frame.user.role}); the decision is recorded with your name and address.</p>`;
}

/** The recipe's row count and every step that removed rows, with how many and why. */
function rowsSection(v: ExecutionView): SafeHtml | string {
  const ev = v.history.find((e) => e.type === 'ActivitySucceeded' && e.step === 'run_flow');
  const out = ev?.data.output as
    | { rows?: number; rowsIn?: number; dropped?: Array<{ step: number; kind: string; name?: string; rows: number; reason: string }> }
    | undefined;
  if (!out || typeof out.rows !== 'number' || typeof out.rowsIn !== 'number') return '';
  const dropped = out.dropped ?? [];
  return html`<h3>Rows</h3><p>The recipe kept <b>${out.rows}</b> of ${out.rowsIn} rows${dropped.length ? '' : '; no step removed any'}.</p>
${
  dropped.length
    ? table(
        'Rows removed by the recipe',
        ['Step', 'Rows', 'Why'],
        dropped.map((d) => html`<tr><td>${d.step + 1} (${d.name ?? d.kind})</td><td class="num">${d.rows}</td><td>${d.reason}</td></tr>`),
      )
    : ''
}`;
}

function summary(e: ExecutionEvent): string {
  const d = e.data;
  switch (e.type) {
    case 'ActivityFailed':
      return cell((d.error as { message?: string } | undefined)?.message ?? d.error);
    case 'ApprovalDecided':
    case 'ApprovalTimedOut':
      return `${String(d.decision)} by ${String(d.by)}${d.comment ? `: ${String(d.comment)}` : ''}${d.reason ? `: ${String(d.reason)}` : ''}`;
    case 'ApprovalRequested':
      return d.expiresAt ? `expires ${when(String(d.expiresAt))}` : '';
    case 'ChoiceTaken':
      return `→ ${String(d.next)}`;
    case 'ActivityScheduled':
    case 'ActivityRetried':
      return `attempt ${String(d.attempt)}`;
    case 'ExecutionStarted':
      return cell((d.input as { file?: string } | undefined)?.file ?? '');
    case 'ExecutionSucceeded':
      return cell(d.outcome ?? '');
    // An activity's findings (deploy: the input contract changed) are what a person must read.
    case 'ActivitySucceeded': {
      const findings = (d.output as { findings?: Array<{ message?: unknown }> } | undefined)?.findings;
      return Array.isArray(findings) ? findings.map((f) => `finding: ${String(f.message)}`).join('; ') : '';
    }
    default:
      return '';
  }
}

function timeline(history: readonly ExecutionEvent[]): SafeHtml {
  return table(
    'Event timeline, oldest first',
    ['#', 'Time', 'Event', 'Step', 'Detail'],
    history.map(
      (e) =>
        html`<tr><td class="num">${e.seq}</td><td><time datetime="${e.at}">${when(e.at)}</time></td><td>${e.type}</td><td>${e.step ?? ''}</td><td>${summary(e)}</td></tr>`,
    ),
    { numeric: [0], stack: true },
  );
}
