import { html, raw, type SafeHtml } from '../../core/html.js';
import { barsSvg } from '../../profile/html/charts.js';
import { fmt, pctText } from '../../profile/html/format.js';
import { reportHead } from '../../profile/html/reportHead.js';
import { REPORT_CSS } from '../../profile/html/styles.js';
import type { ModelReport } from '../modelReport.js';
import { lineChartSvg } from './lineChartSvg.js';

const NAV: Array<[string, string]> = [
  ['summary', 'Summary'],
  ['metrics', 'Holdout metrics'],
  ['classes', 'Classes'],
  ['curves', 'ROC and precision-recall'],
  ['calibration', 'Calibration'],
  ['importance', 'Feature importance'],
  ['leaderboard', 'Leaderboard'],
];

const EXTRA_CSS = `
.cols3{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:18px}
tr.best td{background:#f1f8f1}
table.cmt td.cm{text-align:center;line-height:1.25;min-width:84px}table.cmt td.cm span{font-size:11.5px;opacity:.85}
.badge.best{background:var(--ok)}.badge.skip{background:#8a93a3}
`;

/**
 * Renders the model quality report as one self-contained HTML page, with the insights
 * report's conventions: inline CSS and SVG, no script, no external resource (a
 * Content-Security-Policy forbids any), every value from the data escaped by `html`.
 */
export function renderModelReportHtml(r: ModelReport): string {
  const classification = r.problemType !== 'regression';
  const nav = NAV.filter(([id]) => classification || !['classes', 'curves', 'calibration'].includes(id));
  const page = html`<!doctype html>
<html lang="en">${reportHead(`Model report: ${r.target} (${r.source.file})`, REPORT_CSS + EXTRA_CSS)}
<body><header class="top"><h1>Model quality: ${r.target}</h1><div class="meta">${r.source.file} · ${r.problemType} · best ${r.best.learner} (${r.best.id}) · selected by ${r.metric} · ${fmt(r.holdout.rows)} holdout rows · ${r.generatedAt}</div></header>
<nav>${nav.map(([id, label]) => html`<a href="#${id}">${label}</a>`)}</nav>
<main>${summarySection(r)}${metricsSection(r)}${classification ? html`${classesSection(r)}${curvesSection(r)}${calibrationSection(r)}` : residualSection(r)}${importanceSection(r)}${leaderboardSection(r)}</main></body></html>
`;
  return page.value;
}

function summarySection(r: ModelReport): SafeHtml {
  const m = r.holdout.metrics[r.metric];
  const b = r.baseline?.metrics[r.metric];
  const ok = r.leaderboard.filter((e) => e.status === 'ok').length;
  const tiles: Array<[string, string]> = [
    ['best model', r.best.learner],
    [`holdout ${r.metric}`, fmt(m)],
    [`baseline ${r.metric}`, fmt(b)],
    ['candidates trained', `${ok} of ${r.leaderboard.length}`],
    ['holdout rows', fmt(r.holdout.rows)],
  ];
  if (r.holdout.metrics.log_loss !== undefined) tiles.splice(3, 0, ['holdout log loss', fmt(r.holdout.metrics.log_loss)]);
  const skipped = [...r.droppedFeatures.map((d) => ({ name: d.name, reason: d.reason })), ...r.skippedColumns];
  return html`<section id="summary"><h2>Summary</h2><div class="tiles">${tiles.map(([k, v]) => html`<div class="tile"><div class="v">${v}</div><div class="k">${k}</div></div>`)}</div>
<p class="muted">Every figure on this page is measured on the holdout: ${fmt(r.holdout.rows)} rows set aside (stratified) before model selection and never used for it. Model selection used cross-validation on the remaining rows.</p>
${skipped.length > 0 ? html`<div class="note">Columns not used as features: ${skipped.map((s, i) => html`${i > 0 ? ', ' : ''}<code>${s.name}</code> (${s.reason})`)}</div>` : ''}</section>`;
}

function metricsSection(r: ModelReport): SafeHtml {
  const names = Object.keys(r.holdout.metrics);
  return html`<section id="metrics"><h2>Holdout metrics</h2><table><thead><tr><th>metric</th><th class="n">best model (${r.best.learner})</th><th class="n">baseline</th></tr></thead><tbody>${names.map(
    (k) =>
      html`<tr${k === r.metric ? raw(' class="best"') : ''}><th>${k}${k === r.metric ? ' (selection metric)' : ''}</th><td class="n">${fmt(r.holdout.metrics[k])}</td><td class="n">${fmt(r.baseline?.metrics[k])}</td></tr>`,
  )}</tbody></table></section>`;
}

function classesSection(r: ModelReport): SafeHtml {
  const cm = r.confusionMatrix!;
  // Each cell shaded by its share of the actual class (the row): the diagonal is the recall.
  const cells = cm.counts.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return html`<tr><th>${cm.labels[i]}</th>${row.map((c, j) => {
      const share = total === 0 ? 0 : c / total;
      const bg = `rgba(${i === j ? '46,125,50' : '198,40,40'},${(0.08 + 0.72 * share).toFixed(3)})`;
      return html`<td class="n cm" style="background:${bg};${share > 0.55 ? 'color:#fff' : ''}"><b>${fmt(c)}</b><br><span>${pctText(share)}</span></td>`;
    })}<td class="n muted">${fmt(total)}</td></tr>`;
  });
  const matrix = html`<table class="cmt"><thead><tr><th>actual \\ predicted</th>${cm.labels.map((l) => html`<th class="n">${l}</th>`)}<th class="n">rows</th></tr></thead><tbody>${cells}</tbody></table>`;
  const per = html`<table><thead><tr><th>class</th><th class="n">precision</th><th class="n">recall</th><th class="n">F1</th><th class="n">support</th></tr></thead><tbody>${(
    r.perClass ?? []
  ).map(
    (c) =>
      html`<tr><th>${c.label}</th><td class="n">${fmt(c.precision, 3)}</td><td class="n">${fmt(c.recall, 3)}</td><td class="n">${fmt(c.f1, 3)}</td><td class="n">${fmt(c.support)}</td></tr>`,
  )}</tbody></table>`;
  const recall = barsSvg(
    (r.perClass ?? []).map((c) => ({ label: c.label, value: c.f1, text: `F1 ${fmt(c.f1, 3)}` })),
    { max: 1, width: 420 },
  );
  return html`<section id="classes"><h2>Classes</h2><div class="grid2"><div><h3>Confusion matrix</h3><p class="muted">Rows: actual class, columns: predicted class; each cell's share is of its row (green diagonal = recall).</p>${matrix}</div><div><h3>Per class</h3>${per}<h3>F1 per class</h3>${recall}</div></div></section>`;
}

function curvesSection(r: ModelReport): SafeHtml {
  const roc = (r.roc ?? []).map((c) => ({ label: `${c.label} (AUC ${fmt(c.area, 3)})`, x: c.x, y: c.y }));
  const pr = (r.precisionRecall ?? []).map((c) => ({ label: `${c.label} (AP ${fmt(c.area, 3)})`, x: c.x, y: c.y }));
  const vs = r.labels && r.labels.length > 2 ? 'each class against the rest' : `the positive class "${r.labels?.[1] ?? ''}"`;
  return html`<section id="curves"><h2>ROC and precision-recall curves</h2><p class="muted">For ${vs}. The dashed line is a model that guesses.</p><div class="cols3"><div><h3>ROC</h3>${lineChartSvg(roc, { xLabel: 'false positive rate', yLabel: 'true positive rate', diagonal: 'up' })}</div><div><h3>Precision-recall</h3>${lineChartSvg(pr, { xLabel: 'recall', yLabel: 'precision' })}</div></div></section>`;
}

function calibrationSection(r: ModelReport): SafeHtml {
  const series = (r.calibration ?? []).map((c) => ({ label: c.label, x: c.probPred, y: c.probTrue, dots: true }));
  return html`<section id="calibration"><h2>Calibration</h2><div class="grid2"><div>${lineChartSvg(series, { xLabel: 'mean predicted probability', yLabel: 'observed frequency', diagonal: 'up' })}</div><div><p>Holdout rows are grouped into ten bins of predicted probability; a well-calibrated model's points lie on the dashed diagonal: of the rows given 30%, about 30% are of that class.</p><p class="muted">Points below the diagonal mean over-confidence, above it under-confidence.</p></div></div></section>`;
}

function residualSection(r: ModelReport): SafeHtml {
  const res = r.residuals;
  if (!res || res.actual.length === 0) return html``;
  const lo = Math.min(...res.actual, ...res.predicted);
  const hi = Math.max(...res.actual, ...res.predicted);
  const span = hi - lo || 1;
  const scale = (v: number): number => (v - lo) / span;
  const chart = lineChartSvg(
    [{ label: `holdout rows (${res.actual.length} shown)`, x: res.actual.map(scale), y: res.predicted.map(scale), dots: true, noLine: true }],
    {
      xLabel: `actual (${fmt(lo)} to ${fmt(hi)})`,
      yLabel: 'predicted',
      diagonal: 'up',
    },
  );
  return html`<section id="residuals"><h2>Predicted against actual</h2>${chart}<p class="muted">Perfect predictions lie on the dashed diagonal.</p></section>`;
}

function importanceSection(r: ModelReport): SafeHtml {
  const imp = r.importance;
  return html`<section id="importance"><h2>Permutation feature importance</h2><p class="muted">How much the holdout ${imp.metric} worsens when a feature's values are shuffled (mean of ${imp.repeats} shuffles on ${fmt(imp.rows)} holdout rows); near zero or below means the model does not rely on it.</p>${barsSvg(
    imp.features.slice(0, 25).map((f) => ({
      label: f.feature,
      value: Math.max(0, f.importance),
      text: `${fmt(f.importance, 3)} ± ${fmt(f.std, 2)}`,
      color: f.importance > 0 ? '#3b6fb6' : '#b8c0cc',
    })),
    { width: 640, labelWidth: 170 },
  )}</section>`;
}

function leaderboardSection(r: ModelReport): SafeHtml {
  const done = r.leaderboard.filter((e) => e.status === 'ok' && e.cvMean !== null).slice(0, 25);
  const scores = done.map((e) => e.cvMean!);
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  const margin = (hi - lo) * 0.25 || Math.abs(hi) * 0.05 || 1;
  // Bars measure the distance from a point just beyond the worst score, so longer is always
  // better and small differences between candidates stay visible.
  const ref = r.higherIsBetter ? lo - margin : hi + margin;
  const bars = done.map((e) => ({
    label: `${e.id} ${e.learner}`,
    value: Math.abs(e.cvMean! - ref),
    text: fmt(e.cvMean, 4),
    color: e.best ? '#2e7d32' : e.learner === 'baseline' ? '#9aa3b0' : '#3b6fb6',
  }));
  const dir = r.higherIsBetter ? 'higher is better' : 'lower is better';
  const table = html`<table><thead><tr><th>id</th><th>learner</th><th>status</th><th class="n">CV ${r.metric}</th><th class="n">± std</th><th class="n">holdout ${r.metric}</th><th class="n">fit s</th><th>note</th></tr></thead><tbody>${r.leaderboard.map(
    (e) =>
      html`<tr${e.best ? raw(' class="best"') : ''}><td>${e.id}</td><td>${e.learner}${e.best ? html` <span class="badge best">best</span>` : ''}</td><td>${e.status === 'ok' ? 'ok' : html`<span class="badge skip">${e.status}</span>`}</td><td class="n">${fmt(e.cvMean)}</td><td class="n">${fmt(e.cvStd, 2)}</td><td class="n">${fmt(e.holdout)}</td><td class="n">${fmt(e.fitSeconds, 3)}</td><td class="muted">${e.reason ?? ''}</td></tr>`,
  )}</tbody></table>`;
  return html`<section id="leaderboard"><h2>Leaderboard</h2><p class="muted">Cross-validated ${r.metric} (${dir}) of each candidate that finished; longer bars are better. Green: the selected model; grey: the baseline. Holdout scores of candidates other than the best are from their fold models.</p>${barsSvg(bars, { width: 640, labelWidth: 170 })}<h3>All candidates</h3><div class="scroll">${table}</div><p class="muted">${fmt(done.length)} of ${fmt(r.leaderboard.length)} candidates finished; the others list the reason.</p></section>`;
}
