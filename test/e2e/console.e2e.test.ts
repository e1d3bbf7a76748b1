/**
 * The whole story in a real browser: `sluice serve` runs as a child process on 127.0.0.1, a file
 * is dropped into the inbox, an approver signs in with headless Chromium (Debian's, driven by
 * playwright-core), reads the findings and the report, approves with a comment, and sees the
 * execution finish and the model become champion; the endpoint then answers. A second (drifted)
 * file is rejected; a viewer sees no decision form and their POST is refused. Screenshots are
 * saved to test-artifacts/e2e/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/freePort.js';
import { hashPassword } from '../../src/server/auth/password.js';
import { DIABETES, tempDir } from '../support/data.js';
import { FAST } from '../support/fastScrypt.js';
import { SLUICE_BIN } from '../support/sluiceBin.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'test-artifacts', 'e2e');
const EXAMPLES = join(ROOT, 'examples', 'diabetes');

let server: ChildProcess;
let serverLog = '';
let browser: Browser;
let base: string;
let dir: string;

/** Copies a file into the inbox the way a careful producer does: written aside, renamed into place. */
function drop(src: string, name: string, lines?: number): void {
  const text = readFileSync(src, 'utf8');
  const content = lines
    ? text
        .split('\n')
        .slice(0, lines + 1)
        .join('\n') + '\n'
    : text;
  const aside = join(dir, `.${name}.partial`);
  writeFileSync(aside, content);
  renameSync(aside, join(dir, 'inbox', name));
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init?.headers ?? {}) } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
let token = '';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- server log (tail) ---\n${serverLog.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

type Exec = { id: string; status: string; outcome: string | null; file: string | null };
async function executionOf(file: string, status?: string): Promise<Exec | undefined> {
  const { executions } = await api<{ executions: Exec[] }>('/api/executions?limit=50');
  return executions.find((e) => (e.file ?? '').endsWith(file) && (!status || e.status === status));
}

async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#name', name);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
}

/** A full-page screenshot (the test artifact) and one of the first screen (for the user guide: `npm run docs:screenshots`). */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  await page.screenshot({ path: join(SHOTS, 'screen', `${name}.png`) });
}

beforeAll(async () => {
  mkdirSync(join(SHOTS, 'screen'), { recursive: true });
  dir = tempDir('sluice-e2e-');
  mkdirSync(join(dir, 'flows'));
  mkdirSync(join(dir, 'inbox'));
  copyFileSync(join(EXAMPLES, 'diabetes.flow.yaml'), join(dir, 'flows', 'diabetes.flow.yaml'));
  writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - missing_share < 0.2\n  - rows >= 1000\n');
  const port = await freePort('127.0.0.1', 0);
  base = `http://127.0.0.1:${port}`;
  const [ana, vic, root] = await Promise.all(['ana-secret-1', 'vic-secret-1', 'root-secret-1'].map((p) => hashPassword(p, FAST)));
  writeFileSync(
    join(dir, 'sluice.yaml'),
    `name: readmissions
inbox: inbox
stabilityMs: 300
flow: flows/diabetes.flow.yaml
target: readmitted
gates: gates.yaml
featureGroup: { name: encounters, recordIdentifier: record_id, eventTime: event_time }
model: { name: readmission, timeLimit: 15, learners: [gbdt, logistic], maxCandidates: 2, ensemble: false }
server: { host: 127.0.0.1, port: ${port}, publicUrl: "${base}" }
approvers:
  - { name: ana, email: ana@example.com, role: approver, passwordHash: "${ana}" }
  - { name: vic, role: viewer, passwordHash: "${vic}" }
  - { name: root, role: admin, passwordHash: "${root}" }
`,
  );
  // An API token for the test's own reads (the CLI prints it once).
  const created = spawn(process.execPath, [SLUICE_BIN, 'tokens', 'create', '--user', 'root', '--name', 'e2e', '--project', dir], { cwd: dir });
  let out = '';
  let err = '';
  created.stdout.on('data', (d) => (out += String(d)));
  created.stderr.on('data', (d) => (err += String(d)));
  await new Promise((r) => created.once('exit', r));
  token = out.trim();
  expect(token, err).toMatch(/^\S{20,}$/);

  server = spawn(process.execPath, [SLUICE_BIN, 'serve', '--project', dir], { cwd: dir, env: { ...process.env, SLUICE_LOG: 'info' } });
  server.stdout!.on('data', (d) => (serverLog += String(d)));
  server.stderr!.on('data', (d) => (serverLog += String(d)));
  await until('the server', async () => ((await fetch(`${base}/api/health`)).ok ? true : undefined), 60_000);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
});

describe('console in a real browser (sluice serve + headless Chromium)', () => {
  it('an approver reads the findings, approves with a comment, and the model becomes champion; the endpoint answers', async () => {
    drop(DIABETES, 'batch-1.csv', 4000);
    const waiting = await until('execution 1 waiting for approval', () => executionOf('batch-1.csv', 'waiting'));

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, 'ana', 'ana-secret-1');
    await expect.poll(() => page.locator(`a[href="/executions/${waiting.id}"]`).count()).toBeGreaterThan(0);
    await shot(page, '01-inbox');

    await page.click(`a[href="/executions/${waiting.id}"]`);
    await page.waitForURL(`${base}/executions/${waiting.id}`);
    expect(await page.locator('svg.pipeline g.state[data-state="approval"].current').count()).toBe(1);
    expect(await page.locator('iframe.report').count()).toBe(1);
    const body = await page.textContent('main');
    expect(body).toContain('missing_share < 0.2');
    // The embedded report really renders (same origin, sandboxed).
    const frame = page.frameLocator('iframe.report');
    await expect.poll(async () => (await frame.locator('body').textContent()) ?? '', { timeout: 30_000 }).toMatch(/rows/i);
    await shot(page, '02-execution-waiting');
    await page.locator('iframe.report').scrollIntoViewIfNeeded();
    await page.locator('iframe.report').screenshot({ path: join(SHOTS, 'screen', '02b-embedded-report.png') });

    await page.fill('#comment', 'Gates pass; drift is fine.');
    await Promise.all([page.waitForURL(/decided=approved/), page.click('button[name=decision][value=approve]')]);
    expect(await page.textContent('main')).toContain('You approved this batch.');
    await shot(page, '03-approved');

    const done = await until('execution 1 to finish', async () => {
      const e = await executionOf('batch-1.csv');
      return e && (e.status === 'succeeded' || e.status === 'failed') ? e : undefined;
    });
    expect(done.status, serverLog.slice(-3000)).toBe('succeeded');
    expect(done.outcome).toBe('deployed');
    await page.reload();
    expect(await page.locator('svg.pipeline g.state[data-state="deployed"].done').count()).toBe(1);
    await shot(page, '04-execution-finished');
    await page.locator('svg.pipeline').screenshot({ path: join(SHOTS, 'screen', '04b-pipeline-finished.png') });

    await page.goto(`${base}/models/readmission`);
    const models = (await page.textContent('main')) ?? '';
    expect(models).toMatch(/champion/i);
    await shot(page, '05-model');

    // The endpoint follows the champion within a second or two, then answers.
    const record = readFileSync(DIABETES, 'utf8').split('\n').slice(0, 2).join('\n') + '\n';
    const prediction = await until(
      'a prediction',
      async () => {
        const res = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'application/json' }, body: record });
        return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
      },
      30_000,
    );
    expect(JSON.stringify(prediction)).toMatch(/predicted_label|prediction/);
    await page.goto(`${base}/endpoint`);
    expect(await page.textContent('main')).toMatch(/readmission/);
    await shot(page, '06-endpoint');
    await ctx.close();
  }, 400_000);

  it('a viewer cannot decide (no form, POST refused); the approver rejects the drifted batch with a reason', async () => {
    drop(join(EXAMPLES, 'diabetic-readmission-drift.csv'), 'batch-2-drift.csv');
    const waiting = await until('execution 2 waiting', () => executionOf('batch-2-drift.csv', 'waiting'));

    const viewer = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const vpage = await viewer.newPage();
    await signIn(vpage, 'vic', 'vic-secret-1');
    await vpage.goto(`${base}/executions/${waiting.id}`);
    expect(await vpage.locator(`form[action="/executions/${waiting.id}/decide"]`).count()).toBe(0);
    expect(await vpage.locator('button[name=decision]').count()).toBe(0);
    await shot(vpage, '07-viewer-phone');
    const forged = await vpage.request.post(`${base}/executions/${waiting.id}/decide`, { form: { decision: 'approve', comment: 'viewer', csrf: 'x' } });
    expect(forged.status()).toBe(403);
    expect((await executionOf('batch-2-drift.csv'))?.status).toBe('waiting');
    await viewer.close();

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, 'ana', 'ana-secret-1');
    await page.goto(`${base}/executions/${waiting.id}`);
    const main = (await page.textContent('main')) ?? '';
    expect(main).toMatch(/drift/i);
    // Say it straight: the verdict line carries the high warnings, never a bare "pass".
    expect(main).toMatch(/Verdict: gates (pass|FAIL)[^\n]* · \d+ high warnings?: [^\n]*drift in/);
    // The champion (batch 1's model) measured on this batch, next to its registered figure.
    expect(main).toMatch(/champion v\d+ \w+ on this batch\s*[\d.]+ \(registered [\d.]+\)/);
    // Drift pictures, above the decision form, no scripts.
    const pictures = page.locator('.drift-pictures svg.drift-picture');
    expect(await pictures.count()).toBeGreaterThan(0);
    const pictureTop = (await page.locator('.drift-pictures').first().boundingBox())!.y;
    const formTop = (await page.locator('#decide').boundingBox())!.y;
    expect(pictureTop).toBeLessThan(formTop);
    expect(await page.locator('main script').count()).toBe(0);
    await shot(page, '08-drift-waiting');
    await page.locator('.drift-pictures').first().scrollIntoViewIfNeeded();
    await page
      .locator('.drift-pictures')
      .first()
      .screenshot({ path: join(SHOTS, 'screen', '08b-drift-pictures.png') });
    // The embedded report.html has the same pictures.
    await expect.poll(async () => page.frameLocator('iframe.report').locator('#drift svg.drift-picture').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // Reject without a reason: refused, still waiting.
    await page.click('button[name=decision][value=reject]');
    expect((await executionOf('batch-2-drift.csv'))?.status).toBe('waiting');
    await page.goto(`${base}/executions/${waiting.id}`);
    await page.fill('#reason', 'Age distribution drifted; needs review by the data owner.');
    await Promise.all([page.waitForURL(/decided=rejected/), page.click('button[name=decision][value=reject]')]);
    const ended = await until('execution 2 to end', async () => {
      const e = await executionOf('batch-2-drift.csv');
      return e && e.status === 'succeeded' ? e : undefined;
    });
    expect(ended.outcome).toBe('rejected');
    await page.goto(`${base}/audit`);
    const audit = (await page.textContent('main')) ?? '';
    expect(audit).toMatch(/approval\.approve/);
    expect(audit).toMatch(/approval\.reject/);
    await shot(page, '09-audit');
    await ctx.close();
  }, 400_000);
});
