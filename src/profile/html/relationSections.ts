import { driftPictureItems } from '../driftPictureItems.js';
import { driftCaption, driftPictureSvg } from './driftPictureSvg.js';
import { html, type SafeHtml } from '../../core/html.js';
import type { Report } from '../reportSchema.js';
import { barsSvg, heatLegendSvg, heatmapSvg } from './charts.js';
import { fmt, pctText } from './format.js';

const METHOD: Record<string, string> = { cramers_v: "Cramér's V", correlation_ratio: 'correlation ratio η', spearman_abs: '|Spearman|' };

/** Heatmaps of Pearson, Spearman and Cramér's V, and association with the target. */
export function correlationSection(r: Report): SafeHtml {
  const c = r.correlations;
  const num = c.numeric.columns.length > 1;
  const cat = c.categorical.columns.length > 1;
  const target = c.target.filter((a) => a.value !== null);
  return html`<section id="correlations"><h2>Correlations</h2>
${
  c.sample
    ? html`<p class="muted">Computed on a uniform random sample of ${fmt(c.sample.rows)} of the ${fmt(c.sample.of)} rows (Bernoulli sampling, each row kept with probability ${fmt(c.sample.probability)}, seed ${c.sample.seed}).</p>`
    : ''
}
${
  target.length > 0
    ? html`<h3>Association with the target</h3>${barsSvg(
        [...target]
          .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
          .map((a) => ({
            label: a.feature,
            value: a.value ?? 0,
            text: `${fmt(a.value, 3)} (${METHOD[a.method]})`,
            color: (a.value ?? 0) >= Number(r.thresholds.leakageAssociation) ? '#c62828' : '#3b6fb6',
          })),
        { max: 1, width: 520 },
      )}`
    : ''
}
${num ? html`<div class="grid2"><div><h3>Pearson (numeric)</h3>${heatmapSvg(c.numeric.columns, c.numeric.pearson)}</div><div><h3>Spearman (numeric, rank)</h3>${heatmapSvg(c.numeric.columns, c.numeric.spearman)}</div></div>${heatLegendSvg(-1)}` : html`<p class="muted">Fewer than two numeric columns.</p>`}
${cat ? html`<h3>Cramér's V (categorical)</h3><div class="scroll">${heatmapSvg(c.categorical.columns, c.categorical.cramersV)}</div>${heatLegendSvg(0)}` : ''}</section>`;
}

/** Clarify pre-training bias metrics. */
export function biasSection(r: Report): SafeHtml {
  const b = r.bias;
  if (!b) return html`<section id="bias"><h2>Bias</h2><p class="muted">Not requested: pass <code>--bias FACET=VALUE --label-value VALUE</code>.</p></section>`;
  const help: Record<string, string> = {
    CI: 'class imbalance of the facet: (n_a − n_d)/(n_a + n_d)',
    DPL: 'difference in proportions of the favourable label, q_a − q_d',
    KL: 'Kullback-Leibler divergence of label distributions, KL(P_a‖P_d)',
    JS: 'Jensen-Shannon divergence of label distributions',
    LP: 'L2 distance between label distributions',
    TVD: 'total variation distance, ½ L1',
    KS: 'largest difference between label shares',
    CDD: `conditional demographic disparity${b.group ? ` by ${b.group}` : ' (no group: demographic disparity)'}`,
  };
  return html`<section id="bias"><h2>Bias</h2><p>Facet <b>${b.facet} = ${b.facetValue}</b> (${fmt(b.counts.facet)} rows) against the rest (${fmt(b.counts.rest)} rows); favourable label <b>${b.label} = ${b.labelValue}</b>.</p>
<table><thead><tr><th>Metric</th><th class="n">Value</th><th>Meaning</th></tr></thead><tbody>${Object.entries(b.metrics).map(([k, v]) => html`<tr><th>${k}</th><td class="n">${fmt(v)}</td><td class="muted">${help[k] ?? ''}</td></tr>`)}</tbody></table></section>`;
}

/** Drift against the baseline, per column, with the data set verdict. */
export function driftSection(r: Report): SafeHtml {
  const d = r.drift;
  if (!d)
    return html`<section id="drift"><h2>Drift</h2><p class="muted">No baseline: pass <code>--baseline DATA</code> (e.g. the last approved batch).</p></section>`;
  const rows = d.columns.map(
    (c) =>
      html`<tr><td>${c.name}</td><td>${c.kind}</td><td class="n">${fmt(c.psi ?? null, 3)}</td><td class="n">${fmt(c.ks ?? null, 3)}</td><td class="n">${fmt(c.jensenShannon ?? null, 3)}</td><td class="n">${fmt(c.chiSquarePValue ?? null, 3)}</td><td class="n">${c.missingShareChange === 0 ? '0' : `${c.missingShareChange > 0 ? '+' : ''}${pctText(c.missingShareChange)}`}</td><td>${(c.newCategories ?? []).slice(0, 5).join(', ')}</td><td>${(c.vanishedCategories ?? []).slice(0, 5).join(', ')}</td><td class="n">${fmt(c.championImportance ?? null, 3)}</td><td>${c.drifted ? html`<span class="badge ${c.strong ? 'high' : 'medium'}">${c.strong ? 'strong drift' : 'drift'}</span>` : html`<span class="badge pass">ok</span>`}</td></tr>`,
  );
  const pictures = driftPictureItems(r, 24);
  return html`<section id="drift"><h2>Drift</h2><p>Verdict: <b>${d.verdict === 'drift' ? 'drift' : 'no drift'}</b> — ${d.summary ?? `${d.driftedColumns.length} of ${d.columns.length} columns drifted (${pctText(d.driftedShare)})`}; baseline ${fmt(d.baselineRows)} rows.${d.newColumns.length > 0 ? ` New columns: ${d.newColumns.join(', ')}.` : ''}${d.missingColumns.length > 0 ? ` Missing columns: ${d.missingColumns.join(', ')}.` : ''}${(d.excludedColumns ?? []).length > 0 ? html` <span class="muted">Left out (generated by the flow): ${d.excludedColumns!.join(', ')}.</span>` : ''}</p>
${pictures.length > 0 ? html`<div class="drift-pictures">${pictures.map((p) => html`<figure class="drift-figure">${driftPictureSvg(p)}<figcaption>${driftCaption(p)}</figcaption></figure>`)}</div>` : ''}
<div class="scroll"><table><thead><tr><th>Column</th><th>Kind</th><th class="n">PSI</th><th class="n">KS</th><th class="n">JS</th><th class="n">χ² p</th><th class="n">Missing Δ</th><th>New</th><th>Vanished</th><th class="n">Importance</th><th></th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function rowTable(items: Array<{ lead: string; row: Record<string, unknown> }>, leadName: string): SafeHtml {
  const cols = Object.keys(items[0]?.row ?? {});
  return html`<div class="scroll"><table><thead><tr><th class="n">${leadName}</th>${cols.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${items.map((it) => html`<tr><td class="n">${it.lead}</td>${cols.map((c) => html`<td>${fmt(it.row[c])}</td>`)}</tr>`)}</tbody></table></div>`;
}

/** The most anomalous rows (isolation forest), when computed. */
export function anomaliesSection(r: Report): SafeHtml {
  const a = r.anomalies;
  if (!a) return html`<section id="anomalies"><h2>Anomalies</h2><p class="muted">Not computed for this report.</p></section>`;
  return html`<section id="anomalies"><h2>Anomalies</h2><p>${fmt(a.anomalousRows)} of ${fmt(a.scoredRows)} rows${a.sampled ? ' (a random sample)' : ''} score ${fmt(a.threshold)} or more (${a.method.replace('_', ' ')}; about 0.5 is ordinary, near 1 very unusual). The most anomalous:</p>${rowTable(
    a.top.map((x) => ({ lead: fmt(x.score, 3), row: x.row })),
    'score',
  )}</section>`;
}

/** The most repeated rows. */
export function duplicatesSection(r: Report): SafeHtml {
  const d = r.duplicates;
  return html`<section id="duplicates"><h2>Duplicates</h2>${
    d.top.length === 0
      ? html`<p class="muted">No row appears more than once.</p>`
      : html`<p>${fmt(d.duplicateRows)} rows repeat an earlier row. The most repeated:</p>${rowTable(
          d.top.map((x) => ({ lead: `${x.count}×`, row: x.row })),
          'count',
        )}`
  }</section>`;
}
