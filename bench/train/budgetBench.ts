/**
 * `npm run bench -- train-budget` (issue 14, point 7): does `sluice train`'s time limit hold?
 *
 *   - `sluice train --time-limit 60` on a generated 3,000,000-row, 8-column file (target: wall
 *     time <= 69 s, the limit + 15%);
 *   - `sluice train` with default settings on a 300-row file of the same generator (target:
 *     under 15 s), with its holdout accuracy.
 *
 * Each run is the built CLI (`npx tsc -p tsconfig.build.json` first) under /usr/bin/time: wall,
 * CPU (user + system) and peak memory, and the load average at its start (the machine may be
 * shared: wall time counts other processes' load, CPU time does not). Prints a Markdown section.
 *
 *   node --import tsx bench/train/budgetBench.ts [--runs N] [--rows-large N]
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, loadNote, median, timed } from '../lib.js';
import { makeBudgetData } from './makeBudgetData.js';

const OUT = 'bench/out/train-budget';
const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const RUNS = arg('--runs', 3);
const LARGE = arg('--rows-large', 3_000_000);

interface Run {
  wall: number;
  cpu: number;
  peakMb: number;
  load: string;
  accuracy: number;
  f1: number;
  candidates: number;
  timeLimit: number;
  searchRows: number;
  refitRows: number;
  availableRows: number;
}

function train(data: string, out: string, extra: string[]): Run {
  rmSync(out, { recursive: true, force: true });
  const load = loadNote();
  const r = timed(process.execPath, ['bin/sluice.js', 'train', data, '--target', 'churned', '--out', out, ...extra]);
  if (r.status !== 0) throw new Error(`sluice train exited with ${r.status}`);
  const lb = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8')) as {
    entries: { best: boolean; holdout?: Record<string, number> }[];
    timeLimitSeconds: number;
    budget?: { searchRows: number; refitRows: number; availableTrainRows: number };
  };
  const best = lb.entries.find((e) => e.best)!;
  return {
    wall: r.seconds,
    cpu: r.cpuS,
    peakMb: r.peakMb,
    load,
    accuracy: best.holdout?.accuracy ?? NaN,
    f1: best.holdout?.f1 ?? NaN,
    candidates: lb.entries.length,
    timeLimit: lb.timeLimitSeconds,
    searchRows: lb.budget?.searchRows ?? NaN,
    refitRows: lb.budget?.refitRows ?? NaN,
    availableRows: lb.budget?.availableTrainRows ?? NaN,
  };
}

function table(runs: Run[]): string[] {
  return [
    '| run | wall s | CPU s | peak MB | time limit s | candidates | searched / refit / training rows | holdout accuracy | holdout f1 | load at start |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (r, i) =>
        `| ${i + 1} | ${fmt(r.wall, 1)} | ${fmt(r.cpu, 1)} | ${fmt(r.peakMb, 0)} | ${r.timeLimit} | ${r.candidates} | ${r.searchRows} / ${r.refitRows} / ${r.availableRows} | ${fmt(r.accuracy, 3)} | ${fmt(r.f1, 3)} | ${r.load} |`,
    ),
  ];
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const large = join(OUT, `budget-${LARGE}.csv`);
  const small = join(OUT, 'budget-300.csv');
  if (!existsSync(large)) {
    process.stderr.write(`generating ${LARGE} rows x 8 columns (once)…\n`);
    await makeBudgetData(LARGE, large);
  }
  if (!existsSync(small)) await makeBudgetData(300, small);

  const bigRuns: Run[] = [];
  for (let i = 0; i < Math.max(1, Math.min(RUNS, 2)); i++) bigRuns.push(train(large, join(OUT, 'out-large'), ['--time-limit', '60']));
  const smallRuns: Run[] = [];
  for (let i = 0; i < RUNS; i++) smallRuns.push(train(small, join(OUT, 'out-small'), []));

  const lines = [
    `### \`sluice train --time-limit 60\` on ${LARGE.toLocaleString('en-US')} rows x 8 columns (target: wall <= 69 s)`,
    '',
    `Command: \`node bin/sluice.js train ${large} --target churned --out ${OUT}/out-large --time-limit 60\`. Median wall ${fmt(median(bigRuns.map((r) => r.wall)), 1)} s, CPU ${fmt(median(bigRuns.map((r) => r.cpu)), 1)} s.`,
    '',
    ...table(bigRuns),
    '',
    `### \`sluice train\` with default settings on 300 rows (target: wall < 15 s)`,
    '',
    `Command: \`node bin/sluice.js train ${small} --target churned --out ${OUT}/out-small\`. Median wall ${fmt(median(smallRuns.map((r) => r.wall)), 1)} s, CPU ${fmt(median(smallRuns.map((r) => r.cpu)), 1)} s, holdout accuracy ${fmt(median(smallRuns.map((r) => r.accuracy)), 3)} (60 held-out rows).`,
    '',
    ...table(smallRuns),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

await main();
