import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { trainModel } from '../../src/training/trainModel.js';
import { SMALL_HEADER, smallRows, tempDir, writeCsv } from './fixtures.js';

/** Planted problems training must not swallow (issue 14): a leak, an id column with duplicate rows, a constant column. */
const dir = tempDir('sluice-train-judgement-');
const rows = smallRows(400, 5).map((r, i) => [`P-${String(10000 + i)}`, ...r, 'same', r[3] === 'high' ? 'yes' : 'no']);
for (let i = 0; i < 12; i++) rows.push([...rows[i * 3]!]);
const data = writeCsv(dir, 'planted.csv', ['patient', ...SMALL_HEADER, 'site', 'outcome_flag'], rows);
const quick = { learners: ['gbdt', 'logistic'] as const, maxCandidates: 2, ensemble: false };

describe('train uses the report judgement', () => {
  it('refuses a leak with a clear message naming the column and the way to keep it', async () => {
    const e = await trainModel(data, {
      target: 'label',
      outDir: join(dir, 'refused'),
      timeLimit: 30,
      search: { ...quick, learners: [...quick.learners] },
    }).catch((x: unknown) => x);
    expect(isSluiceError(e) && e.code).toBe('TRAIN_TARGET_LEAK');
    expect((e as Error).message).toMatch(/"outcome_flag" \(prediction power 1\.000\)/);
    expect((e as { hint?: string }).hint).toContain('--allow-leak outcome_flag');
  }, 120_000);

  it('drops the id and the constant column, lists them with the reason, and keeps an allowed leak', async () => {
    const progress: string[] = [];
    const r = await trainModel(data, {
      target: 'label',
      outDir: join(dir, 'out'),
      timeLimit: 30,
      allowLeaks: ['outcome_flag'],
      search: { ...quick, learners: [...quick.learners] },
      onProgress: (e) => progress.push(e.message),
    });
    const used = r.model.schema.map((s) => s.name).sort();
    expect(used).toEqual(['age', 'color', 'outcome_flag', 'score']);
    const skipped = Object.fromEntries(r.data.skipped.map((s) => [s.name, s.reason]));
    expect(skipped.patient).toMatch(/looks like an identifier: 400 distinct values in 400 distinct rows/);
    expect(skipped.site).toMatch(/^constant: one value \(same\)/);
    expect(skipped.outcome_flag).toMatch(/allowed leak/);
    expect(progress.join('\n')).toMatch(/left out "patient"/);
    const report = JSON.parse(readFileSync(r.files.reportJson, 'utf8'));
    expect(report.skippedColumns.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['patient', 'site']));
    expect(readFileSync(r.files.reportHtml, 'utf8')).toMatch(/<code>patient<\/code> \(looks like an identifier/);
  }, 120_000);
});
