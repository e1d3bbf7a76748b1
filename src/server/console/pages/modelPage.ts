import { html, type SafeHtml } from '../../../core/html.js';
import type { ModelHistoryEntry, ModelVersion } from '../../../models/types.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { cell, num, when } from '../format.js';
import { badge, csrfField, notice, table } from '../fragments.js';

/** A candidate of the AutoML search, as the model report's leaderboard lists it. */
export interface Candidate {
  id: string;
  learner: string;
  status: string;
  best: boolean;
  cvMean: number | null;
  holdout: number | null;
}

export interface ModelPageData {
  name: string;
  versions: ModelVersion[];
  history: ModelHistoryEntry[];
  /** The metric versions are ranked by, and whether higher is better. */
  metric: string | undefined;
  higherIsBetter: boolean;
  /** Versions that have a model report (served by the console). */
  withReport: ReadonlySet<number>;
  /** The AutoML leaderboard of the champion (or latest) version, when its model report has one. */
  candidates?: { version: number; metric: string | undefined; rows: Candidate[]; notUsed?: Array<{ name: string; reason: string }> } | undefined;
  /** CSRF token for promote and rollback; the forms are shown only when given (admins). */
  adminCsrf?: string | undefined;
  message?: { kind: 'done' | 'refused'; text: string; hint?: string | undefined } | undefined;
}

/** Picks the metric to rank versions by: a usual one if present, else the first recorded. */
export function rankingMetric(versions: readonly ModelVersion[]): { metric: string | undefined; higherIsBetter: boolean } {
  const names = [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))];
  // The pipeline records `holdout_<metric>` (and `holdout_rows`, a count, never a ranking).
  const usual = ['auc', 'f1', 'accuracy', 'r2', 'log_loss', 'rmse'];
  const metric =
    usual.find((m) => names.includes(m)) ??
    usual.map((m) => `holdout_${m}`).find((m) => names.includes(m)) ??
    names.find((m) => m.startsWith('holdout_') && m !== 'holdout_rows') ??
    names.find((m) => !/rows$/.test(m));
  return { metric, higherIsBetter: !(metric && /loss|rmse|mae|mse|error/i.test(metric)) };
}

/** One model: the leaderboard of its versions, champion and history, promote and rollback (admins). */
export function modelPage(frame: Frame, d: ModelPageData): string {
  const b = frame.base;
  const name = encodeURIComponent(d.name);
  const champion = d.versions.find((v) => v.aliases.includes('champion'));
  const m = d.metric;
  const ranked = [...d.versions].sort((x, y) => {
    const a = m ? x.metrics[m] : undefined;
    const c = m ? y.metrics[m] : undefined;
    if (a === undefined && c === undefined) return y.version - x.version;
    if (a === undefined) return 1;
    if (c === undefined) return -1;
    return d.higherIsBetter ? c - a : a - c;
  });
  const rows = ranked.map(
    (v, i) => html`<tr>
<td class="num">${i + 1}</td><td class="num">${v.version}</td><td>${badge(v.status)}</td>
<td>${v.aliases.join(', ')}</td>
<td>${Object.entries(v.metrics).map(([k, x]) => html`<span${k === m ? html` class="ok"` : ''}>${k} ${num(x)}</span> `)}</td>
<td>${v.lineage.trainingBatch?.executionId ? html`<a href="${b}/executions/${encodeURIComponent(v.lineage.trainingBatch.executionId)}">batch</a>` : cell(v.lineage.trainingBatch?.file ?? '')}${v.lineage.approval ? html`<br><span class="muted">approved by ${v.lineage.approval.by}</span>` : ''}</td>
<td>${d.withReport.has(v.version) ? html`<a href="${b}/models/${name}/versions/${v.version}/report">model report</a>` : html`<span class="muted">—</span>`}</td>
<td><time datetime="${v.createdAt}">${when(v.createdAt)}</time></td></tr>`,
  );

  return consoleLayout(
    frame,
    `Model ${d.name}`,
    'Models',
    html`
<p><a href="${b}/models">← Models</a></p>
<h1>Model ${d.name}</h1>
${d.message ? notice(d.message.kind, d.message.text, d.message.hint) : ''}
<p>Champion: ${champion ? html`<b>version ${champion.version}</b> (${champion.status}${m && champion.metrics[m] !== undefined ? html`, ${m} ${num(champion.metrics[m])}` : ''})` : html`<b>none</b> — the endpoint serves nothing for this model`}</p>

<h2>Leaderboard</h2>
<p class="muted">${m ? `Versions ranked by ${m} (${d.higherIsBetter ? 'higher' : 'lower'} is better).` : 'No metrics recorded.'}</p>
${table('Versions by metric', ['Rank', 'Version', 'Status', 'Aliases', 'Metrics', 'Training batch', 'Report', 'Registered'], rows, { numeric: [0, 1], stack: true })}
${candidatesTable(d)}
${adminForms(frame, d, champion)}

<h2>History</h2>
${table(
  'Registry history, newest first',
  ['When', 'Version', 'Change', 'From', 'To', 'By', 'Comment'],
  [...d.history].reverse().map(
    (h) => html`<tr>
<td><time datetime="${h.at}">${when(h.at)}</time></td><td class="num">${h.version ?? ''}</td><td>${h.kind}${h.alias ? html` <code>${h.alias}</code>` : ''}</td>
<td>${h.from ?? ''}</td><td>${h.to ?? ''}</td><td>${h.by}</td><td>${h.comment ?? ''}</td></tr>`,
  ),
  { stack: true },
)}`,
  );
}

function candidatesTable(d: ModelPageData): SafeHtml {
  const c = d.candidates;
  if (!c || c.rows.length === 0) return html``;
  return html`<h3>AutoML candidates of version ${c.version}</h3>
${table(
  `Candidates${c.metric ? ` (${c.metric})` : ''}`,
  ['Candidate', 'Learner', 'Status', 'CV mean', 'Holdout'],
  c.rows.map(
    (r) => html`<tr${r.best ? html` class="ok"` : ''}>
<td>${r.id}${r.best ? ' ★' : ''}</td><td>${r.learner}</td><td>${r.status}</td><td class="num">${num(r.cvMean)}</td><td class="num">${num(r.holdout)}</td></tr>`,
  ),
  { numeric: [3, 4], stack: true },
)}
${
  c.notUsed?.length
    ? table(
        `Columns not used as features by version ${c.version}, and why`,
        ['Column', 'Why'],
        c.notUsed.map((x) => html`<tr><td>${x.name}</td><td>${x.reason}</td></tr>`),
        { visibleCaption: true },
      )
    : ''
}`;
}

function adminForms(frame: Frame, d: ModelPageData, champion: ModelVersion | undefined): SafeHtml {
  if (!d.adminCsrf) return html`<p class="muted">Only admins promote and roll back models.</p>`;
  const b = frame.base;
  const name = encodeURIComponent(d.name);
  const approved = d.versions.filter((v) => v.status === 'approved');
  return html`<h2>Promote</h2>
${
  approved.length
    ? html`<form method="post" action="${b}/models/${name}/promote">${csrfField(d.adminCsrf)}
<label for="version">Version (approved versions only)</label>
<select id="version" name="version">${approved.map((v) => html`<option value="${v.version}">${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}</option>`)}</select>
<label for="alias">Alias</label><input type="text" id="alias" name="alias" value="champion" maxlength="128" required>
<label for="promote-comment">Comment</label><input type="text" id="promote-comment" name="comment" maxlength="2000">
<label for="allow-schema-change"><input type="checkbox" id="allow-schema-change" name="allowSchemaChange"> Allow other required inputs than the champion's (clients must send the new columns)</label>
<button type="submit" class="primary">Promote</button></form>`
    : html`<p class="muted">No approved version to promote.</p>`
}
<h2>Roll back</h2>
${
  champion
    ? html`<form method="post" action="${b}/models/${name}/rollback">${csrfField(d.adminCsrf)}
<p>Moves <code>champion</code> from version ${champion.version} back to the champion it replaced.</p>
<label for="rollback-comment">Comment</label><input type="text" id="rollback-comment" name="comment" maxlength="2000">
<button type="submit" class="danger">Roll back</button></form>`
    : html`<p class="muted">No champion to roll back.</p>`
}`;
}
