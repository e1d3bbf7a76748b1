import { html } from '../../../core/html.js';
import type { AuditEntry } from '../../auth/AuthGate.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { href, when } from '../format.js';
import { notice, table } from '../fragments.js';

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  before?: number | undefined;
}

/** The audit log, newest first, filterable by actor and action, paged by entry id. */
export function auditPage(frame: Frame, q: AuditQuery, entries: readonly AuditEntry[], hasMore: boolean): string {
  const b = frame.base;
  const last = entries.at(-1);
  return consoleLayout(
    frame,
    'Audit log',
    'Audit',
    html`<h1>Audit log</h1>
<p>Every decision, model change and sign-in, newest first.</p>
<form method="get" action="${b}/audit" class="filters" role="search">
<div><label for="actor">Who</label><input type="search" id="actor" name="actor" value="${q.actor ?? ''}" maxlength="200"></div>
<div><label for="action">Action</label><input type="search" id="action" name="action" value="${q.action ?? ''}" maxlength="200" placeholder="approval.approve"></div>
<div><button type="submit">Filter</button></div></form>
${
  entries.length
    ? table(
        'Audit entries',
        ['When', 'Who', 'Action', 'Target', 'Detail', 'From'],
        entries.map(
          (e) => html`<tr>
<td><time datetime="${e.at}">${when(e.at)}</time></td><td>${e.actor}</td><td><code>${e.action}</code></td><td>${e.target}</td><td>${e.detail ?? ''}</td><td>${e.ip ?? ''}</td></tr>`,
        ),
        { stack: true },
      )
    : notice('warn', 'No audit entries match.')
}
<nav class="pager" aria-label="Pages">${q.before !== undefined ? html`<a href="${href(`${b}/audit`, { actor: q.actor, action: q.action })}">← Newest</a>` : ''}
${hasMore && last ? html`<a rel="next" href="${href(`${b}/audit`, { actor: q.actor, action: q.action, before: last.id })}">Older →</a>` : ''}</nav>`,
  );
}
