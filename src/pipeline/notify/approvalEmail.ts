import { html } from '../../core/html.js';
import { driftCaption, DRIFT_COLORS } from '../../profile/html/driftPictureSvg.js';
import { pctText } from '../../profile/html/format.js';
import { driftPicturePng } from './driftPicturePng.js';
import type { Findings } from './findings.js';
import type { MailAttachment } from './Mailer.js';

const TONE_COLOR = { pass: '#13702b', review: '#a35200', fail: '#b3261e', none: '#333' } as const;

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
export function approvalEmail(m: ApprovalEmailInput): { subject: string; text: string; html: string; attachments: MailAttachment[] } {
  const what = m.file ? basename(m.file) : m.executionId;
  const line = m.findings.headline ?? m.findings.verdict;
  const verdict = line ? ` — verdict: ${line.length > 90 ? `${line.slice(0, 89)}…` : line}` : '';
  // The compact drift pictures, as PNG images the HTML part shows inline (cid:); at most six.
  const pictures = m.findings.driftPictures.slice(0, 6).map((d, i) => ({ item: d, cid: `drift-${i}@sluice`, png: driftPicturePng(d) }));
  const attachments: MailAttachment[] = pictures.map((p, i) => ({ filename: `drift-${i + 1}.png`, content: p.png, cid: p.cid, contentType: 'image/png' }));
  const subject =
    m.notice === 'findings'
      ? `[Sluice] New batch ${what}${verdict}`
      : `[Sluice] ${m.notice === 'reminder' ? `Reminder ${m.n ?? ''}: ` : ''}approval needed for ${what}${verdict}`;
  const gates = m.findings.gates.map((g) => `${g.passed ? 'PASS' : 'FAIL'}  ${g.name}${g.message ? ` — ${g.message}` : ''}`);
  const text = [
    `Hello ${m.approverName},`,
    '',
    m.notice === 'findings'
      ? `A new batch (${what}) was processed by execution ${m.executionId}.`
      : `Execution ${m.executionId} (${what}) waits for your decision.`,
    line ? `Verdict: ${line}` : 'Verdict: (no report result)',
    ...(gates.length ? ['', 'Gates:', ...gates.map((g) => `  ${g}`)] : []),
    ...(m.findings.highWarnings.length ? ['', 'High warnings:', ...m.findings.highWarnings.map((w) => `  - ${w}`)] : []),
    ...(m.findings.figures.length ? ['', 'Key figures:', ...m.findings.figures.map(([k, v]) => `  ${k}: ${v}`)] : []),
    ...(pictures.length
      ? [
          '',
          'Drifted columns (baseline -> this batch):',
          ...pictures.map(
            (p) =>
              `  ${p.item.name}: ${p.item.reasons.join('; ')}${p.item.importance !== null ? ` (importance in the champion ${p.item.importance.toPrecision(3)})` : ''}`,
          ),
        ]
      : []),
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
<p><b>Verdict:</b> <span style="color:${TONE_COLOR[m.findings.tone]};font-weight:bold">${line ?? '(no report result)'}</span></p>
${gates.length ? html`<h3>Gates</h3><ul>${m.findings.gates.map((g) => html`<li>${g.passed ? '✅' : '❌'} ${g.name}${g.message ? html` — ${g.message}` : ''}</li>`)}</ul>` : ''}
${m.findings.highWarnings.length ? html`<h3>High warnings</h3><ul>${m.findings.highWarnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
${m.findings.figures.length ? html`<h3>Key figures</h3><table>${m.findings.figures.map(([k, v]) => html`<tr><td>${k}</td><td>${v}</td></tr>`)}</table>` : ''}
${pictures.length ? html`<h3>Drifted columns</h3><p style="color:#555;font-size:12px"><span style="color:${DRIFT_COLORS.baseline}">■</span> baseline · <span style="color:${DRIFT_COLORS.current}">■</span> this batch · right: missing share (0–100%)</p><table>${pictures.map((p) => html`<tr><td><img src="cid:${p.cid}" width="260" height="72" alt="${p.item.name}: baseline and this batch"></td><td style="font-size:13px">${driftCaption(p.item)}${p.item.picture.kind === 'categories' ? html`<br><span style="color:#555">${(p.item.picture.labels ?? []).map((l, i) => `${l} ${pctText(p.item.picture.baseline[i])}→${pctText(p.item.picture.current[i])}`).join(', ')}</span>` : ''}</td></tr>`)}</table>` : ''}
${m.decisionUrl ? html`<p><a href="${m.decisionUrl}">Review and decide</a></p>` : ''}
<p><a href="${m.executionUrl}">Execution</a>${m.findings.reportUrl ? html` · <a href="${m.findings.reportUrl}">Report</a>` : ''}</p>
${m.expiresAt ? html`<p style="color:#555">Without a decision by ${m.expiresAt}, the default action is taken.</p>` : ''}
</body></html>`;
  return { subject, text, html: body.toString(), attachments };
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
