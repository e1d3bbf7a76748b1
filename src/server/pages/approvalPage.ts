import { html } from '../../core/html.js';
import { driftCaption, driftPictureSvg } from '../../profile/html/driftPictureSvg.js';
import type { Findings } from '../../pipeline/notify/findings.js';
import type { ExecutionRecord } from '../../pipeline/store/ExecutionStore.js';
import { layout } from './layout.js';

/** The decision page an approval link opens. Showing it decides nothing; the form POSTs. */
export function approvalPage(p: {
  execution: ExecutionRecord;
  step: string;
  approver: string;
  expiresAt: string;
  findings: Findings;
  diagram: string;
  action: string;
  csrf: string;
}): string {
  const f = p.findings;
  const file = p.execution.file ?? '(no file)';
  return layout(
    `Decide ${p.execution.id}`,
    html`
<h1>Approval needed: ${file.split(/[\\/]/).pop()}</h1>
<p>Execution <code>${p.execution.id}</code>, step <code>${p.step}</code>. You decide as <b>${p.approver}</b>. Without a decision by ${p.expiresAt}, the default action is taken.</p>
<h2>Verdict: <span class="${f.tone === 'none' ? '' : f.tone}">${f.headline ?? '(no report result)'}</span></h2>
${f.gates.length ? html`<h3>Gates</h3><table>${f.gates.map((g) => html`<tr><td class="${g.passed ? 'pass' : 'fail'}">${g.passed ? 'PASS' : 'FAIL'}</td><td>${g.name}</td><td>${g.message ?? ''}</td></tr>`)}</table>` : ''}
${f.highWarnings.length ? html`<div class="warn"><h3>High warnings</h3><ul>${f.highWarnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : ''}
${f.figures.length ? html`<h3>Key figures</h3><table>${f.figures.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>` : ''}
${f.driftPictures.length ? html`<h3>Drifted columns: baseline and this batch</h3>${f.driftPictures.map((d) => html`<figure>${driftPictureSvg(d)}<figcaption>${driftCaption(d)}</figcaption></figure>`)}` : ''}
${f.reportUrl ? html`<p><a href="${f.reportUrl}">Full report</a></p>` : ''}
<h3>Pipeline</h3><pre>${p.diagram}</pre>
<form method="post" action="${p.action}">
<input type="hidden" name="csrf" value="${p.csrf}">
<label for="comment">Comment (optional when approving)</label><textarea id="comment" name="comment" rows="2"></textarea>
<label for="reason">Reason (required to reject)</label><input type="text" id="reason" name="reason">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="reject">Reject</button>
</form>`,
  );
}

/** The page after a decision, or for a link that cannot decide (used, expired, unknown). */
export function messagePage(title: string, message: string, kind: 'done' | 'refused', hint?: string): string {
  return layout(title, html`<h1>${title}</h1><div class="${kind}"><p>${message}</p>${hint ? html`<p>${hint}</p>` : ''}</div>`);
}
