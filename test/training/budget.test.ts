/**
 * `sluice train`'s budget at the small end and what the terminal shows: the default time limit
 * scales with the data (300 rows get 5 s), and the leaderboard table stops at 20 rows with a
 * count of all (the JSON keeps every candidate). No wall-clock assertion: the machine is shared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaderboardCount, renderLeaderboard, TOP_ROWS } from '../../src/cli/commands/train.js';
import type { Leaderboard, LeaderboardEntry } from '../../src/ml/automl/leaderboard.js';
import { trainModel } from '../../src/training/trainModel.js';
import { defaultTimeLimit } from '../../src/training/timeBudget.js';
import { SMALL_HEADER, smallRows, tempDir, writeCsv } from './fixtures.js';

const dir = tempDir();

describe('the default time limit on a few hundred rows', () => {
  it('300 rows x 3 features get 5 s (1 s per 2,000 cells, at least 5), recorded in the leaderboard and manifest', async () => {
    const data = writeCsv(dir, 'small.csv', SMALL_HEADER, smallRows(300, 4));
    const progress: string[] = [];
    const r = await trainModel(data, { target: 'label', outDir: join(dir, 'out'), onProgress: (e) => progress.push(e.message) });
    expect(defaultTimeLimit(300, 3)).toBe(5);
    expect(r.leaderboard.timeLimitSeconds).toBe(5);
    expect(r.manifest.timeLimitSeconds).toBe(5);
    expect(progress.find((m) => m.startsWith('time limit 5 s (default for this size'))).toBeDefined();
    // Nothing sampled at this size; the budget is in the JSON.
    const json = JSON.parse(readFileSync(r.files.leaderboard, 'utf8')) as Leaderboard;
    expect(json.budget).toMatchObject({ searchRows: 240, refitRows: 240, availableTrainRows: 240 });
    expect(json.entries.length).toBe(r.leaderboard.entries.length);
    expect(r.best.learner).not.toBe('baseline');
  }, 180_000);
});

describe('reading counts in the limit', () => {
  it('says the size and the estimated read up front, and warns when the read alone exceeds the limit', async () => {
    const data = writeCsv(dir, 'read.csv', SMALL_HEADER, smallRows(300, 5));
    const progress: string[] = [];
    // A limit of a tenth of a millisecond: even this small file's read (estimated from its size) exceeds it.
    await trainModel(data, { target: 'label', outDir: join(dir, 'out-read'), timeLimit: 0.0001, onProgress: (e) => progress.push(e.message) }).catch(
      () => undefined,
    );
    expect(progress[0]).toMatch(
      /^reading read\.csv \([\d.]+ MB, estimated [\d.]+ s at the machine's current load\): reading alone is estimated to take longer than the 0\.0001-second limit, which the run will overrun; train on a sample of the file or raise --time-limit$/,
    );
    const ok: string[] = [];
    await trainModel(data, {
      target: 'label',
      outDir: join(dir, 'out-read2'),
      timeLimit: 30,
      search: { maxCandidates: 2 },
      onProgress: (e) => ok.push(e.message),
    });
    expect(ok[0]).toMatch(/^reading read\.csv \([\d.]+ MB, estimated [\d.]+ s at the machine's current load\)$/);
  }, 180_000);
});

describe('the terminal leaderboard', () => {
  const entry = (i: number, status: LeaderboardEntry['status']): LeaderboardEntry => ({
    id: `c${i}`,
    learner: 'gbdt',
    params: {},
    status,
    best: i === 0,
    ...(status === 'ok'
      ? { cv: { mean: 0.9 - i / 100, std: 0.01, folds: [0.9] }, holdout: { f1: 0.8, log_loss: 0.4 }, fitSeconds: 0.1 }
      : { reason: 'collapsed: its first fold predicts the same class probabilities for every row' }),
  });
  const lb = (n: number): Leaderboard => ({
    problemType: 'binary',
    metric: 'f1',
    higherIsBetter: true,
    validation: { kind: 'k-fold', k: 5 },
    trainRows: 240,
    holdoutRows: 60,
    seed: 0,
    timeLimitSeconds: 5,
    elapsedSeconds: 4,
    droppedFeatures: [],
    entries: Array.from({ length: n }, (_, i) => entry(i, i < n - 5 ? 'ok' : 'pruned')),
  });

  it('shows the top 20 rows and a count of all, with where the rest are', () => {
    const text = renderLeaderboard(lb(2622), 'out/leaderboard.json');
    const ids = [...text.matchAll(/│ (c\d+) /g)].map((m) => m[1]);
    expect(ids).toEqual(Array.from({ length: TOP_ROWS }, (_, i) => `c${i}`));
    expect(text).toContain('top 20 of 2,622 candidates (2,617 ok, 5 pruned); the full leaderboard: out/leaderboard.json');
    expect(text.split('\n').length).toBeLessThan(40);
  });

  it('shows every row when there are 20 or fewer', () => {
    const text = renderLeaderboard(lb(7), 'lb.json');
    expect([...text.matchAll(/│ (c\d+) /g)]).toHaveLength(7);
    expect(leaderboardCount(lb(7).entries, TOP_ROWS)).toBe('7 candidates (2 ok, 5 pruned)');
  });
});
