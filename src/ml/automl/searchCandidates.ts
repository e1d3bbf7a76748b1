import { Rng } from '../random.js';
import type { AutoMLOptions } from './autoMLOptions.js';
import { type AutoMLRun, slowestFitMs } from './autoMLRun.js';
import type { Candidate } from './candidate.js';
import type { LeaderboardEntry } from './leaderboard.js';
import { type CandidateSpec, defaultCandidates, randomCandidate } from './searchSpace.js';
import { trainCandidate } from './trainCandidate.js';
import type { WorkerPool } from './workerPool.js';

/**
 * The search: the default configurations, then seeded random ones, as many at once as the pool
 * has room for, until the planned search time is over, what is left would not cover the refit,
 * or `maxCandidates` have started. Defaults that never started are listed as skipped.
 */
export async function searchCandidates(
  run: AutoMLRun,
  pool: WorkerPool,
  options: Pick<AutoMLOptions, 'minCandidates' | 'maxCandidates'>,
): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  const defaults = defaultCandidates(run.type, run.learners);
  const rng = new Rng(run.seed);
  const running = new Set<Promise<void>>();
  const minCandidates = options.minCandidates ?? 0;
  const add = (spec: CandidateSpec, prunable: boolean, status: LeaderboardEntry['status'] = 'ok'): Candidate => {
    const c: Candidate = {
      entry: { id: `c${candidates.length}`, learner: spec.learner, params: spec.params, status, best: false },
      learner: spec.learner,
      prunable,
      folds: [],
    };
    candidates.push(c);
    return c;
  };
  let next = 0;
  while (true) {
    run.throwIfAborted();
    const outOfTime = next >= minCandidates && (run.elapsedMs() >= run.searchEndMs || run.limitMs - run.elapsedMs() < refitReserveMs(run, candidates));
    if (outOfTime || (options.maxCandidates !== undefined && next >= options.maxCandidates)) break;
    if (pool.load >= run.capacity) {
      await Promise.race([...running, delay(25)]);
      continue;
    }
    const isDefault = next < defaults.length;
    const spec = isDefault ? defaults[next]! : randomCandidate(run.type, run.learners, rng);
    next++;
    const c = add(spec, !isDefault);
    if (next <= minCandidates) c.guaranteed = true;
    const p: Promise<void> = trainCandidate(run, pool, candidates, c).finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);
  run.throwIfAborted();
  const capped = options.maxCandidates !== undefined && next >= options.maxCandidates;
  for (let i = next; i < defaults.length; i++) {
    const c = add(defaults[i]!, false, 'skipped');
    c.entry.reason = capped
      ? `the candidate limit (${options.maxCandidates}) was reached before it could start`
      : 'the time limit was reached before it could start';
  }
  return candidates;
}

/**
 * Time to keep for the refit: the plan's estimate, or the slowest finished candidate's fold fit
 * scaled to the refit rows, times the rounds a bag of refits takes on the workers.
 */
function refitReserveMs(run: AutoMLRun, candidates: readonly Candidate[]): number {
  const { plan } = run;
  return Math.max(
    Number.isFinite(plan.refitSeconds) ? 1000 * plan.refitSeconds : 0,
    1.2 * slowestFitMs(candidates) * (plan.refitRows / run.foldTrainRows) * Math.ceil(plan.refitBag / run.capacity),
  );
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
