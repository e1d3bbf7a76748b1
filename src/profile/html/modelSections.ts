import { html, type SafeHtml } from '../../core/html.js';
import type { Report } from '../reportSchema.js';
import { barsSvg, histogramSvg } from './charts.js';
import { fmt, pctText } from './format.js';

/** Target: class counts and imbalance, or the distribution of a regression target. */
export function targetSection(r: Report): SafeHtml {
  const t = r.target;
  if (!t)
    return html`<section id="target"><h2>Target</h2><p class="muted">No target given: pass <code>--target COLUMN</code> for target analysis, quick model and prediction power.</p></section>`;
  const head = html`<p><b>${t.column}</b> · ${t.problemType}${t.missing > 0 ? html` · <span class="badge medium">${fmt(t.missing)} missing</span>` : ''}</p>`;
  if (t.problemType === 'classification') {
    const classes = t.classes ?? [];
    return html`<section id="target"><h2>Target</h2>${head}<div class="grid2"><div>${barsSvg(classes.slice(0, 30).map((c) => ({ label: String(c.value), value: c.count, text: `${fmt(c.count)} (${pctText(c.share)})` })))}</div>
<div><table><tbody><tr><th>Classes</th><td class="n">${fmt(t.classCount)}</td></tr><tr><th>Imbalance ratio (largest / smallest)</th><td class="n">${fmt(t.imbalanceRatio)}</td></tr></tbody></table></div></div></section>`;
  }
  const d = t.distribution;
  return html`<section id="target"><h2>Target</h2>${head}${d ? html`<div class="grid2"><div>${histogramSvg(d.histogram, { width: 420, height: 140 })}</div><div><table><tbody>${(['min', 'max', 'mean', 'median', 'std', 'skewness'] as const).map((k) => html`<tr><th>${k}</th><td class="n">${fmt(d[k])}</td></tr>`)}</tbody></table></div></div>` : ''}</section>`;
}

/** Quick model metrics, confusion matrix and importances; prediction power. Absent when not computed. */
export function modelSection(r: Report): SafeHtml {
  const q = r.quickModel;
  const p = r.predictionPower;
  if (!q && !p) {
    return html`<section id="quick-model"><h2>Quick model</h2><p class="muted">Not computed for this report${r.target ? ' (see the notes in the summary)' : ' (no target)'}.</p></section>`;
  }
  const base = q?.baseline?.metrics;
  const worse = q?.noBetterThanBaseline ?? [];
  const caveat =
    q && base && worse.length > 0
      ? html`<p class="badge high" id="quick-model-no-better">The quick model does no better than the majority-class baseline on ${worse.map((k, i) => html`${i > 0 ? ', ' : ''}${k} (${fmt(q.metrics[k])} vs ${fmt(base[k])})`)}: its metrics show no usable signal.</p>`
      : '';
  const metrics = q
    ? html`${caveat}<table><thead><tr><th></th><th class="n">quick model</th>${base ? html`<th class="n">majority baseline</th>` : ''}</tr></thead><tbody>${Object.entries(q.metrics).map(([k, v]) => html`<tr><th>${k}</th><td class="n">${fmt(v)}</td>${base ? html`<td class="n muted">${fmt(base[k] ?? null)}</td>` : ''}</tr>`)}</tbody></table><p class="muted">${q.learner}${q.iterations !== undefined ? ` · ${q.iterations} iterations` : ''} · stratified 80/20 split: trained on ${fmt(q.trainRows)} rows, validated on ${fmt(q.validationRows)}${q.sampled ? ' (sampled)' : ''}</p>`
    : '';
  const cm = q?.confusionMatrix
    ? html`<h3>Confusion matrix (rows: actual, columns: predicted)</h3><div class="scroll"><table><thead><tr><th></th>${q.confusionMatrix.labels.map((l) => html`<th class="n">${l}</th>`)}</tr></thead><tbody>${q.confusionMatrix.counts.map((row, i) => html`<tr><th>${q.confusionMatrix!.labels[i]}</th>${row.map((c) => html`<td class="n">${fmt(c)}</td>`)}</tr>`)}</tbody></table></div>`
    : '';
  const imp = q ? html`<h3>Feature importance</h3>${barsSvg(q.featureImportance.slice(0, 20).map((f) => ({ label: f.feature, value: f.importance })))}` : '';
  const pp = p
    ? html`<h3>Prediction power (one-feature models, 0–1)</h3>${barsSvg(
        [...p]
          .sort((a, b) => b.score - a.score)
          .slice(0, 30)
          .map((f) => ({ label: f.feature, value: f.score, color: f.score >= 0.9 ? '#c62828' : '#3b6fb6' })),
        { max: 1 },
      )}`
    : '';
  return html`<section id="quick-model"><h2>Quick model</h2><div class="grid2"><div>${metrics}${cm}</div><div>${imp}${pp}</div></div></section>`;
}
