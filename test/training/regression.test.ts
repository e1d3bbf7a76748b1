import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { predictFile, predictionsCsv } from '../../src/training/predictFile.js';
import { trainModel } from '../../src/training/trainModel.js';
import { rng, tempDir, writeCsv } from './fixtures.js';

const dir = tempDir();

describe('training in-process', () => {
  it('regression: detected from the target, selected by mse, predictions in a "prediction" column', async () => {
    const r = rng(5);
    const rows = Array.from({ length: 300 }, () => {
      const x = r() * 10;
      const g = r() < 0.5 ? 'a' : 'b';
      return [x, g, 3 * x + (g === 'a' ? 5 : -5) + (r() - 0.5)];
    });
    const data = writeCsv(dir, 'reg.csv', ['x', 'g', 'y'], rows);
    const out = join(dir, 'reg');
    const res = await trainModel(data, { target: 'y', outDir: out, timeLimit: 10, search: { maxCandidates: 3, ensemble: false, workers: 0 } });
    expect(res.leaderboard.problemType).toBe('regression');
    expect(res.leaderboard.metric).toBe('mse');
    expect(res.best.learner).not.toBe('baseline');
    expect(res.best.holdout!.r2).toBeGreaterThan(0.9);
    expect(res.manifest.classLabels).toEqual([]);
    const p = await predictFile(out, data);
    expect(p.columns).toEqual(['prediction']);
    const lines = predictionsCsv(p).trim().split('\n');
    expect(Math.abs(Number(lines[1]) - (rows[0]![2] as number))).toBeLessThan(3);
    const html = readFileSync(join(out, 'model-report.html'), 'utf8');
    expect(html).toContain('id="residuals"');
    expect(html).not.toContain('id="calibration"');
  }, 60_000);

  it('escapes class labels and column names from the data in the report', async () => {
    const evil = '<script>window.__pwned=1</script>';
    const r = rng(9);
    const rows = Array.from({ length: 200 }, () => {
      const x = r();
      // 15% of labels flipped: a predictive feature, not a leak (train refuses a leak, issue 14)
      return [x, r(), x > 0.5 !== r() < 0.15 ? evil : 'plain & "quoted"'];
    });
    const data = writeCsv(dir, 'evil.csv', ['<img src=x onerror=alert(1)>', 'noise', 'label'], rows);
    const out = join(dir, 'evil');
    await trainModel(data, { target: 'label', outDir: out, timeLimit: 10, search: { maxCandidates: 2, ensemble: false, workers: 0 } });
    const html = readFileSync(join(out, 'model-report.html'), 'utf8');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const manifest = JSON.parse(readFileSync(join(out, 'model', 'SLUICE_MODEL.json'), 'utf8'));
    expect(manifest.classLabels).toEqual([evil, 'plain & "quoted"'].sort());
  }, 60_000);
});
