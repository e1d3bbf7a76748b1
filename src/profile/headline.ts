import type { Report, ReportWarning } from './reportSchema.js';

/**
 * The report's judgement in one line, the gates and the high warnings together, so a passing
 * gate never reads as "all clear" while high warnings stand:
 * `gates pass · 3 high warnings: drift in age, num_medications; empty column blank`.
 */
export function reportHeadline(report: Pick<Report, 'gates' | 'warnings'>): string {
  const g = report.gates;
  const failed = g ? g.rules.filter((r) => !r.pass).length : 0;
  const gates = !g ? 'no gates' : g.verdict === 'pass' ? 'gates pass' : `gates FAIL (${failed} of ${g.rules.length})`;
  const high = report.warnings.filter((w) => w.severity === 'high');
  if (high.length === 0) return `${gates} · no high warnings`;
  return `${gates} · ${high.length} high warning${high.length === 1 ? '' : 's'}: ${describeWarnings(high)}`;
}

/** The tone to show a headline in: fail (a gate failed), review (high warnings), pass (neither). */
export function headlineTone(gatesVerdict: string | undefined, highWarnings: number): 'pass' | 'review' | 'fail' {
  if (gatesVerdict === 'fail') return 'fail';
  return highWarnings > 0 ? 'review' : 'pass';
}

/** Warnings grouped by code, each group naming its columns: `drift in age, x; empty column blank`. */
function describeWarnings(ws: ReportWarning[]): string {
  const groups = new Map<string, string[]>();
  for (const w of ws) {
    const list = groups.get(w.code) ?? [];
    // A data-set level drift warning lists every drifted column; the per-column ones name them too.
    if (!(w.code === 'drift' && w.columns.length > 1)) list.push(...w.columns);
    groups.set(w.code, list);
  }
  return [...groups]
    .map(([code, cols]) => {
      const unique = [...new Set(cols)];
      const name = code === 'drift' ? 'drift in' : code.replace(/_/g, ' ');
      const shown = unique.slice(0, 5).join(', ') + (unique.length > 5 ? ` and ${unique.length - 5} more` : '');
      return unique.length > 0 ? `${name} ${shown}` : name.replace(/ in$/, '');
    })
    .join('; ');
}
