import { html, type SafeHtml } from '../../core/html.js';
import { headlineTone, reportHeadline } from '../headline.js';
import type { Report, ReportWarning } from '../reportSchema.js';
import { fmt, pctText } from './format.js';

/** Verdict and gates: the first thing an approver reads. */
export function verdictSection(r: Report): SafeHtml {
  const high = r.warnings.filter((w) => w.severity === 'high').length;
  const g = r.gates;
  // Never a green "pass" alone while high warnings stand: the headline says both.
  const tone = headlineTone(g?.verdict, high);
  const verdict = g || high > 0 ? tone : 'none';
  const label = reportHeadline(r);
  const rules = g
    ? html`<table><thead><tr><th>Rule</th><th class="n">Value</th><th>Result</th><th>Detail</th></tr></thead><tbody>${g.rules.map(
        (x) =>
          html`<tr><td><code>${x.rule}</code></td><td class="n">${fmt(x.value)}</td><td><span class="badge ${x.pass ? 'pass' : 'fail'}">${x.pass ? 'pass' : 'fail'}</span></td><td class="muted">${x.detail ?? ''}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">Pass <code>--gates gates.yaml</code> to evaluate quality gates on this report.</p>`;
  const counts = (['high', 'medium', 'low'] as const).map(
    (s) => html`<span class="badge ${s}">${r.warnings.filter((w) => w.severity === s).length} ${s}</span> `,
  );
  return html`<section id="verdict"><h2>Verdict and gates</h2><div class="verdict"><div class="big ${verdict}">${label}</div><div>${counts}<div class="muted">${fmt(r.dataset.rows)} rows × ${r.dataset.columns} columns${r.drift ? html` · ${r.drift.verdict === 'drift' ? html`<b>${r.drift.summary ?? 'drift detected'}</b>` : html`drift: <b>none</b>`}` : ''}</div></div></div>${championBlock(r)}<h3>Gates</h3>${rules}</section>`;
}

/** The champion measured on this batch, next to its registered figure. */
export function championBlock(r: Report): SafeHtml {
  const c = r.champion;
  if (!c) return html``;
  const worse = c.drop !== null && c.drop >= Number(r.thresholds.championMetricDrop ?? 0.02);
  return html`<h3>Champion on this batch</h3><table><tbody><tr><th>Model</th><td>${c.model} version ${c.version}</td></tr><tr><th>${c.metric} on this batch</th><td class="n">${fmt(c.current)} (${fmt(c.rows)} rows)</td></tr><tr><th>${c.metric} when registered</th><td class="n">${fmt(c.registered)}</td></tr><tr><th>Drop</th><td class="n">${c.drop === null ? '–' : html`<span class="badge ${worse ? 'high' : 'pass'}">${fmt(c.drop)}</span>`}</td></tr></tbody></table>`;
}

function warningBlock(w: ReportWarning): SafeHtml {
  return html`<div class="warn"><div><span class="badge ${w.severity}">${w.severity}</span> <b>${w.code}</b> — ${w.message}</div><div class="fix">Suggested fix: add <code>${w.fix.step}</code>: ${w.fix.description}</div></div>`;
}

/** High-severity warnings, each with its suggested flow step. */
export function highWarningsSection(r: Report): SafeHtml {
  const high = r.warnings.filter((w) => w.severity === 'high');
  return html`<section id="high-warnings"><h2>High warnings</h2>${high.length === 0 ? html`<p class="muted">None.</p>` : high.map(warningBlock)}</section>`;
}

/** Data set summary tiles and every warning in a table. */
export function summarySection(r: Report): SafeHtml {
  const d = r.dataset;
  const tiles: Array<[string, string]> = [
    ['Rows', fmt(d.rows)],
    ['Columns', fmt(d.columns)],
    ['Missing cells', `${fmt(d.missingCells)} (${pctText(d.missingShare)})`],
    ['Duplicate rows', `${fmt(d.duplicateRows)} (${pctText(d.duplicateShare)})`],
    ...Object.entries(d.featureTypes)
      .filter(([, n]) => n > 0)
      .map(([k, n]): [string, string] => [`${k[0]!.toUpperCase()}${k.slice(1)} features`, fmt(n)]),
  ];
  const rows = r.warnings.map(
    (w) =>
      html`<tr><td><span class="badge ${w.severity}">${w.severity}</span></td><td><code>${w.code}</code></td><td>${w.columns.join(', ')}</td><td>${w.message}</td><td><code>${w.fix.step}</code></td></tr>`,
  );
  return html`<section id="summary"><h2>Summary</h2><div class="tiles">${tiles.map(([k, v]) => html`<div class="tile"><div class="v">${v}</div><div class="k">${k}</div></div>`)}</div>
${r.notes.map((n) => html`<div class="note">${n}</div>`)}
<h3>All warnings (${r.warnings.length})</h3>${r.warnings.length === 0 ? html`<p class="muted">None.</p>` : html`<div class="scroll"><table><thead><tr><th>Severity</th><th>Code</th><th>Columns</th><th>Message</th><th>Fix step</th></tr></thead><tbody>${rows}</tbody></table></div>`}</section>`;
}
