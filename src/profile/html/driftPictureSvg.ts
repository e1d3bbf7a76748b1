import { html, raw, type SafeHtml } from '../../core/html.js';
import type { DriftPictureItem } from '../driftPictureItems.js';
import { fmt, pctText } from './format.js';

/** Colours of the two sides, the same in the report, the console and the e-mail picture. */
export const DRIFT_COLORS = { baseline: '#9aa5b1', current: '#d9480f' } as const;

const FONT = 'font-family="sans-serif" font-size="10" fill="#333"';

/**
 * A drift picture: the baseline and the new distribution of one column side by side, as an
 * overlaid histogram (numbers, common bins) or paired bars (categories), with the missing
 * shares as a pair of bars of their own, marked "missing". Plain SVG with every label from the
 * data escaped; no script.
 */
export function driftPictureSvg(item: DriftPictureItem, opts: { width?: number } = {}): SafeHtml {
  const w = opts.width ?? 380;
  const legend = html`<rect x="0" y="2" width="10" height="10" fill="${DRIFT_COLORS.baseline}"/><text x="14" y="11" ${raw(FONT)}>baseline</text><rect x="70" y="2" width="10" height="10" fill="${DRIFT_COLORS.current}" fill-opacity="0.7"/><text x="84" y="11" ${raw(FONT)}>this batch</text>`;
  return item.picture.kind === 'histogram' ? histogram(item, w, legend) : categories(item, w, legend);
}

function histogram(item: DriftPictureItem, w: number, legend: SafeHtml): SafeHtml {
  const p = item.picture;
  const top = 18;
  const plotH = 96;
  const missingW = 44;
  const plotW = w - missingW - 8;
  const n = p.baseline.length;
  const max = Math.max(1e-9, ...p.baseline, ...p.current);
  const bw = plotW / Math.max(1, n);
  const bar = (share: number, i: number, color: string, opacity: number, label: string): SafeHtml => {
    const h = (share / max) * (plotH - 2);
    const lo = p.edges?.[i];
    const hi = p.edges?.[i + 1];
    return html`<rect x="${(i * bw + 0.5).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}" fill-opacity="${opacity}"><title>${label} [${fmt(lo)}, ${fmt(hi)}): ${pctText(share)}</title></rect>`;
  };
  const axisY = top + plotH;
  return html`<svg class="drift-picture" width="${w}" height="${axisY + 30}" viewBox="0 0 ${w} ${axisY + 30}" role="img" aria-label="Distribution of ${item.name}: baseline and this batch">${legend}
${p.baseline.map((s, i) => bar(s, i, DRIFT_COLORS.baseline, 1, 'baseline'))}${p.current.map((s, i) => bar(s, i, DRIFT_COLORS.current, 0.55, 'this batch'))}
<line x1="0" x2="${plotW}" y1="${axisY}" y2="${axisY}" stroke="#999"/><text x="0" y="${axisY + 12}" ${raw(FONT)}>${fmt(p.edges?.[0])}</text><text x="${plotW}" y="${axisY + 12}" text-anchor="end" ${raw(FONT)}>${fmt(p.edges?.[n])}</text>
${missingPair(item, plotW + 8, top, plotH, missingW)}</svg>`;
}

function categories(item: DriftPictureItem, w: number, legend: SafeHtml): SafeHtml {
  const p = item.picture;
  const labels = [...(p.labels ?? []), 'missing'];
  const base = [...p.baseline.map((s) => s * (1 - item.missingBaseline)), item.missingBaseline];
  const cur = [...p.current.map((s) => s * (1 - item.missingCurrent)), item.missingCurrent];
  const labelW = 96;
  const barW = w - labelW - 44;
  const rowH = 18;
  const top = 18;
  const max = Math.max(1e-9, ...base, ...cur);
  const rows = labels.map((label, i) => {
    const y = top + i * rowH;
    const bl = (base[i]! / max) * barW;
    const cl = (cur[i]! / max) * barW;
    const missing = i === labels.length - 1;
    return html`<text x="${labelW - 4}" y="${y + 11}" text-anchor="end" ${raw(FONT)}${missing ? raw(' font-style="italic"') : ''}>${label.length > 16 ? `${label.slice(0, 15)}…` : label}<title>${label}</title></text>
<rect x="${labelW}" y="${y + 1}" width="${bl.toFixed(1)}" height="7" fill="${DRIFT_COLORS.baseline}"><title>baseline ${label}: ${pctText(base[i])}</title></rect>
<rect x="${labelW}" y="${y + 8}" width="${cl.toFixed(1)}" height="7" fill="${DRIFT_COLORS.current}"><title>this batch ${label}: ${pctText(cur[i])}</title></rect>
<text x="${labelW + Math.max(bl, cl) + 3}" y="${y + 12}" ${raw(FONT)}>${pctText(base[i])} → ${pctText(cur[i])}</text>`;
  });
  const h = top + labels.length * rowH + 4;
  return html`<svg class="drift-picture" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="Categories of ${item.name}: baseline and this batch">${legend}${rows}</svg>`;
}

/** The missing shares of both sides as two bars on a 0-100% scale, labelled "missing". */
function missingPair(item: DriftPictureItem, x: number, top: number, plotH: number, w: number): SafeHtml {
  const bh = item.missingBaseline * (plotH - 2);
  const ch = item.missingCurrent * (plotH - 2);
  const half = (w - 6) / 2;
  const axisY = top + plotH;
  return html`<rect x="${x}" y="${top}" width="${w - 4}" height="${plotH}" fill="none" stroke="#ccc" stroke-dasharray="2,2"/>
<rect x="${x + 1}" y="${(axisY - bh).toFixed(1)}" width="${half.toFixed(1)}" height="${bh.toFixed(1)}" fill="${DRIFT_COLORS.baseline}"><title>baseline missing: ${pctText(item.missingBaseline)}</title></rect>
<rect x="${(x + 2 + half).toFixed(1)}" y="${(axisY - ch).toFixed(1)}" width="${half.toFixed(1)}" height="${ch.toFixed(1)}" fill="${DRIFT_COLORS.current}"><title>this batch missing: ${pctText(item.missingCurrent)}</title></rect>
<text x="${x + (w - 4) / 2}" y="${axisY + 12}" text-anchor="middle" font-style="italic" ${raw(FONT)}>missing</text>
<text x="${x + (w - 4) / 2}" y="${axisY + 24}" text-anchor="middle" ${raw(FONT)}>${pctText(item.missingBaseline, 0)}→${pctText(item.missingCurrent, 0)}</text>`;
}

/** The caption under a picture: the column, why it drifted, its importance in the champion. */
export function driftCaption(item: DriftPictureItem): SafeHtml {
  return html`<b>${item.name}</b>${item.strong ? html` <span style="color:#c92a2a">strong drift</span>` : ''}: ${item.reasons.join('; ')}${item.importance !== null ? html` · importance in the champion ${fmt(item.importance, 3)}` : ''}`;
}
