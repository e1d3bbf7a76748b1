import type { DriftPictureItem } from '../../profile/driftPictureItems.js';
import { DRIFT_COLORS } from '../../profile/html/driftPictureSvg.js';
import { Raster } from './encodePng.js';

/**
 * The compact drift picture of the approval e-mail, as a PNG (mail clients show PNG images,
 * most do not show SVG): the baseline and this batch overlaid (numbers: bins; categories: one
 * pair of bars per category), and at the right, set apart, the pair of missing shares on a
 * 0-100% scale. Labels are in the HTML caption beside it.
 */
export function driftPicturePng(item: DriftPictureItem, width = 260, height = 72): Buffer {
  const r = new Raster(width, height);
  const p = item.picture;
  const missingW = 28;
  const plotW = width - missingW - 6;
  const top = 2;
  const plotH = height - 4;
  const base = p.baseline;
  const cur = p.current;
  const max = Math.max(1e-9, ...base, ...cur);
  const n = base.length;
  if (p.kind === 'histogram') {
    const bw = plotW / Math.max(1, n);
    base.forEach((s, i) => {
      r.fillRect(i * bw, top + plotH - (s / max) * plotH, Math.max(1, bw - 1), (s / max) * plotH, DRIFT_COLORS.baseline);
    });
    cur.forEach((s, i) => {
      r.fillRect(i * bw, top + plotH - (s / max) * plotH, Math.max(1, bw - 1), (s / max) * plotH, DRIFT_COLORS.current, 0.55);
    });
  } else {
    const gw = plotW / Math.max(1, n);
    const bw = Math.max(1, (gw - 2) / 2);
    base.forEach((s, i) => {
      r.fillRect(i * gw, top + plotH - (s / max) * plotH, bw, (s / max) * plotH, DRIFT_COLORS.baseline);
    });
    cur.forEach((s, i) => {
      r.fillRect(i * gw + bw, top + plotH - (s / max) * plotH, bw, (s / max) * plotH, DRIFT_COLORS.current);
    });
  }
  r.fillRect(0, top + plotH, plotW, 1, '#999999');
  // The missing pair, on its own 0-100% scale, behind a light frame.
  const mx = plotW + 6;
  r.fillRect(mx, top, missingW, plotH, '#f1f3f5');
  r.fillRect(mx + 2, top + plotH - item.missingBaseline * plotH, (missingW - 6) / 2, item.missingBaseline * plotH, DRIFT_COLORS.baseline);
  r.fillRect(mx + 4 + (missingW - 6) / 2, top + plotH - item.missingCurrent * plotH, (missingW - 6) / 2, item.missingCurrent * plotH, DRIFT_COLORS.current);
  return r.toPng();
}
