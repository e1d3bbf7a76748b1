import type { DriftPicture, Report } from './reportSchema.js';

/** What a drift picture shows for one column: both distributions, the missing shares, why it drifted. */
export interface DriftPictureItem {
  name: string;
  kind: 'numeric' | 'categorical';
  strong: boolean;
  reasons: string[];
  missingBaseline: number;
  missingCurrent: number;
  importance: number | null;
  picture: DriftPicture;
}

/** The drifted columns that have a picture, strongest first (at most `limit`). */
export function driftPictureItems(report: Pick<Report, 'drift'>, limit = 12): DriftPictureItem[] {
  return (report.drift?.columns ?? [])
    .filter((c) => c.drifted && c.picture)
    .sort((a, b) => Number(b.strong ?? false) - Number(a.strong ?? false) || (b.championImportance ?? 0) - (a.championImportance ?? 0))
    .slice(0, limit)
    .map((c) => ({
      name: c.name,
      kind: c.kind,
      strong: c.strong ?? false,
      reasons: c.reasons ?? [],
      missingBaseline: c.missingShareBaseline,
      missingCurrent: c.missingShareCurrent,
      importance: typeof c.championImportance === 'number' ? c.championImportance : null,
      picture: c.picture!,
    }));
}
