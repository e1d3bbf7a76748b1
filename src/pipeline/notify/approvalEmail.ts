import { html } from '../../core/html.js';
import type { Findings } from './findings.js';

export interface ApprovalEmailInput {
  executionId: string;
  file?: string | null | undefined;
  approverName: string;
  notice: 'request' | 'reminder' | 'findings';
  n?: number;
  expiresAt?: string | undefined;
  findings: Findings;
  /** The decision page for this approver (carries the single-use token); absent for plain findings. */
  decisionUrl?: string | undefined;
  executionUrl: string;
}

/**
 * The message an approver gets: the verdict, the gates, the high warnings and key figures first,
 * then the link to the decision page. The link opens a page; nothing is decided by following it
 * (mail scanners open links).
 */
export function approvalEmail(m: ApprovalEmailInput): { subject: string; text: string; html: string } {
  const what = m.file ? basename(m.file) : m.executionId;
  const verdict = m.findings.verdict ? ` — verdict: ${m.findings.verdict}` : '';
  const subject =
    m.notice === 'findings'
      ? `[Sluice] New batch ${what}${verdict}`
      : `[Sluice] ${m.notice === 'reminder' ? `Reminder ${m.n ?? ''}: ` : ''}approval needed for ${what}${verdict}`;
  const gates = m.findings.gates.map((g) => `${g.passed ? 'PASS' : 'FAIL'}  ${g.name}${g.message ? ` — ${g.message}` : ''}`);
  const text = [
    `Hello ${m.approverName},`,
    '',
    m.notice === 'findings' ? `A new batch (${what}) was processed by execution ${m.executionId}.` : `Execution ${m.executionId} (${what}) waits for your decision.`,
    m.findings.verdict ? `Verdict: ${m.findings.verdict}` : 'Verdict: (no report result)',
    ...(gates.length ? ['', 'Gates:', ...gates.map((g) => `  ${g}`)] : []),
    ...(m.findings.highWarnings.length ? ['', 'High warnings:', ...m.findings.highWarnings.map((w) => `  - ${w}`)] : []),
    ...(m.findings.figures.length ? ['', 'Key figures:', ...m.findings.figures.map(([k, v]) => `  ${k}: ${v}`)] : []),
    '',
    ...(m.decisionUrl ? [`Review and decide: ${m.decisionUrl}`] : []),
    `Execution: ${m.executionUrl}`,
    ...(m.findings.reportUrl ? [`Report: ${m.findings.reportUrl}`] : []),
    ...(m.expiresAt ? ['', `Without a decision by ${m.expiresAt}, the default action is taken.`] : []),
    ...(m.decisionUrl ? ['The link works once and only for you; opening it decides nothing.'] : []),
  ].join('\n');
  const body = html`<!doctype html><html><body style="font-family:sans-serif">
<p>Hello ${m.approverName},</p>
<p>${m.notice === 'findings' ? html`A new batch (<b>${what}</b>) was processed by execution <code>${m.executionId}</code>.` : html`Execution <code>${m.executionId}</code> (<b>${what}</b>) waits for your decision.`}</p>
<p><b>Verdict:</b> ${m.findings.verdict ?? '(no report result)'}</p>
${gates.length ? html`<h3>Gates</h3><ul>${m.findings.gates.map((g) => html`<li>${g.passed ? '✅' : '❌'} ${g.name}${g.message ? html` — ${g.message}` : ''}</li>`)}</ul>` : ''}
${m.findings.highWarnings.length ? html`<h3>High warnings</h3><ul>${m.findings.highWarnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
${m.findings.figures.length ? html`<h3>Key figures</h3><table>${m.findings.figures.map(([k, v]) => html`<tr><td>${k}</td><td>${v}</td></tr>`)}</table>` : ''}
${m.decisionUrl ? html`<p><a href="${m.decisionUrl}">Review and decide</a></p>` : ''}
<p><a href="${m.executionUrl}">Execution</a>${m.findings.reportUrl ? html` · <a href="${m.findings.reportUrl}">Report</a>` : ''}</p>
${m.expiresAt ? html`<p style="color:#555">Without a decision by ${m.expiresAt}, the default action is taken.</p>` : ''}
</body></html>`;
  return { subject, text, html: body.toString() };
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
