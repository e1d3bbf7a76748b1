/**
 * Sluice's GBDT and HistGradientBoosting over several draws of the benchmark's stratified 80/20
 * split (same data, same hyperparameters): one fit a side a split seed, in fresh processes,
 * which side goes first alternating, and the table of the paired log losses with the verdict of
 * {@link pairedDifference} (used by bench/ml/gbdtBench.ts and bench/ml/gbdtSeeds.ts).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { stratifiedHoldout } from '../../src/ml/splits/stratifiedHoldout.js';
import type { BenchData } from './benchData.js';
import { type Fit, type fitters, writeFrames } from './gbdtAgainstHgb.js';
import { pairedDifference } from './pairedDifference.js';

/**
 * The log-loss difference (Sluice − HGB) taken as "equal": HGB's own log loss on one split
 * moves by up to 0.0011 with the `random_state` of its binning subsample alone (0.8093, 0.8094,
 * 0.8104 at 1M, seed-0 split; docs/benchmarks.md, "Target 3, second step").
 */
export const LOG_LOSS_MARGIN = 0.001;

export interface SeedPair {
  seed: number;
  ours: Fit;
  theirs: Fit;
}

/** Split seed `seed`'s files in `d.dir`: the split's row indices (for hgb_fit.py) and the frames (for gbdtFit.ts). */
export function splitFiles(d: BenchData, seed: number): { splitPath: string; frames: string } {
  const split = stratifiedHoldout(d.target, { testFraction: 0.2, seed });
  const splitPath = join(d.dir, `split-${seed}.json`);
  writeFileSync(splitPath, JSON.stringify({ train: Array.from(split.train), test: Array.from(split.test) }));
  const frames = join(d.dir, `frames-${seed}.v8`);
  writeFrames(frames, d.frame, d.target, split);
  return { splitPath, frames };
}

/**
 * One fit of each side for each of `seeds` (pairs already in `known`, e.g. the timed runs' split,
 * are not fitted again: both fits are deterministic), progress on stderr.
 */
export function fitOverSeeds(d: BenchData, seeds: readonly number[], fit: ReturnType<typeof fitters>, known: readonly SeedPair[] = []): SeedPair[] {
  return seeds.map((seed, i) => {
    const had = known.find((k) => k.seed === seed);
    if (had) return had;
    const { splitPath, frames } = splitFiles(d, seed);
    const sluice = (): Fit => fit.fitSluice(frames);
    const sklearn = (): Fit => fit.fitSklearn(d.csv, splitPath);
    let ours: Fit;
    let theirs: Fit;
    if (i % 2 === 0) {
      ours = sluice();
      theirs = sklearn();
    } else {
      theirs = sklearn();
      ours = sluice();
    }
    process.stderr.write(
      `  ${d.n} rows, split seed ${seed}: sluice ${ours.log_loss.toFixed(5)} (${ours.cpu_s.toFixed(2)} CPU s), HGB ${theirs.log_loss.toFixed(5)} (${theirs.cpu_s.toFixed(2)} CPU s), load ${loadavg()[0]!.toFixed(1)}\n`,
    );
    return { seed, ours, theirs };
  });
}

const signed = (x: number, digits: number): string => {
  const t = Math.abs(x).toFixed(digits);
  return `${x < 0 && Number(t) !== 0 ? '−' : Number(t) === 0 ? '±' : '+'}${t}`;
};

/** The markdown table of the pairs (log loss and CPU seconds a seed), its mean ± sd row, and the verdict line. */
export function seedTable(rows: readonly SeedPair[], margin = LOG_LOSS_MARGIN): string[] {
  const stats = (xs: number[], digits: number, sign = false): string => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
    return `${sign ? signed(m, digits) : m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
  };
  const lines = ['| split seed | Sluice log loss | HGB log loss | Sluice − HGB | Sluice CPU s | HGB CPU s |', '|---|---|---|---|---|---|'];
  for (const { seed, ours, theirs } of rows) {
    lines.push(
      `| ${seed} | ${ours.log_loss.toFixed(5)} | ${theirs.log_loss.toFixed(5)} | ${signed(ours.log_loss - theirs.log_loss, 5)} | ${ours.cpu_s.toFixed(2)} | ${theirs.cpu_s.toFixed(2)} |`,
    );
  }
  const diffs = rows.map((r) => r.ours.log_loss - r.theirs.log_loss);
  lines.push(
    `| mean ± sd | ${stats(
      rows.map((r) => r.ours.log_loss),
      5,
    )} | ${stats(
      rows.map((r) => r.theirs.log_loss),
      5,
    )} | ${stats(diffs, 5, true)} | ${stats(
      rows.map((r) => r.ours.cpu_s),
      2,
    )} | ${stats(
      rows.map((r) => r.theirs.cpu_s),
      2,
    )} |`,
  );
  const s = pairedDifference(diffs, margin);
  // Counted on the printed digits, so two fits that agree to them (the same trees) count as equal.
  const shown = diffs.map((d) => Number(d.toFixed(5)));
  const tally = `Sluice lower on ${shown.filter((d) => d < 0).length}, equal to 5 decimals on ${shown.filter((d) => d === 0).length}, higher on ${shown.filter((d) => d > 0).length}`;
  const interval =
    s.n > 1
      ? `mean difference ${signed(s.mean, 5)}, standard error ${s.se.toFixed(5)}, one-sided 95% bounds [${signed(s.lower, 5)}, ${signed(s.upper, 5)}] (t, ${s.n - 1} df)`
      : 'one split: no interval';
  lines.push(
    '',
    `Log loss over ${s.n} split seeds: ${interval}; ${tally}. **Verdict: ${s.verdict}** (equal or better: the upper bound under ${margin}, the largest difference taken as equal; better: under 0; worse: the lower bound above 0).`,
  );
  return lines;
}
