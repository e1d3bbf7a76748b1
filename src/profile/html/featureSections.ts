import { html, type SafeHtml } from '../../core/html.js';
import type { ColumnReport, Report } from '../reportSchema.js';
import { barsSvg, classLinesSvg, classStackSvg, histogramSvg } from './charts.js';
import { fmt, pctText } from './format.js';

function anchor(i: number): string {
  return `feature-${i}`;
}

function miniChart(c: ColumnReport): SafeHtml | string {
  if (c.histogram && c.type === 'numeric') return histogramSvg(c.histogram, { width: 120, height: 28, axis: false });
  const top = c.topValues?.slice(0, 5) ?? [];
  if (top.length === 0) return '';
  return html`<svg class="chart" width="120" height="28" viewBox="0 0 120 28">${top.map((t, i) => html`<rect x="${i * 24}" y="${28 - t.share * 28}" width="22" height="${t.share * 28}" fill="#7d9bd0"><title>${String(t.value)}: ${fmt(t.count)}</title></rect>`)}</svg>`;
}

/** One row per feature: type, missing, distinct, center or top value, target association, warnings. */
export function featureSummarySection(r: Report): SafeHtml {
  const assoc = new Map(r.correlations.target.map((a) => [a.feature, a.value]));
  const warns = new Map<string, string[]>();
  for (const w of r.warnings) for (const c of w.columns) warns.set(c, [...(warns.get(c) ?? []), w.severity]);
  const rows = r.columns.map((c, i) => {
    const center = c.type === 'numeric' ? `mean ${fmt(c.mean)}` : c.topValues?.[0] ? `${String(c.topValues[0].value)} (${pctText(c.topValues[0].share)})` : '–';
    const ws = warns.get(c.name) ?? [];
    const isTarget = r.target?.column === c.name;
    return html`<tr><td><a href="#${anchor(i)}">${c.name}</a>${isTarget ? html` <span class="badge type">target</span>` : ''}</td><td><span class="badge type">${c.type}</span></td><td class="n">${pctText(c.missingShare)}</td><td class="n">${fmt(c.distinct)}</td><td>${center}</td><td class="n">${isTarget ? '' : fmt(assoc.get(c.name) ?? null, 3)}</td><td>${(
      ['high', 'medium', 'low'] as const
    ).map((s) => {
      const n = ws.filter((x) => x === s).length;
      return n > 0 ? html`<span class="badge ${s}">${n}</span> ` : '';
    })}</td><td>${miniChart(c)}</td></tr>`;
  });
  return html`<section id="features"><h2>Feature summary</h2><div class="scroll"><table><thead><tr><th>Feature</th><th>Type</th><th class="n">Missing</th><th class="n">Distinct</th><th>Mean / top value</th><th class="n">Target assoc.</th><th>Warnings</th><th>Distribution</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function statsTable(c: ColumnReport): SafeHtml {
  const rows: Array<[string, unknown]> = [
    ['type', c.type],
    ['stored as', c.storageType],
    ['missing', `${fmt(c.missing)} (${pctText(c.missingShare)})`],
    ['distinct', fmt(c.distinct)],
  ];
  if (c.type === 'numeric' || c.storageType === 'integer' || c.storageType === 'float') {
    rows.push(
      ['min', fmt(c.min)],
      ['max', fmt(c.max)],
      ['mean', fmt(c.mean)],
      ['median', fmt(c.median)],
      ['std', fmt(c.std)],
      ['skewness', fmt(c.skewness)],
      ['kurtosis', fmt(c.kurtosis)],
      ['zeros', fmt(c.zeros)],
    );
    for (const [p, v] of Object.entries(c.quantiles ?? {})) rows.push([`${Number(p) * 100}%`, fmt(v)]);
    if (c.outliers !== undefined) rows.push(['outliers', `${fmt(c.outliers)} outside [${fmt(c.outlierBounds?.[0])}, ${fmt(c.outlierBounds?.[1])}]`]);
  }
  if (c.type === 'datetime') rows.push(['min', fmt(c.min)], ['max', fmt(c.max)]);
  if (c.disguisedMissing) rows.push(['disguised missing', fmt(c.disguisedMissing)]);
  if (c.numericShare) rows.push(['numeric values', pctText(c.numericShare)]);
  if (c.meanLength !== undefined && c.meanLength !== null) rows.push(['mean length', fmt(c.meanLength)]);
  return html`<table><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td class="n">${String(v)}</td></tr>`)}</tbody></table>`;
}

/** Per feature: statistics, histogram and top values, and its warnings. */
export function featureDetailsSection(r: Report): SafeHtml {
  const items = r.columns.map((c, i) => {
    const ws = r.warnings.filter((w) => w.columns.includes(c.name));
    const bt = c.byTarget;
    const byTarget = !bt
      ? ''
      : c.type === 'numeric' && c.histogram
        ? html`<h3>Distribution by ${r.target?.column} (share of each class per bin)</h3>${classLinesSvg(c.histogram.edges, bt.classes, bt.counts)}`
        : html`<h3>${r.target?.column} by value</h3>${classStackSvg(
            (c.topValues ?? []).map((t) => String(t.value)),
            bt.classes,
            bt.counts,
          )}`;
    const charts = html`${c.histogram ? html`<h3>Histogram</h3>${histogramSvg(c.histogram, { width: 460, height: 130 })}` : ''}${
      c.topValues && c.topValues.length > 0
        ? html`<h3>Top values</h3>${barsSvg(
            c.topValues.map((t) => ({ label: String(t.value), value: t.count, text: `${fmt(t.count)} (${pctText(t.share)})` })),
            { width: 460 },
          )}`
        : ''
    }${byTarget}`;
    return html`<details class="feat" id="${anchor(i)}"${i < 4 ? html` open` : ''}><summary>${c.name}<span class="muted">${c.type} · ${pctText(c.missingShare)} missing · ${fmt(c.distinct)} distinct</span>${ws.map((w) => html` <span class="badge ${w.severity}">${w.code}</span>`)}</summary><div class="feat-body"><div>${statsTable(c)}</div><div>${charts}</div></div></details>`;
  });
  return html`<section id="feature-details"><h2>Feature details</h2>${items}</section>`;
}
