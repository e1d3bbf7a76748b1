import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { parseGatesFile } from '../../src/profile/gates.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { writeReport } from '../../src/profile/writeReport.js';
import { DIABETES, tempDir, writeCsv } from './helpers.js';

const ARTIFACTS = 'test-artifacts';
let engine: Engine;
let browser: Browser;
const dir = tempDir();

beforeAll(async () => {
  engine = await Engine.open();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  engine.close();
});

/** Opens a report in Chromium, recording every request other than the page itself. */
async function open(path: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const url = `file://${path}`;
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, errors };
}

describe('report.html', () => {
  it('renders the diabetes report in Chromium: sections in order, charts, no network request, under 2 MB', async () => {
    await readTable(engine, DIABETES, { name: 'diabetes' });
    await engine.exec('CREATE OR REPLACE TABLE base AS SELECT * FROM diabetes WHERE number_inpatient = 0');
    const gates = parseGatesFile('- missing_share < 0.05\n- no high warnings\n- drift.psi < 0.2\n');
    const report = await profileTable(engine, 'diabetes', {
      target: 'readmitted',
      baseline: 'base',
      gates,
      bias: { facet: 'gender', facetValue: 'female', labelValue: '<30' },
      sourceName: 'diabetic-readmission.csv',
    });
    const out = join(dir, 'diabetes');
    const files = await writeReport(report, out);
    expect(statSync(files.html).size).toBeLessThan(2 * 1024 * 1024);
    expect(JSON.parse(readFileSync(files.json, 'utf8')).schemaVersion).toBe(report.schemaVersion);

    const { page, requests, errors } = await open(files.html);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    const ids = await page.$$eval('main > section', (s) => s.map((x) => x.id));
    expect(ids).toEqual([
      'verdict',
      'high-warnings',
      'summary',
      'target',
      'quick-model',
      'features',
      'feature-details',
      'correlations',
      'bias',
      'drift',
      'anomalies',
      'duplicates',
      'definitions',
    ]);
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text), not the DOM property
    expect(await page.locator('#verdict .big').innerText()).toMatch(/^gates FAIL \(2 of 3\) · \d+ high warnings?: /);
    expect(await page.locator('#verdict tbody tr').count()).toBe(3);
    expect(await page.locator('#features tbody tr').count()).toBe(16);
    expect(await page.locator('#correlations svg rect').count()).toBeGreaterThan(2 * 11 * 11);
    const histogramBars = await page.locator('#feature-details details').nth(3).locator('svg').first().locator('rect').count();
    expect(histogramBars).toBe(20);
    // The charts have a real size on screen (they rendered, not just parsed).
    const box = await page.locator('#target svg').boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    await page.screenshot({ path: join(ARTIFACTS, 'report-diabetes.png'), fullPage: false });
    await page.screenshot({ path: join(ARTIFACTS, 'report-diabetes-full.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('shows values and column names containing HTML or script as text', async () => {
    const evil = '<script>window.__pwned=1</script>';
    const img = '<img src=x onerror="window.__pwned=2">';
    const rows: unknown[][] = [];
    for (let i = 0; i < 40; i++) rows.push([i % 3 === 0 ? evil : i % 3 === 1 ? img : 'plain & "quoted"', i, i % 2 === 0 ? 'a' : `</td></tr><b>${i}`]);
    const p = writeCsv(dir, 'evil.csv', [evil, 'n', img], rows);
    await readTable(engine, p, { name: 'evil' });
    const report = await profileTable(engine, 'evil', { target: evil, sourceName: '<b>evil</b>.csv' });
    const files = await writeReport(report, join(dir, 'evil'));
    const text = readFileSync(files.html, 'utf8');
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/<img/i);
    expect(text).not.toContain('<b>evil');
    expect(text).not.toContain('</td></tr><b>');
    expect(text).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');

    const { page, requests, errors } = await open(files.html);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text), not the DOM property
    expect(await page.locator('#features tbody').innerText()).toContain(evil);
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text), not the DOM property
    expect(await page.locator('header h1').innerText()).toContain('<b>evil</b>.csv');
    await page.screenshot({ path: join(ARTIFACTS, 'report-escaping.png') });
    await page.close();
  }, 60_000);
});
