import { html, type SafeHtml } from '../../core/html.js';
import type { Histogram } from '../reportSchema.js';
import { fmt } from './format.js';

/**
 * Small inline-SVG charts for the HTML report. They are plain functions of aggregates (no chart
 * library, nothing to download), and every label from the data goes through `html`, so a
 * category named `<script>` is drawn as text.
 */

const BLUE = '#3b6fb6';

/** Shortens a label for an axis; the full text stays in the tooltip. */
function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Vertical bars of a histogram, with min / max under the axis and a tooltip per bar. */
export function histogramSvg(h: Histogram, opts: { width?: number; height?: number; color?: string; axis?: boolean } = {}): SafeHtml {
  const w = opts.width ?? 320;
  const hh = opts.height ?? 110;
  const axis = opts.axis ?? true;
  const plotH = axis ? hh - 18 : hh;
  const max = Math.max(1, ...h.counts);
  const bw = w / Math.max(1, h.counts.length);
  const bars = h.counts.map((c, i) => {
    const bh = (c / max) * (plotH - 2);
    return html`<rect x="${(i * bw + 0.5).toFixed(1)}" y="${(plotH - bh).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${opts.color ?? BLUE}"><title>[${fmt(h.edges[i])}, ${fmt(h.edges[i + 1])}${i === h.counts.length - 1 ? ']' : ')'}: ${c}</title></rect>`;
  });
  const labels = axis
    ? html`<line x1="0" x2="${w}" y1="${plotH}" y2="${plotH}" stroke="#999" stroke-width="1"/><text x="0" y="${hh - 4}" class="ax">${fmt(h.edges[0])}</text><text x="${w}" y="${hh - 4}" class="ax" text-anchor="end">${fmt(h.edges[h.edges.length - 1])}</text>`
    : '';
  return html`<svg class="chart" width="${w}" height="${hh}" viewBox="0 0 ${w} ${hh}" role="img">${bars}${labels}</svg>`;
}

export interface Bar {
  label: string;
  value: number;
  /** Text at the end of the bar (count, share); defaults to the value. */
  text?: string;
  color?: string;
}

/** Horizontal bars with labels on the left: top values, class counts, importances. */
export function barsSvg(bars: Bar[], opts: { width?: number; max?: number; labelWidth?: number } = {}): SafeHtml {
  const w = opts.width ?? 420;
  const lw = opts.labelWidth ?? 130;
  const row = 20;
  const max = opts.max ?? Math.max(1e-12, ...bars.map((b) => b.value));
  const plotW = w - lw - 90;
  const items = bars.map((b, i) => {
    const y = i * row;
    const bw = Math.max(0, (b.value / max) * plotW);
    return html`<g><title>${b.label}: ${b.text ?? fmt(b.value)}</title><text x="${lw - 6}" y="${y + 14}" text-anchor="end" class="lb">${clip(b.label, 20)}</text><rect x="${lw}" y="${y + 3}" width="${bw.toFixed(1)}" height="${row - 6}" rx="2" fill="${b.color ?? BLUE}"/><text x="${(lw + bw + 5).toFixed(1)}" y="${y + 14}" class="vl">${b.text ?? fmt(b.value)}</text></g>`;
  });
  const hh = Math.max(row, bars.length * row);
  return html`<svg class="chart" width="${w}" height="${hh}" viewBox="0 0 ${w} ${hh}" role="img">${items}</svg>`;
}

/** Diverging color for a value in [-1, 1] (blue negative, red positive), white at 0. */
function heatColor(v: number | null): string {
  if (v === null) return '#eee';
  const t = Math.max(-1, Math.min(1, v));
  const [r, g, b] = t >= 0 ? [255, Math.round(255 - 170 * t), Math.round(255 - 190 * t)] : [Math.round(255 + 190 * t), Math.round(255 + 120 * t), 255];
  return `rgb(${r},${g},${b})`;
}

/** A square matrix as colored cells, values written in the cells when they fit. */
export function heatmapSvg(columns: string[], matrix: Array<Array<number | null>>, opts: { cell?: number } = {}): SafeHtml {
  const n = columns.length;
  const cell = opts.cell ?? (n <= 12 ? 40 : n <= 25 ? 24 : 14);
  const label = 130;
  // Room on the right for the last rotated column label.
  const width = label + n * cell + 100;
  const size = label + n * cell;
  const cells: SafeHtml[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = matrix[i]?.[j] ?? null;
      const x = label + j * cell;
      const y = label + i * cell;
      const dark = v !== null && Math.abs(v) > 0.6;
      cells.push(
        html`<g><title>${columns[i]} × ${columns[j]}: ${v === null ? 'n/a' : v.toFixed(3)}</title><rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${heatColor(v)}"/>${cell >= 36 && v !== null ? html`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" class="hv${dark ? ' dk' : ''}">${v.toFixed(2)}</text>` : ''}</g>`,
      );
    }
  }
  const rowLabels = columns.map(
    (c, i) => html`<text x="${label - 6}" y="${label + i * cell + cell / 2 + 4}" text-anchor="end" class="lb">${clip(c, 18)}</text>`,
  );
  const colLabels = columns.map((c, j) => {
    const x = label + j * cell + cell / 2 + 4;
    return html`<text transform="translate(${x},${label - 6}) rotate(-50)" class="lb">${clip(c, 18)}</text>`;
  });
  return html`<svg class="chart" width="${width}" height="${size}" viewBox="0 0 ${width} ${size}" role="img">${rowLabels}${colLabels}${cells}</svg>`;
}

/** A legend for the heatmap colors. */
export function heatLegendSvg(min = -1): SafeHtml {
  const stops = Array.from({ length: 21 }, (_, i) => min + ((1 - min) * i) / 20);
  return html`<svg class="chart" width="260" height="30" viewBox="0 0 260 30">${stops.map((v, i) => html`<rect x="${10 + i * 11}" y="2" width="11" height="12" fill="${heatColor(v)}"/>`)}<text x="10" y="27" class="ax">${min}</text><text x="${10 + 10.5 * 11}" y="27" class="ax" text-anchor="middle">${min < 0 ? 0 : 0.5}</text><text x="241" y="27" class="ax" text-anchor="end">1</text></svg>`;
}

/** Colors of target classes, in class order. */
export const CLASS_COLORS = ['#3b6fb6', '#e08a00', '#2e7d32', '#c62828', '#7b4fb0', '#00897b', '#8d6e63', '#5f6b7a'];

function legend(classes: string[], y: number): SafeHtml[] {
  let x = 0;
  return classes.map((c, k) => {
    const label = clip(c, 16);
    const item = html`<g><rect x="${x}" y="${y}" width="10" height="10" fill="${CLASS_COLORS[k % CLASS_COLORS.length]}"/><text x="${x + 14}" y="${y + 9}" class="lb">${label}</text></g>`;
    x += 24 + label.length * 6.5;
    return item;
  });
}

/** Each class's distribution over the histogram bins (share of the class per bin), as lines. */
export function classLinesSvg(edges: number[], classes: string[], counts: number[][], opts: { width?: number; height?: number } = {}): SafeHtml {
  const w = opts.width ?? 460;
  const plotH = (opts.height ?? 150) - 40;
  const shares = counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return row.map((c) => c / total);
  });
  const max = Math.max(1e-12, ...shares.flat());
  const bins = edges.length - 1;
  const lines = shares.map((row, k) => {
    const pts = row.map((s, b) => `${(((b + 0.5) / bins) * w).toFixed(1)},${(plotH - (s / max) * (plotH - 4)).toFixed(1)}`).join(' ');
    return html`<polyline points="${pts}" fill="none" stroke="${CLASS_COLORS[k % CLASS_COLORS.length]}" stroke-width="2"><title>${classes[k]}</title></polyline>`;
  });
  const h = plotH + 40;
  return html`<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">${lines}<line x1="0" x2="${w}" y1="${plotH}" y2="${plotH}" stroke="#999"/><text x="0" y="${plotH + 13}" class="ax">${fmt(edges[0])}</text><text x="${w}" y="${plotH + 13}" class="ax" text-anchor="end">${fmt(edges[bins])}</text>${legend(classes, plotH + 24)}</svg>`;
}

/** For each value, a 100% bar split by target class: the target rate per category. */
export function classStackSvg(values: string[], classes: string[], counts: number[][], opts: { width?: number } = {}): SafeHtml {
  const w = opts.width ?? 460;
  const lw = 130;
  const row = 20;
  const plotW = w - lw - 10;
  const bars = values.map((v, j) => {
    const total = counts.reduce((a, r) => a + (r[j] ?? 0), 0) || 1;
    let x = lw;
    const segs = classes.map((c, k) => {
      const share = (counts[k]?.[j] ?? 0) / total;
      const seg = html`<rect x="${x.toFixed(1)}" y="${j * row + 3}" width="${(share * plotW).toFixed(1)}" height="${row - 6}" fill="${CLASS_COLORS[k % CLASS_COLORS.length]}"><title>${v} · ${c}: ${(share * 100).toFixed(1)}%</title></rect>`;
      x += share * plotW;
      return seg;
    });
    return html`<g><text x="${lw - 6}" y="${j * row + 14}" text-anchor="end" class="lb">${clip(v, 20)}</text>${segs}</g>`;
  });
  const h = values.length * row + 24;
  return html`<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">${bars}${html`<g transform="translate(${lw},${values.length * row + 8})">${legend(classes, 0)}</g>`}</svg>`;
}
