import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFittedFlow } from '../../src/flow/fittedFlow.js';
import { loadModel } from '../../src/ml/loadModel.js';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { loadArtifact } from '../../src/artifact/loadArtifact.js';
import { predictFile, predictionsCsv } from '../../src/training/predictFile.js';
import { trainModel, type TrainResult } from '../../src/training/trainModel.js';
import { DIABETES, tempDir } from './fixtures.js';
import { sluiceAsync } from './sluiceAsync.js';

const ARTIFACTS = 'test-artifacts';
const dir = tempDir();
const out = join(dir, 'out');
let result: TrainResult;
let browser: Browser;

beforeAll(async () => {
  // Short on purpose: a validation split instead of 5 folds and three candidates (baseline,
  // boosted trees, logistic regression), so the file runs well within a minute on 2 busy cores.
  // The search ends at the candidate cap, not the time limit. The limit is far above what the
  // three candidates take, so the refit always has room for every training row: with 45 s, on a
  // machine at load 20 the candidates used most of the budget and the refit (rightly) fell back
  // to a sample, which made the row counts below depend on the machine.
  const launching = chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  result = await trainModel(DIABETES, {
    target: 'readmitted',
    outDir: out,
    timeLimit: 600,
    seed: 0,
    search: { maxCandidates: 3, largeDataRows: 20_000, ensemble: false },
  });
  browser = await launching;
  mkdirSync(ARTIFACTS, { recursive: true });
}, 600_000);
afterAll(async () => {
  await browser?.close();
});

describe('training on the seed data (readmitted, 3 classes)', () => {
  it('keeps the baseline on the leaderboard and a learner beats it on holdout log loss', () => {
    const lb = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8'));
    expect(lb).toMatchObject({ status: 'ok', target: 'readmitted', problemType: 'multiclass', metric: 'accuracy', trainRows: 55_656, holdoutRows: 13_914 });
    const ok = lb.entries.filter((e: { status: string }) => e.status === 'ok');
    const baseline = ok.find((e: { learner: string }) => e.learner === 'baseline');
    expect(baseline.holdout.log_loss).toBeCloseTo(0.885, 2);
    const better = ok.filter(
      (e: { learner: string; holdout: { log_loss: number } }) => e.learner !== 'baseline' && e.holdout.log_loss < baseline.holdout.log_loss,
    );
    expect(better.length).toBeGreaterThan(0);
    expect(lb.entries.filter((e: { best: boolean }) => e.best)).toHaveLength(1);
    for (const e of ok)
      expect(e).toMatchObject({
        params: expect.any(Object),
        cv: { mean: expect.any(Number) },
        fitSeconds: expect.any(Number),
        predictMsPerRow: expect.any(Number),
      });
    // Candidates the time limit or the cap left out say so.
    for (const e of lb.entries.filter((x: { status: string }) => x.status === 'skipped')) expect(e.reason).toMatch(/candidate limit \(3\)|time limit/); // the test caps candidates so the refit has room
  });

  it('writes the manifest: signature, labels, metrics, fingerprint of the training file', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'model', 'SLUICE_MODEL.json'), 'utf8'));
    const sha = createHash('sha256').update(readFileSync(DIABETES)).digest('hex');
    expect(manifest).toMatchObject({
      format: 'sluice.model-manifest',
      formatVersion: 2,
      learner: result.best.learner,
      sluiceVersion: '0.1.0',
      problemType: 'multiclass',
      target: 'readmitted',
      classLabels: ['<30', '>30', 'no'],
      metric: 'accuracy',
      seed: 0,
      timeLimitSeconds: 600,
      holdoutFraction: 0.2,
      trainingData: {
        file: 'diabetic-readmission.csv',
        sha256: sha,
        bytes: statSync(DIABETES).size,
        rows: { file: 69_570, used: 69_570, train: 55_656, holdout: 13_914 },
      },
      artifact: { model: 'model.json', fittedFlow: 'fitted-flow.json' },
    });
    expect(manifest.inputSignature).toHaveLength(15);
    expect(manifest.inputSignature.map((c: { name: string }) => c.name)).not.toContain('readmitted');
    expect(manifest.inputSignature).toContainEqual({ name: 'race', type: 'string' });
    expect(manifest.metrics.holdout.log_loss).toBe(result.best.holdout!.log_loss);
    expect(result.manifest).toEqual(manifest);
    // The servable folder is exactly what the registry loads: the model JSON and the fitted flow.
    const model = loadModel(readFileSync(join(out, 'model/model.json'), 'utf8'));
    expect(model.labels).toEqual(['<30', '>30', 'no']);
    expect(parseFittedFlow(readFileSync(join(out, 'model/fitted-flow.json'), 'utf8')).steps).toEqual([]);
  });

  it('the saved artifact predicts what the trained model predicts in-process, deterministically', async () => {
    const csv = join(dir, 'pred.csv');
    const [cli, again] = await Promise.all([
      sluiceAsync(['predict', out, DIABETES, '--out', csv]),
      predictFile(await loadArtifact(join(out, 'model')), DIABETES),
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const text = readFileSync(csv, 'utf8');
    expect(predictionsCsv(again)).toBe(text);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('predicted_label,probability_<30,probability_>30,probability_no');
    expect(lines).toHaveLength(69_571);
    // The in-memory model on the training frame (same rows, same order).
    const proba = result.model.output(result.data.frame);
    for (const i of [0, 1, 2, 777, 31_000, 69_569]) {
      const cells = lines[i + 1]!.split(',');
      for (let j = 0; j < 3; j++) expect(Number(cells[j + 1])).toBe(proba[i * 3 + j]);
      const best = [0, 1, 2].reduce((a, b) => (proba[i * 3 + b]! > proba[i * 3 + a]! ? b : a), 0);
      expect(cells[0]).toBe(['<30', '>30', 'no'][best]);
    }
  }, 90_000);

  it('the endpoint loads the artifact folder as written and serves the same probabilities', async () => {
    const manifest = JSON.parse(readFileSync(join(out, 'model', 'SLUICE_MODEL.json'), 'utf8'));
    const types = new Map<string, string>(manifest.inputSignature.map((c: { name: string; type: string }) => [c.name, c.type]));
    const [head, ...lines] = readFileSync(DIABETES, 'utf8').split('\n').slice(0, 301);
    const names = head!.split(',');
    const records = lines.map((l) =>
      Object.fromEntries(
        l
          .split(',')
          .map((v, j) => [names[j]!, types.get(names[j]!) === 'string' ? v : Number(v)])
          .filter(([k]) => k !== 'readmitted'),
      ),
    );
    const predictor = await loadFlowModelPredictor(join(out, 'model'), 'readmission', '1');
    const served = await predictor.predict(records);
    const proba = result.model.output(result.data.frame);
    served.forEach((r, i) => {
      const probs = (r as { probabilities: number[] }).probabilities;
      for (let j = 0; j < 3; j++) expect(probs[j]).toBeCloseTo(proba[i * 3 + j]!, 12);
    });
  });

  it('renders the model report in Chromium: every section, curves, no request, pleasant', async () => {
    const report = JSON.parse(readFileSync(join(out, 'model-report.json'), 'utf8'));
    expect(report.confusionMatrix.counts.flat().reduce((a: number, b: number) => a + b, 0)).toBe(13_914);
    expect(report.perClass.map((c: { label: string }) => c.label)).toEqual(['<30', '>30', 'no']);
    expect(report.roc).toHaveLength(3);
    for (const c of report.roc) expect(c.area).toBeGreaterThan(0.55);
    expect(report.importance.features[0].feature).toBe('number_inpatient');

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = `file://${join(out, 'model-report.html')}`;
    const requests: string[] = [];
    page.on('request', (r) => r.url() !== url && requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url, { waitUntil: 'load' });
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.$$eval('main > section', (s) => s.map((x) => x.id))).toEqual([
      'summary',
      'metrics',
      'classes',
      'curves',
      'calibration',
      'importance',
      'leaderboard',
    ]);
    expect(await page.locator('#classes table.cmt tbody tr').count()).toBe(3);
    expect(await page.locator('#curves svg polyline').count()).toBe(6);
    expect(await page.locator('#importance svg rect').count()).toBe(15);
    expect(await page.locator('#leaderboard tbody tr').count()).toBe(result.leaderboard.entries.length);
    const box = await page.locator('#curves svg').first().boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    await page.screenshot({ path: join(ARTIFACTS, 'model-report-diabetes.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
