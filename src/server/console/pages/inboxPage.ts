import { html } from '../../../core/html.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { fileName, since, when } from '../format.js';
import { notice, table } from '../fragments.js';

/** One pending approval as the inbox lists it. */
export interface InboxItem {
  executionId: string;
  file: string | null;
  step: string;
  requestedAt: string;
  expiresAt: string | undefined;
  verdict: string | undefined;
  gatesPassed: number;
  gatesFailed: number;
  highWarnings: number;
  /** Whether the signed-in user may decide it. */
  mine: boolean;
}

/**
 * The approver's home: the approvals waiting for them, oldest first, with the gates' verdict.
 * A viewer sees every pending approval, read-only.
 */
export function inboxPage(frame: Frame, items: readonly InboxItem[], others: number): string {
  const b = frame.base;
  const canDecide = frame.user.role !== 'viewer';
  const rows = items.map(
    (i) => html`<tr>
<td><a href="${b}/executions/${encodeURIComponent(i.executionId)}">${fileName(i.file)}</a><br><code class="muted">${i.executionId}</code></td>
<td><time datetime="${i.requestedAt}" title="${i.requestedAt}">${since(i.requestedAt)}</time></td>
<td>${i.expiresAt ? html`<time datetime="${i.expiresAt}">${when(i.expiresAt)}</time>` : '—'}</td>
<td>${i.verdict ? html`<span class="${i.gatesFailed > 0 || /fail|reject/i.test(i.verdict) ? 'fail' : i.highWarnings > 0 ? 'review' : /pass/i.test(i.verdict) ? 'pass' : ''}">${i.verdict}${i.highWarnings > 0 && !/fail/i.test(i.verdict) ? ' · review the high warnings' : ''}</span>` : html`<span class="muted">no report</span>`}
${i.gatesPassed + i.gatesFailed > 0 ? html`<br><span class="muted">gates: ${i.gatesPassed} passed, ${i.gatesFailed} failed</span>` : ''}
${i.highWarnings ? html`<br><span class="fail">${i.highWarnings} high warning${i.highWarnings > 1 ? 's' : ''}</span>` : ''}</td>
<td>${i.mine ? html`<a href="${b}/executions/${encodeURIComponent(i.executionId)}#decide">Review and decide</a>` : html`<a href="${b}/executions/${encodeURIComponent(i.executionId)}">View</a>`}</td>
</tr>`,
  );
  return consoleLayout(
    frame,
    'Inbox',
    'Inbox',
    html`
<h1>Inbox</h1>
<p>${canDecide ? html`Approvals waiting for you, ${frame.user.name}, oldest first.` : html`Approvals waiting for a decision (you are a viewer: you can read them, not decide).`}</p>
${
  items.length
    ? table('Pending approvals', ['File', 'Waiting since', 'Expires', 'Verdict of the gates', ''], rows, { stack: true })
    : notice('done', canDecide ? 'Nothing is waiting for your decision.' : 'Nothing is waiting for a decision.')
}
${others > 0 ? html`<p class="muted">${others} more approval${others > 1 ? 's are' : ' is'} waiting for other approvers.</p>` : ''}
<p><a href="${b}/executions?status=waiting">All waiting executions</a></p>`,
  );
}
