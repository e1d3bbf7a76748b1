import type { DriftPictureItem } from '../../profile/driftPictureItems.js';

/**
 * What approvers are told about a batch, read from the results of earlier states. The report
 * activity's output is expected to carry (all optional):
 * `{ verdict, gates: [{ name, passed, message }], warnings: [{ severity, message }], figures: { name: value }, reportUrl }`.
 * Anything missing is simply not shown; nothing is invented.
 */
export interface Findings {
  verdict?: string | undefined;
  /** Gates and high warnings together (`gates pass · 2 high warnings: drift in age`); the verdict when the report gave none. */
  headline?: string | undefined;
  /** fail: a gate failed; review: high warnings stand; pass: neither. Never pass while high warnings stand. */
  tone: 'pass' | 'review' | 'fail' | 'none';
  driftPictures: DriftPictureItem[];
  gates: Array<{ name: string; passed: boolean; message?: string | undefined }>;
  highWarnings: string[];
  figures: Array<[string, string]>;
  reportUrl?: string | undefined;
}

/** The findings of a report activity's result (anything else gives empty findings). */
export function findingsOf(report: unknown): Findings {
  const r = (isObject(report) ? report : {}) as Record<string, unknown>;
  const gates = Array.isArray(r.gates)
    ? r.gates
        .filter(isObject)
        .map((g) => ({ name: String(g.name ?? 'gate'), passed: g.passed === true, message: g.message === undefined ? undefined : String(g.message) }))
    : [];
  const highWarnings = Array.isArray(r.warnings)
    ? r.warnings
        .filter(isObject)
        .filter((w) => String(w.severity ?? '').toLowerCase() === 'high')
        .map((w) => String(w.message ?? w.title ?? 'warning'))
    : [];
  const figures = isObject(r.figures)
    ? Object.entries(r.figures).map(([k, v]) => [k, typeof v === 'number' ? formatNumber(v) : String(v)] as [string, string])
    : [];
  const verdict = r.verdict === undefined ? undefined : String(r.verdict);
  const failed = gates.some((g) => !g.passed) || verdict === 'fail';
  const tone =
    r.tone === 'pass' || r.tone === 'review' || r.tone === 'fail'
      ? r.tone
      : verdict === undefined
        ? 'none'
        : failed
          ? 'fail'
          : highWarnings.length > 0
            ? 'review'
            : 'pass';
  return {
    verdict,
    headline:
      typeof r.headline === 'string'
        ? r.headline
        : verdict === undefined
          ? undefined
          : `${verdict}${highWarnings.length > 0 ? ` · ${highWarnings.length} high warning${highWarnings.length === 1 ? '' : 's'}` : ''}`,
    tone,
    driftPictures: Array.isArray(r.driftPictures) ? (r.driftPictures.filter((p) => isObject(p) && isObject(p.picture)) as unknown as DriftPictureItem[]) : [],
    gates,
    highWarnings,
    figures,
    reportUrl: typeof r.reportUrl === 'string' ? r.reportUrl : undefined,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 4 });
}
