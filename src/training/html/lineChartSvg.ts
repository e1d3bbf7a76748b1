import { html, type SafeHtml } from '../../core/html.js';
import { fmt } from '../../profile/html/format.js';

/** Line colors, distinguishable and print-safe (Tableau 10). */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export interface Series {
  label: string;
  x: number[];
  y: number[];
  /** Draw the points as dots too (calibration bins). */
  dots?: boolean;
  /** Dots only, no line through them (a scatter). */
  noLine?: boolean;
}

/**
 * Lines on a unit square (ROC, precision-recall, calibration): axes 0–1 with ticks, an optional
 * dashed reference line, and a legend. Labels from the data are escaped through `html`, as in
 * the insights report's charts (src/profile/html/charts.ts), whose conventions this follows.
 */
export function lineChartSvg(
  series: Series[],
  opts: { xLabel: string; yLabel: string; diagonal?: 'up' | 'none'; reference?: number; width?: number },
): SafeHtml {
  const w = opts.width ?? 340;
  const pad = { l: 42, r: 12, t: 10, b: 36 };
  const plot = w - pad.l - pad.r;
  const legendH = 16 * series.length;
  const h = pad.t + plot + pad.b + legendH;
  const X = (v: number): string => (pad.l + Math.max(0, Math.min(1, v)) * plot).toFixed(1);
  const Y = (v: number): string => (pad.t + (1 - Math.max(0, Math.min(1, v))) * plot).toFixed(1);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const grid = ticks.map(
    (t) =>
      html`<line x1="${X(t)}" x2="${X(t)}" y1="${Y(0)}" y2="${Y(1)}" stroke="#eef0f3"/><line x1="${X(0)}" x2="${X(1)}" y1="${Y(t)}" y2="${Y(t)}" stroke="#eef0f3"/><text x="${X(t)}" y="${(pad.t + plot + 14).toFixed(1)}" text-anchor="middle" class="ax">${t}</text><text x="${pad.l - 5}" y="${(Number(Y(t)) + 4).toFixed(1)}" text-anchor="end" class="ax">${t}</text>`,
  );
  const ref =
    opts.diagonal === 'up'
      ? html`<line x1="${X(0)}" y1="${Y(0)}" x2="${X(1)}" y2="${Y(1)}" stroke="#9aa3b0" stroke-dasharray="4 4"/>`
      : opts.reference !== undefined
        ? html`<line x1="${X(0)}" y1="${Y(opts.reference)}" x2="${X(1)}" y2="${Y(opts.reference)}" stroke="#9aa3b0" stroke-dasharray="4 4"/>`
        : '';
  const lines = series.map((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!;
    const points = s.x.map((x, j) => `${X(x)},${Y(s.y[j]!)}`).join(' ');
    const dots = s.dots
      ? s.x.map(
          (x, j) => html`<circle cx="${X(x)}" cy="${Y(s.y[j]!)}" r="3" fill="${color}"><title>${s.label}: (${fmt(x, 3)}, ${fmt(s.y[j], 3)})</title></circle>`,
        )
      : '';
    return html`<g><title>${s.label}</title>${s.noLine ? '' : html`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"/>`}${dots}</g>`;
  });
  const axisY = pad.t + plot + 30;
  const legend = series.map((s, i) => {
    const y = axisY + 6 + i * 16;
    return html`<rect x="${pad.l}" y="${y}" width="12" height="3" fill="${SERIES_COLORS[i % SERIES_COLORS.length]}"/><text x="${pad.l + 18}" y="${y + 5}" class="lb">${s.label}</text>`;
  });
  return html`<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img"><rect x="${pad.l}" y="${pad.t}" width="${plot}" height="${plot}" fill="#fff" stroke="#c9ced6"/>${grid}${ref}${lines}<text x="${pad.l + plot / 2}" y="${axisY}" text-anchor="middle" class="lb">${opts.xLabel}</text><text transform="translate(11,${pad.t + plot / 2}) rotate(-90)" text-anchor="middle" class="lb">${opts.yLabel}</text>${legend}</svg>`;
}
