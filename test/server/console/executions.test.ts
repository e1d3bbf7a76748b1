import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleProject, csrfOf, get, post, runToWait, writeBatch, type ConsoleProject } from './consoleProject.js';

const HOSTILE_FILE = 'batch-<script>alert(1)<.csv';

let p: ConsoleProject;
let first: string;
let second: string;

/** No page may carry markup from data: no script element, no injected img. */
function expectSafe(body: string): void {
  expect(body).not.toMatch(/<script/i);
  expect(body).not.toContain('<img src=x');
}

beforeAll(async () => {
  p = await consoleProject();
  first = await runToWait(p, writeBatch(p.dir, 'first.csv', 400, 1));
}, 60_000);

afterAll(async () => {
  await p?.close();
});

describe('console: inbox and execution detail', () => {
  it('sends an anonymous browser to the login page', async () => {
    const res = await get(p, '/');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2F');
    const post = await p.app.inject({
      method: 'POST',
      url: '/executions/x/decide',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'decision=approve',
    });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe('/login');
  });

  it('inbox lists the pending approval with file, waiting since, expiry and the verdict of the gates', async () => {
    const res = await get(p, '/', 'ana');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const body = res.body;
    expect(body).toContain(`href="/executions/${first}"`);
    expect(body).toContain('first.csv');
    expect(body).toContain('Expires');
    expect(body).toMatch(/gates: \d passed, \d failed/);
    // frame: skip link, navigation with the current section, the user and the logout form
    expect(body).toContain('href="#main"');
    for (const label of ['Inbox', 'Executions', 'Reports', 'Features', 'Models', 'Endpoint', 'Settings', 'Audit']) expect(body).toContain(`>${label}</a>`);
    expect(body).toContain('<a href="/" aria-current="page">Inbox</a>');
    expect(body).toMatch(/<form method="post" action="\/logout"><input type="hidden" name="csrf" value="[^"]+">/);
    expect(body).toContain('ana <span class="badge">approver</span>');
  });

  it('detail page: gates first, the pipeline as SVG with the current and done states, the report iframe, the timeline', async () => {
    const res = await get(p, `/executions/${first}`, 'ana');
    expect(res.statusCode).toBe(200);
    const b = res.body;
    expect(b.indexOf('<h2>Findings</h2>')).toBeLessThan(b.indexOf('<h2>Pipeline</h2>'));
    expect(b).toContain('columns.age.mean &lt; 60');
    expect(b).toMatch(/<svg class="pipeline"[^>]*role="img"/);
    expect(b).toMatch(/<g class="state current" data-state="ask">/);
    expect(b).toMatch(/<g class="state done" data-state="report">/);
    expect(b).toMatch(/<g class="state pending" data-state="done">/);
    expect(b).toContain('<path d="M');
    expect(b).toContain(`<iframe class="report" src="/executions/${first}/report"`);
    expect(b).toMatch(/<iframe[^>]* sandbox><\/iframe>/);
    for (const t of ['ExecutionStarted', 'ActivitySucceeded', 'ApprovalRequested']) expect(b).toContain(`<td data-label="Event">${t}</td>`);
    expect(b).toContain(`action="/executions/${first}/decide"`);
    expect(b).toContain('<label for="reason">Reason (required to reject)</label>');
    // the embedded report is served for a sandboxed frame of this origin only
    const rep = await get(p, `/executions/${first}/report`, 'vic');
    expect(rep.statusCode).toBe(200);
    expect(rep.headers['content-security-policy']).toContain('sandbox');
    expect(rep.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(rep.body).toContain('<html');
  });

  it('a viewer sees no decision form, and a POST as viewer is refused with no state change', async () => {
    const page = await get(p, `/executions/${first}`, 'vic');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('/decide"');
    expect(page.body).toContain('only approvers and admins decide');
    expect(page.body).not.toContain('>Audit</a>');
    // even with a valid token (from an approver's page) the role decides
    const anaPage = await get(p, `/executions/${first}`, 'ana');
    const csrf = csrfOf(anaPage.body, `/executions/${first}/decide`);
    const before = await p.runtime.store.require(first);
    const res = await post(p, `/executions/${first}/decide`, 'vic', { csrf, decision: 'approve' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('needs the approver role');
    const after = await p.runtime.store.require(first);
    expect(after.lastSeq).toBe(before.lastSeq);
    expect(after.status).toBe('waiting');
  });

  it('refuses a decision without the CSRF token, with one of another session, or with one for another form', async () => {
    const page = await get(p, `/executions/${first}`, 'ana');
    const before = (await p.runtime.store.require(first)).lastSeq;
    const none = await post(p, `/executions/${first}/decide`, 'ana', { decision: 'approve' });
    expect(none.statusCode).toBe(403);
    expect(none.body).toContain('nothing was changed');
    // a token of ana's session is worthless in root's (CSRF tokens are bound to the session)
    const otherSession = await post(p, `/executions/${first}/decide`, 'root', { decision: 'approve', csrf: csrfOf(page.body, `/executions/${first}/decide`) });
    expect(otherSession.statusCode).toBe(403);
    // the logout form's token is ana's, but for another subject
    const other = csrfOf(page.body, '/logout');
    const wrong = await post(p, `/executions/${first}/decide`, 'ana', { decision: 'approve', csrf: other });
    expect(wrong.statusCode).toBe(403);
    expect((await p.runtime.store.require(first)).lastSeq).toBe(before);
  });

  it('a rejection without a reason is refused on the page, nothing changes', async () => {
    const page = await get(p, `/executions/${first}`, 'ana');
    const before = (await p.runtime.store.require(first)).lastSeq;
    const res = await post(p, `/executions/${first}/decide`, 'ana', {
      csrf: csrfOf(page.body, `/executions/${first}/decide`),
      decision: 'reject',
      reason: '  ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Not decided: a rejection needs a reason');
    expect(res.body).toContain(`action="/executions/${first}/decide"`);
    expect((await p.runtime.store.require(first)).lastSeq).toBe(before);
  });

  it('approve through the form: the execution continues and ends approved; the comment is escaped; the audit log has it', async () => {
    const page = await get(p, `/executions/${first}`, 'ana');
    const res = await post(p, `/executions/${first}/decide`, 'ana', {
      csrf: csrfOf(page.body, `/executions/${first}/decide`),
      decision: 'approve',
      comment: 'fine <script>alert("c")</script>',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/executions/${first}?decided=approved`);
    await p.runtime.orchestrator.runUntilIdle();
    const rec = await p.runtime.store.require(first);
    expect(rec.status).toBe('succeeded');
    expect(rec.outcome).toBe('approved');
    const decided = (await p.runtime.store.events(first)).find((e) => e.type === 'ApprovalDecided');
    expect(decided?.data).toMatchObject({ decision: 'approved', by: 'ana', via: 'approver', comment: 'fine <script>alert("c")</script>' });

    const after = await get(p, `/executions/${first}?decided=approved`, 'ana');
    expectSafe(after.body);
    expect(after.body).toContain('fine &lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;');
    expect(after.body).toContain('You approved this batch.');
    expect((await get(p, `/executions/${first}?decided=approved`, 'root')).body).not.toContain('You approved');
    expect(after.body).not.toContain('/decide"');
    expect(after.body).toMatch(/<g class="state done" data-state="done">/);
    // deciding again is refused: nothing is waiting
    const again = await post(p, `/executions/${first}/decide`, 'ana', { csrf: csrfOf(page.body, `/executions/${first}/decide`), decision: 'approve' });
    expect(again.statusCode).toBe(409);

    const audit = await get(p, '/audit', 'root');
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain('<code>approval.approve</code>');
    expect(audit.body).toContain(`execution:${first}`);
    expectSafe(audit.body);
    expect((await get(p, '/audit', 'vic')).statusCode).toBe(403);
  });

  it('second batch: hostile file name escaped everywhere, drift against the approved batch with a hostile column name', async () => {
    second = await runToWait(p, writeBatch(p.dir, HOSTILE_FILE, 400, 2, 25));
    for (const url of ['/', '/executions', `/executions/${second}`, '/reports']) {
      const res = await get(p, url, 'ana');
      expect(res.statusCode, url).toBe(200);
      expectSafe(res.body);
      expect(res.body, url).toContain('batch-&lt;script&gt;alert(1)&lt;.csv');
    }
    const d = await get(p, `/executions/${second}`, 'root');
    expect(d.body).toContain('Drift against the last approved batch');
    expect(d.body).toMatch(/Verdict: <b class="(pass|fail)">(no )?drift<\/b> · baseline <code>first.csv<\/code> \(400 rows\)/);
    // the shifted column is drifted (the ids differ between batches, so they drift too)
    expect(d.body).toMatch(/Columns by drift \([1-9] of 6 drifted\)<\/caption>/);
    expect(d.body).toMatch(/<tr><td>age<\/td><td>numeric<\/td><td class="num">[0-9.]+<\/td><td class="fail">yes<\/td>/);
    expect(d.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(d.body).toMatch(/<td class="fail">FAIL<\/td><td>columns.age.mean &lt; 60<\/td>/);
    const reject = await post(p, `/executions/${second}/decide`, 'root', {
      csrf: csrfOf(d.body, `/executions/${second}/decide`),
      decision: 'reject',
      reason: 'age drifted',
    });
    expect(reject.statusCode).toBe(303);
    await p.runtime.orchestrator.runUntilIdle();
    expect(await p.runtime.store.require(second)).toMatchObject({ status: 'succeeded', outcome: 'rejected' });
  });

  it('reports list both batches with links; 404 pages for unknown executions and reports', async () => {
    const res = await get(p, '/reports', 'vic');
    expect(res.body).toContain(`/executions/${first}/report`);
    expect(res.body).toContain(`/reports/${second}/report.json`);
    const missing = await get(p, '/executions/ex-nope', 'ana');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
    expect(missing.body).toContain('no execution ex-nope');
    expect(missing.body).toContain('aria-label="Console"');
    expect((await get(p, '/executions/ex-nope/report', 'ana')).statusCode).toBe(404);
  });
});

describe('console: a failed execution', () => {
  it('shows the error and marks the failed state in the diagram', async () => {
    const file = writeBatch(p.dir, 'vanishing.csv', 50, 9);
    const rec = await p.runtime.orchestrator.startFile(file);
    rmSync(file);
    await p.runtime.orchestrator.runUntilIdle();
    expect((await p.runtime.store.require(rec.id)).status).toBe('failed');
    const res = await get(p, `/executions/${rec.id}`, 'vic');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<span class="badge failed">failed</span>');
    expect(res.body).toMatch(/<dt>Error<\/dt><dd class="fail">[A-Z_]+: /);
    expect(res.body).toContain('<g class="state failed" data-state="report">');
    expect(res.body).toContain('<td data-label="Event">ExecutionFailed</td>');
  });
});

describe('console: executions list', () => {
  it('filters by state, searches by file name and pages', async () => {
    for (let i = 0; i < 30; i++) await p.runtime.store.create(p.project.pipeline, { file: `/data/paged-${String(i).padStart(2, '0')}.csv` });
    const page1 = await get(p, '/executions?status=running', 'vic');
    expect(page1.statusCode).toBe(200);
    expect(page1.body).toContain('Showing 1–25 of 30');
    expect((page1.body.match(/<tr>\n<td data-label="File"><a href="\/executions\//g) ?? []).length).toBe(25);
    expect(page1.body).toContain('href="/executions?status=running&amp;page=2"');
    expect(page1.body).not.toContain('first.csv');
    const page2 = await get(p, '/executions?status=running&page=2', 'vic');
    expect((page2.body.match(/<tr>\n<td data-label="File"><a href="\/executions\//g) ?? []).length).toBe(5);
    expect(page2.body).toContain('paged-00.csv');
    expect(page2.body).not.toContain('rel="next"');

    const search = await get(p, '/executions?file=paged-1', 'vic');
    expect((search.body.match(/paged-1\d\.csv<\/a>/g) ?? []).length).toBe(10);
    const succeeded = await get(p, '/executions?status=succeeded', 'vic');
    expect(succeeded.body).toContain('first.csv');
    expect(succeeded.body).not.toContain('paged-');
    const none = await get(p, '/executions?file=zzz', 'vic');
    expect(none.body).toContain('No execution matches these filters.');
    expect((await get(p, '/executions?status=bogus', 'vic')).statusCode).toBe(400);
    expect((await get(p, '/executions?page=-1', 'vic')).statusCode).toBe(400);
    const hostile = await get(p, '/executions?file=%22%3E%3Cscript%3E', 'vic');
    expectSafe(hostile.body);
    expect(hostile.body).toContain('value="&quot;&gt;&lt;script&gt;"');
  });
});
