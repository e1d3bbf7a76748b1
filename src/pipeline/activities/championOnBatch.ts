import { isSluiceError } from '../../core/errors.js';
import { isMetricName, METRICS } from '../../ml/metrics/metricRegistry.js';
import type { ChampionCheck } from '../../profile/reportSchema.js';
import { scoreArtifact } from '../../training/scoreArtifact.js';
import type { ActivityContext } from './Activity.js';
import { versionArtifact } from '../../models/versionArtifact.js';
import { readChampion } from './readChampion.js';
import { withStores } from './withStores.js';

/**
 * The current champion measured on a raw batch, through its own fitted flow, with the metric it
 * was registered with; and its permutation importance on the batch (for the drift section).
 * Undefined, with the reason, when there is no champion or the batch cannot be scored (no
 * target column, no labelled row): the report then says so in its notes.
 */
export async function championOnBatch(
  ctx: Pick<ActivityContext, 'project' | 'stores' | 'config' | 'state'>,
  model: string,
  rawFile: string,
  /** The python3 for python steps (sluice.yaml `python:`). */
  python?: string,
): Promise<{ check?: ChampionCheck; importance?: Record<string, number>; note?: string }> {
  const champ = await readChampion(ctx, model);
  if (!champ) return {};
  const metric = String((champ.lineage.trainingConfig as { metric?: unknown } | undefined)?.metric ?? '');
  if (!isMetricName(metric)) return { note: `The champion (${model} version ${champ.version}) has no recorded metric, so it was not measured on this batch.` };
  try {
    const dir = await withStores(ctx, (stores) => versionArtifact(stores.artifacts, champ));
    const s = await scoreArtifact(dir, rawFile, metric, { importance: true, ...(python ? { python } : {}) });
    const higherIsBetter = METRICS[metric].higherIsBetter;
    const registered = typeof champ.metrics[`holdout_${metric}`] === 'number' ? champ.metrics[`holdout_${metric}`]! : null;
    const drop = registered === null || !Number.isFinite(s.value) ? null : higherIsBetter ? registered - s.value : s.value - registered;
    return {
      check: { model, version: champ.version, metric, higherIsBetter, registered, current: s.value, drop, rows: s.rows },
      ...(s.importance ? { importance: s.importance } : {}),
    };
  } catch (e) {
    if (!isSluiceError(e)) throw e;
    return { note: `The champion (${model} version ${champ.version}) was not measured on this batch: ${e.message}.` };
  }
}
