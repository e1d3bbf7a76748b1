/**
 * The quick model beside the majority-class baseline: the report carries both sets of metrics
 * on the same validation rows, and says so in the HTML and the pipeline's figures when the
 * quick model does no better.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { noBetterThanBaseline } from '../../src/profile/model/quickModel.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { reportSchema } from '../../src/profile/reportSchema.js';
import { summarizeReport } from '../../src/pipeline/activities/reportActivity.js';
import { renderReportHtml } from '../../src/profile/html/renderReportHtml.js';
import { rng, tempDir, writeCsv } from './helpers.js';

let engine: Engine;
const dir = tempDir();
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

/** 600 rows, 70% "no": `signal` decides the class from x (with 5% noise), otherwise the class ignores every feature. */
function rows(signal: boolean, seed: number): unknown[][] {
  const r = rng(seed);
  return Array.from({ length: 600 }, () => {
    const x = r() * 10;
    const y = r() * 10;
    const z = signal ? x > 7 !== r() < 0.05 : r() < 0.3;
    return [x.toFixed(3), y.toFixed(3), ['a', 'b', 'c'][Math.floor(r() * 3)], z ? 'yes' : 'no'];
  });
}

describe('quick model beside the majority baseline', () => {
  it('names the metrics on which a model is no better, ties included', () => {
    expect(noBetterThanBaseline({ logLoss: 2.5, balancedAccuracy: 0.6 }, { logLoss: 0.92, balancedAccuracy: 0.5 })).toEqual(['logLoss']);
    expect(noBetterThanBaseline({ logLoss: 0.4, balancedAccuracy: 0.5 }, { logLoss: 0.92, balancedAccuracy: 0.5 })).toEqual(['balancedAccuracy']);
    expect(noBetterThanBaseline({ logLoss: 0.4, balancedAccuracy: 0.8 }, { logLoss: 0.92, balancedAccuracy: 0.5 })).toEqual([]);
    expect(noBetterThanBaseline({ rmse: 3 }, { rmse: 2 })).toEqual(['rmse']);
    expect(noBetterThanBaseline({ logLoss: null }, { logLoss: 0.9 })).toEqual([]);
  });

  it('a target the features do not explain: the baseline beside the metrics, and the report says the model does no better', async () => {
    await readTable(engine, writeCsv(dir, 'noise.csv', ['x', 'y', 'c', 'label'], rows(false, 7)), { name: 'noise' });
    const report = await profileTable(engine, 'noise', { target: 'label' });
    reportSchema.parse(report);
    const q = report.quickModel!;
    const base = q.baseline!.metrics;
    // The majority baseline: accuracy is the majority share of the validation rows, balanced accuracy one half.
    expect(base.balancedAccuracy).toBe(0.5);
    expect(base.accuracy).toBeGreaterThan(0.6);
    expect(base.accuracy).toBeLessThan(0.8);
    expect(q.metrics.logLoss!).toBeGreaterThan(base.logLoss!);
    expect(q.noBetterThanBaseline).toContain('logLoss');
    const html = renderReportHtml(report);
    expect(html).toContain('majority baseline');
    expect(html).toContain('id="quick-model-no-better"');
    expect(html).toMatch(/does no better than the majority-class baseline on logLoss \([\d.]+ vs [\d.]+\)/);
    const figure = String(Object.entries(summarizeReport(report).figures).find(([k]) => k.startsWith('quick model'))![1]);
    expect(figure).toMatch(/^[\d.]+ \(majority baseline [\d.]+; no better than the baseline on .*logLoss/);
  }, 120_000);

  it('a target the features explain: the baseline is shown and no caveat', async () => {
    await readTable(engine, writeCsv(dir, 'signal.csv', ['x', 'y', 'c', 'label'], rows(true, 8)), { name: 'signal' });
    const report = await profileTable(engine, 'signal', { target: 'label' });
    const q = report.quickModel!;
    expect(q.noBetterThanBaseline).toEqual([]);
    expect(q.metrics.balancedAccuracy!).toBeGreaterThan(0.85);
    expect(q.baseline!.metrics.balancedAccuracy).toBe(0.5);
    const html = renderReportHtml(report);
    expect(html).toContain('majority baseline');
    expect(html).not.toContain('quick-model-no-better');
    const figure = String(Object.entries(summarizeReport(report).figures).find(([k]) => k.startsWith('quick model'))![1]);
    expect(figure).toMatch(/^[\d.]+ \(majority baseline [\d.]+\)$/);
  }, 120_000);
});
