import { SluiceError } from '../core/errors.js';
import type { Frame, Target } from '../ml/frame.js';
import { predictionPowerOfFrame } from '../profile/model/predictionPower.js';
import { DEFAULT_THRESHOLDS } from '../profile/thresholds.js';
import { judgeId } from '../profile/warnings/columnRules.js';
import type { TrainingData, TrainingFeature } from './loadTrainingData.js';

/** Prediction power (one-feature model, 0-1) at or above which a feature is refused as a target leak. */
export const LEAK_POWER = 0.98;

export interface ScreenedFeatures {
  frame: Frame;
  features: TrainingFeature[];
  /** Features left out before the search, with the reason (ids, constants, empties). */
  dropped: Array<{ name: string; reason: string }>;
  /** Features kept although they predict the target almost alone (allowed by the user). */
  allowedLeaks: Array<{ name: string; power: number }>;
}

/**
 * The report's judgement, applied before training: features the report calls ids (the same
 * rule, {@link judgeId}), constant or empty are left out and listed; a feature whose
 * prediction power reaches {@link LEAK_POWER} is refused as a target leak unless the user allows
 * it (`--allow-leak COLUMN`, sluice.yaml `model.allowLeaks`). Nothing is dropped silently: the
 * list goes to the leaderboard, the model report and the console's model page.
 */
export function screenFeatures(
  frame: Frame,
  target: Target,
  features: TrainingFeature[],
  options: { allowLeaks?: readonly string[]; where?: string; stats?: { columns: TrainingData['columnStats']; rows: number; duplicateRows: number } } = {},
): ScreenedFeatures {
  const n = frame.nRows;
  const dropped: ScreenedFeatures['dropped'] = [];
  let duplicates: number | undefined;
  const duplicateRows = (): number => (duplicates ??= countDuplicateRows(frame));
  const sql = options.stats;
  const byName = new Map(features.map((f) => [f.name, f]));
  const keep = frame.features.filter((f) => {
    const spec = byName.get(f.name);
    // Missing and constant from one pass over the rows; the distinct values (a Set per column,
    // costly on millions of rows) only when SQL gave no exact counts.
    let missing = 0;
    let first: number | undefined;
    let varies = false;
    const cells = f.kind === 'numeric' ? f.values : f.codes;
    for (let i = 0; i < n; i++) {
      const v = cells[i]!;
      if (f.kind === 'numeric' ? v !== v : v < 0) missing++;
      else if (first === undefined) first = v;
      else if (v !== first) varies = true;
    }
    const st = sql?.columns[f.name];
    const seen = new Set<number>();
    if (!st && varies) for (let i = 0; i < n; i++) if (f.kind === 'numeric' ? cells[i] === cells[i] : cells[i]! >= 0) seen.add(cells[i]!);
    if (missing === n) return drop(f.name, 'missing in every row');
    if (!varies) {
      const only = f.kind === 'numeric' ? first : f.levels[first!];
      return drop(f.name, `constant: one value (${String(only)}) in every row that has one`);
    }
    // Exact counts from SQL when given (the frame pools rare categories), else from the frame.
    const samples = (st ? st.samples : [...seen].slice(0, 10).map((x) => String(f.kind === 'numeric' ? x : f.levels[x]))).map((value) => ({
      value,
      count: 1,
      share: 0,
    }));
    const meanLength = f.kind === 'categorical' ? f.levels.reduce((a, l) => a + l.length, 0) / Math.max(1, f.levels.length) : null;
    const storageType = spec?.type ?? (f.kind === 'numeric' ? 'float' : 'string');
    const id =
      st && sql
        ? judgeId(
            { missing: st.missing, distinct: st.distinct, storageType, type: f.kind === 'numeric' ? 'numeric' : 'categorical', meanLength, topValues: samples },
            DEFAULT_THRESHOLDS,
            sql.rows,
            sql.duplicateRows,
          )
        : judgeId(
            { missing, distinct: seen.size, storageType, type: f.kind === 'numeric' ? 'numeric' : 'categorical', meanLength, topValues: samples },
            DEFAULT_THRESHOLDS,
            n,
            duplicateRows,
          );
    if (id) return drop(f.name, `looks like an identifier: ${id.why}`);
    return true;
  });
  function drop(name: string, reason: string): false {
    dropped.push({ name, reason });
    return false;
  }
  const screened: Frame = { nRows: n, features: keep };
  const allowed = new Set(options.allowLeaks ?? []);
  const allowedLeaks: ScreenedFeatures['allowedLeaks'] = [];
  if (keep.length > 0 && n >= 10) {
    const leaks = predictionPowerOfFrame(screened, target).filter((p) => p.score >= LEAK_POWER);
    const refused = leaks.filter((p) => !allowed.has(p.feature));
    for (const p of leaks) if (allowed.has(p.feature)) allowedLeaks.push({ name: p.feature, power: p.score });
    if (refused.length > 0) {
      const list = refused.map((p) => `"${p.feature}" (prediction power ${p.score.toFixed(3)})`).join(', ');
      throw new SluiceError(
        'TRAIN_TARGET_LEAK',
        `${refused.length === 1 ? 'a feature predicts' : 'features predict'} the target almost alone, which usually means ${refused.length === 1 ? 'it is' : 'they are'} computed from the outcome: ${list}`,
        {
          location: { field: refused[0]!.feature, ...(options.where ? { file: options.where } : {}) },
          hint: `drop ${refused.length === 1 ? 'it' : 'them'} with a drop_columns step; if ${refused.length === 1 ? 'it is' : 'they are'} known before the outcome, keep ${refused.length === 1 ? 'it' : 'them'} with ${refused.map((p) => `--allow-leak ${p.feature}`).join(' ')} (sluice.yaml: model.allowLeaks)`,
          details: { leaks: refused },
        },
      );
    }
  }
  return { frame: screened, features: features.filter((f) => keep.some((k) => k.name === f.name)), dropped, allowedLeaks };
}

/** Rows that repeat an earlier row exactly, over the frame's features. */
function countDuplicateRows(frame: Frame): number {
  const seen = new Set<string>();
  let dups = 0;
  const cols = frame.features;
  for (let i = 0; i < frame.nRows; i++) {
    let key = '';
    for (const f of cols) key += `${f.kind === 'numeric' ? f.values[i] : f.codes[i]}\u001f`;
    if (seen.has(key)) dups++;
    else seen.add(key);
  }
  return dups;
}
