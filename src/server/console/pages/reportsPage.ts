import { html } from '../../../core/html.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { fileName, href, when } from '../format.js';
import { badge, notice, table } from '../fragments.js';

export interface ReportItem {
  executionId: string;
  file: string | null;
  createdAt: string;
  status: string;
  verdict: string | undefined;
  drift: string | undefined;
  highWarnings: number;
}

/** The insights reports of the batches, newest first, with links to the report and its execution. */
export function reportsPage(frame: Frame, items: readonly ReportItem[], page: number, hasNext: boolean): string {
  const b = frame.base;
  const rows = items.map((r) => {
    const id = encodeURIComponent(r.executionId);
    return html`<tr><td><a href="${b}/executions/${id}/report">${fileName(r.file)}</a><br><code class="muted">${r.executionId}</code></td>
<td><time datetime="${r.createdAt}">${when(r.createdAt)}</time></td>
<td>${r.verdict ?? '—'}${r.highWarnings ? html`<br><span class="fail">${r.highWarnings} high</span>` : ''}</td>
<td>${r.drift === 'drift' ? html`<span class="fail">drift</span>` : r.drift === 'no_drift' ? 'no drift' : '—'}</td>
<td>${badge(r.status)}</td>
<td><a href="${b}/executions/${id}">execution</a> · <a href="/reports/${id}/report.html">HTML</a> · <a href="/reports/${id}/report.json">JSON</a></td></tr>`;
  });
  return consoleLayout(
    frame,
    'Reports',
    'Reports',
    html`<h1>Batch reports</h1>
${items.length ? table('Insights reports', ['Batch', 'Arrived', 'Verdict', 'Drift', 'Execution', 'Links'], rows, { stack: true }) : notice('warn', 'No reports yet: the report step writes one for each batch.')}
<nav class="pager" aria-label="Pages">${page > 1 ? html`<a rel="prev" href="${href(`${b}/reports`, { page: page > 2 ? page - 1 : undefined })}">← Newer</a>` : ''}<span>Page ${page}</span>${hasNext ? html`<a rel="next" href="${href(`${b}/reports`, { page: page + 1 })}">Older →</a>` : ''}</nav>`,
  );
}
