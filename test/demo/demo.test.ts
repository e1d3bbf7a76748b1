import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ExecutionStore } from '../../src/pipeline/store/ExecutionStore.js';
import { openProjectDb } from '../../src/state/openProjectDb.js';
import { tempDir } from '../support/data.js';
import { sluiceArgs } from '../support/sluiceBin.js';

/**
 * The real `sluice` command (bin/sluice.js, compiled by the test setup) in a child process. Its
 * AutoML search is 8 s a batch instead of the demo's 20 (--time-limit): the test checks that a
 * model is trained, served and compared, not how good a longer search makes it.
 */
function startDemo(args: string[]): {
  child: ChildProcess;
  output: () => string;
  waitFor: (re: RegExp, ms: number) => Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, sluiceArgs(['demo', '--time-limit', '8', ...args]), {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = async (re: RegExp, ms: number) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = out.match(re);
      if (m) return m;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${re} in the demo's output (exit ${child.exitCode}):\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, output: () => out, waitFor, exited };
}

function executions(dir: string) {
  const db = openProjectDb(join(dir, '.sluice', 'sluice.db'));
  const store = new ExecutionStore(db);
  const list = store
    .list({ limit: 10 })
    .reverse()
    .map((r) => ({ record: r, events: store.events(r.id) }));
  db.close();
  return list;
}

describe('sluice demo', () => {
  it('--auto-approve: approves the clean batch, trains and serves a model, predicts, then rejects the drifted batch quoting the failed gates', async () => {
    const dir = join(tempDir('sluice-demo-e2e-'), 'demo');
    const demo = startDemo(['--auto-approve', '--dir', dir, '--port', '0']);
    const code = await Promise.race([demo.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 280_000))]);
    if (code === 'timeout') demo.child.kill('SIGKILL');
    const out = demo.output();
    expect(code, out).toBe(0);

    const url = out.match(/(?:Console|Sign in): +(http:\/\/127\.0\.0\.1:(\d+))\//);
    expect(url, out).not.toBeNull();
    expect(out).toMatch(/Log in as: demo \/ [a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}/);
    expect(out).toContain('▶ run_flow');
    expect(out).toContain('gates pass (6/6 pass)');
    expect(out).toContain('✓ approval: approved by demo --auto-approve');
    expect(out).toContain('✓ train');
    expect(out).toMatch(/■ finished: (deployed|champion kept)/);
    expect(out).toMatch(/Sample prediction: POST http:\/\/127\.0\.0\.1:\d+\/invocations/);
    expect(out).toMatch(/→ predicted_label "[01]", probabilities 0: 0\.\d{3}, 1: 0\.\d{3}/);
    expect(out).toContain('drift DETECTED against the last approved batch');
    expect(out).toMatch(/⚠ drift: .*"age" drifted from the baseline \(PSI/);
    expect(out).not.toMatch(/⚠ drift: .*"(event_time|record_id)"/);
    expect(out).toContain('✗ gate failed: columns.age.mean < 70');
    expect(out).toMatch(
      /✗ approval: rejected by demo --auto-approve — reason: "quality gates failed: columns\.age\.mean < 70 \(value 79\.\d+\); columns\.num_lab_procedures\.mean < 50 .*columns\.number_diagnoses\.mean < 8\.5 .*; the batch drifted from the last approved one"/,
    );
    expect(out).toContain('■ finished: rejected');

    // The execution store holds what the output told.
    const [clean, drift] = executions(dir);
    expect(clean!.record).toMatchObject({ status: 'succeeded' });
    const entered = (e: typeof clean) => e!.events.filter((x) => x.type === 'StateEntered').map((x) => x.step!.split('/').pop());
    expect(entered(clean)).toEqual(
      expect.arrayContaining(['run_flow', 'report', 'notify', 'approval', 'decision', 'build', 'ingest_features', 'train', 'register_model', 'better']),
    );
    expect(clean!.events.find((e) => e.type === 'ApprovalDecided')?.data).toMatchObject({ decision: 'approved', by: 'demo --auto-approve' });
    // Every row of the batch is in the feature group (issue 12): unique record ids, nothing dropped.
    const output = (e: typeof clean, step: string) =>
      e!.events.find((x) => x.type === 'ActivitySucceeded' && x.step?.split('/').pop() === step)?.data.output as Record<string, unknown>;
    expect(output(clean, 'run_flow')).toMatchObject({ rowsIn: 69_570, rows: 69_570, dropped: [] });
    expect(output(clean, 'ingest_features')).toMatchObject({ rows: 69_570, duplicatesDropped: 0 });
    expect(out).toContain('69,570 records into feature group');
    // The feature group itself holds every row of the batch, each with its own record id.
    const stored = spawnSync(
      process.execPath,
      sluiceArgs(['features', 'query', 'SELECT count(*)::INTEGER AS n, count(DISTINCT record_id)::INTEGER AS ids FROM encounters', '--json', '--project', dir]),
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(JSON.parse(stored.stdout), stored.stderr).toEqual([{ n: 69_570, ids: 69_570 }]);
    expect(drift!.record).toMatchObject({ status: 'succeeded', outcome: 'rejected' });
    expect(drift!.events.find((e) => e.type === 'ApprovalDecided')?.data).toMatchObject({
      decision: 'rejected',
      by: 'demo --auto-approve',
      reason: expect.stringContaining('quality gates failed'),
    });
    expect(entered(drift)).not.toContain('train');
    // Closed on exit: nothing listens on the port any more.
    await expect(fetch(`${url![1]}/api/health`)).rejects.toThrow();

    // Run again in the same folder: reused, with a new password; the inbox knows the file, the demo
    // processes it again on purpose, and the new model is compared with the champion.
    const again = startDemo(['--auto-approve', '--no-drift', '--dir', dir, '--port', '0']);
    const code2 = await Promise.race([again.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 200_000))]);
    if (code2 === 'timeout') again.child.kill('SIGKILL');
    const out2 = again.output();
    expect(code2, out2).toBe(0);
    expect(out2).toContain('Reusing the demo project in');
    // duplicates: process in the demo's sluice.yaml: the same file is processed again, not skipped.
    expect(out2).toMatch(/dropped data\/diabetic-readmission\.csv into inbox\/: execution ex-/);
    expect(out2).not.toMatch(/skipped/);
    expect(out2).toContain('drift none against the last approved batch');
    expect(out2).toMatch(/vs champion v1/);
    expect(out2).toMatch(/■ finished: (deployed|champion kept)/);
    expect(out2).toMatch(/→ predicted_label "[01]"/);
    expect(out2).not.toContain('2. A drifted batch');
    expect(out2.match(/Log in as: demo \/ (\S+)/)?.[1]).not.toBe(out.match(/Log in as: demo \/ (\S+)/)?.[1]);
  }, 500_000);

  it('a person approves in Chromium through the printed link; the run finishes, the model answers, the server stays up until Ctrl-C', async () => {
    const dir = join(tempDir('sluice-demo-e2e-'), 'demo');
    const demo = startDemo(['--dir', dir, '--port', '0', '--no-drift']);
    const [, link] = await demo.waitFor(/Your decision, in the browser: (http:\S+\/approve\/\S+)/, 120_000);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(link!);
      await expect(page.locator('h1').textContent()).resolves.toContain('diabetic-readmission.csv');
      await page.fill('#comment', 'looks right to me');
      await page.click('button[value=approve]');
      await expect(page.locator('h1').textContent()).resolves.toBe('Approved');
      // The printed login works: sign in, read the report, and the API description.
      const [, password] = demo.output().match(/Log in as: demo \/ (\S+)/)!;
      const [, report] = demo.output().match(/report: (http:\S+\/report\.html)/)!;
      await page.goto(new URL(`/login?next=${encodeURIComponent(new URL(report!).pathname)}`, link!).href);
      await page.fill('#name', 'demo');
      await page.fill('#password', password!);
      await page.click('button[type=submit]');
      await page.waitForURL(report!);
      await expect(page.content()).resolves.toContain('readmitted');
      const api = JSON.parse(await (await page.goto(new URL('/api/openapi.json', link!).href))!.text()) as { openapi: string; paths: Record<string, unknown> };
      expect(api.openapi).toBe('3.1.0');
      expect(Object.keys(api.paths)).toEqual(expect.arrayContaining(['/api/executions', '/invocations', '/approve/{token}', '/login']));
    } finally {
      await browser.close();
    }
    await demo.waitFor(/✓ approval: approved by demo — "looks right to me"/, 10_000);
    await demo.waitFor(/■ finished: deployed/, 200_000);
    await demo.waitFor(/→ predicted_label "[01]"/, 60_000);
    await demo.waitFor(/The server keeps running at http:\S+ \(log in as demo \/ \S+\); Ctrl-C to stop\./, 10_000);
    demo.child.kill('SIGINT');
    const code = await Promise.race([demo.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    expect(code, demo.output()).toBe(130);
    const [ex] = executions(dir);
    expect(ex!.events.find((e) => e.type === 'ApprovalDecided')?.data).toMatchObject({
      decision: 'approved',
      by: 'demo',
      via: 'token',
      comment: 'looks right to me',
    });
  }, 300_000);

  it('stops cleanly on Ctrl-C while waiting for the decision; the execution keeps waiting', async () => {
    const dir = join(tempDir('sluice-demo-e2e-'), 'demo');
    const demo = startDemo(['--dir', dir, '--port', '0', '--no-drift']);
    const [, link] = await demo.waitFor(/Your decision, in the browser: (http:\S+\/approve\/\S+)/, 120_000);
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Approve');
    expect(html).toContain('diabetic-readmission.csv');
    demo.child.kill('SIGINT');
    const code = await Promise.race([demo.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    expect(code, demo.output()).toBe(130);
    expect(demo.output()).toContain('Stopped. The project stays in');
    expect(demo.output()).not.toMatch(/\n\s+at .*:\d+:\d+/);
    await expect(fetch(link!)).rejects.toThrow();
    // Durable: the execution still waits for its decision, for the next `sluice demo` or `sluice serve`.
    const [ex] = executions(dir);
    expect(ex!.record.status).toBe('waiting');
    expect(ex!.record.current.join()).toContain('approval');
  }, 180_000);
});
