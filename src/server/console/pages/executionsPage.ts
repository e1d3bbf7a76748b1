import { html } from '../../../core/html.js';
import type { ExecutionRecord, ExecutionStatus } from '../../../pipeline/store/ExecutionStore.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { fileName, href, when } from '../format.js';
import { badge, notice, table } from '../fragments.js';

/** The states the list can be filtered by, in the order of the select. */
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['running', 'waiting', 'succeeded', 'failed', 'skipped'];

export interface ExecutionsQuery {
  status?: ExecutionStatus | undefined;
  file?: string | undefined;
  page: number;
  pageSize: number;
}

/** Executions newest first, filtered by state and file name, a page at a time. */
export function executionsPage(frame: Frame, q: ExecutionsQuery, rows: readonly ExecutionRecord[], hasNext: boolean, total: number | undefined): string {
  const b = frame.base;
  const link = (page: number) => href(`${b}/executions`, { status: q.status, file: q.file, page: page > 1 ? page : undefined });
  const body = rows.map(
    (r) => html`<tr>
<td><a href="${b}/executions/${encodeURIComponent(r.id)}">${fileName(r.file)}</a><br><code class="muted">${r.id}</code></td>
<td>${badge(r.status)}${r.outcome ? html` <span class="muted">${r.outcome}</span>` : ''}</td>
<td>${r.current.join(', ') || '—'}</td>
<td><time datetime="${r.createdAt}">${when(r.createdAt)}</time></td>
<td><time datetime="${r.updatedAt}">${when(r.updatedAt)}</time></td></tr>`,
  );
  const first = (q.page - 1) * q.pageSize + 1;
  return consoleLayout(
    frame,
    'Executions',
    'Executions',
    html`
<h1>Executions</h1>
<form method="get" action="${b}/executions" class="filters" role="search">
<div><label for="status">State</label><select id="status" name="status"><option value="">any</option>${EXECUTION_STATUSES.map((s) => html`<option value="${s}"${q.status === s ? html` selected` : ''}>${s}</option>`)}</select></div>
<div><label for="file">File name contains</label><input type="search" id="file" name="file" value="${q.file ?? ''}" maxlength="200"></div>
<div><button type="submit">Filter</button></div>
</form>
${
  rows.length
    ? html`<p class="muted">Showing ${first}–${first + rows.length - 1}${total !== undefined ? html` of ${total}` : ''}.</p>${table('Executions', ['File', 'State', 'At', 'Started', 'Last change'], body, { stack: true })}`
    : notice('warn', q.status || q.file ? 'No execution matches these filters.' : 'No executions yet: drop a file into the inbox folder.')
}
<nav class="pager" aria-label="Pages">
${q.page > 1 ? html`<a href="${link(q.page - 1)}" rel="prev">← Newer</a>` : ''}
<span>Page ${q.page}</span>
${hasNext ? html`<a href="${link(q.page + 1)}" rel="next">Older →</a>` : ''}
</nav>`,
  );
}
