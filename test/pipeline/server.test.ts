import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalToken } from '../../src/pipeline/approvals/approvalTokens.js';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { createServer } from '../../src/server/createServer.js';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { REPORT_APPROVAL_PIPELINE } from '../server/auth/support.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

async function setup() {
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-web-')), 'p');
  initProject(dir);
  writeFileSync(
    join(dir, 'sluice.yaml'),
    readFileSync(join(dir, 'sluice.yaml'), 'utf8')
      .replace(/^pipeline: default$/m, REPORT_APPROVAL_PIPELINE)
      .replace(/^inputRoots: \[\]$/m, 'inputRoots: [data]')
      .replace(
        '  - name: Change Me\n    email: approver@example.com\n    role: approver',
        '  - { name: Ana, email: ana@example.com, role: approver }\n  - { name: Root, role: admin }\n  - { name: Vic, role: viewer }',
      ),
  );
  const project = loadProject(dir);
  const runtime = await ProjectRuntime.open(project, {
    pollMs: 20,
    activities: {
      report: async () => ({
        verdict: 'fail',
        gates: [{ name: '<img src=x onerror=alert(1)>', passed: false }],
        warnings: [{ severity: 'high', message: 'drift "age" & <b>' }],
        figures: { rows: 10 },
      }),
    },
  });
  const app = await createServer({
    project,
    runtime,
    authenticate: (req) => {
      const who = req.headers['x-test-user'];
      return typeof who === 'string' ? runtime.approver(who) : undefined;
    },
  });
  apps.push(app);
  app.addHook('onClose', async () => runtime.close());
  mkdirSync(join(dir, 'data'));
  const file = join(dir, 'data', 'inbox-<script>.csv');
  writeFileSync(file, 'id,v\n1,2\n');
  return { dir, project, runtime, app, file };
}

async function waiting(s: Awaited<ReturnType<typeof setup>>) {
  const res = await s.app.inject({ method: 'POST', url: '/api/executions', payload: { file: s.file } });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  await s.runtime.orchestrator.runUntilIdle();
  expect((await s.runtime.store.require(id)).status).toBe('waiting');
  const { token } = await createApprovalToken(s.runtime.state, { executionId: id, step: 'ask', approver: 'Ana', expiresAt: Date.now() + 60_000 });
  return { id, token };
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  return String(res.headers['set-cookie']).split(';')[0]!;
}

describe('server', () => {
  it('REST: starts, lists, shows and tells history; bad input is a clear 400', async () => {
    const s = await setup();
    const { id } = await waiting(s);
    const list = await s.app.inject({ url: '/api/executions?status=waiting' });
    expect(list.json()).toMatchObject({ total: 1, executions: [{ id, status: 'waiting', current: ['ask'] }] });
    const one = await s.app.inject({ url: `/api/executions/${id}` });
    expect(one.json().results.report.verdict).toBe('fail');
    const hist = await s.app.inject({ url: `/api/executions/${id}/history` });
    expect(hist.json().events.map((e: { type: string }) => e.type)).toContain('ApprovalRequested');
    const pending = await s.app.inject({ url: '/api/approvals' });
    expect(pending.json().approvals).toMatchObject([{ executionId: id, step: 'ask' }]);

    const missing = await s.app.inject({ method: 'POST', url: '/api/executions', payload: { file: 'data/nope.csv' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'FILE_NOT_FOUND' });
    const bad = await s.app.inject({ method: 'POST', url: '/api/executions', payload: { fil: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('BAD_REQUEST');
    const dup = await s.app.inject({ method: 'POST', url: '/api/executions', payload: { file: s.file } });
    expect(dup.statusCode).toBe(200);
    expect(dup.json()).toMatchObject({ status: 'skipped', duplicateOf: id });
    expect((await s.app.inject({ url: '/api/executions/ex-nope' })).statusCode).toBe(404);
    // The feature store's routes are mounted under /api.
    const groups = await s.app.inject({ url: '/api/features/groups' });
    expect(groups.statusCode, groups.body).toBe(200);
    expect((await s.app.inject({ url: `/reports/${id}/report.html` })).statusCode).toBe(404);
    expect((await s.app.inject({ url: `/reports/..%2F..%2Fsluice.yaml/report.html` })).statusCode).toBe(404);
    mkdirSync(join(s.project.paths.reports, id), { recursive: true });
    writeFileSync(join(s.project.paths.reports, id, 'report.html'), '<html>report</html>');
    const rep = await s.app.inject({ url: `/reports/${id}/report.html` });
    expect(rep.statusCode).toBe(200);
    expect(rep.body).toBe('<html>report</html>');
    expect(rep.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('the approval page shows the findings escaped, a GET never decides, the POST needs the CSRF token, and decides once', async () => {
    const s = await setup();
    const { id, token } = await waiting(s);
    const before = (await s.runtime.store.events(id)).length;
    const page = await s.app.inject({ url: `/approve/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).toContain('drift &quot;age&quot; &amp; &lt;b&gt;');
    expect(page.body).toContain('inbox-&lt;script&gt;.csv');
    expect(page.body).not.toContain('<script>');
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('method="post"');
    // Many GETs (a mail scanner) change nothing.
    for (let i = 0; i < 3; i++) await s.app.inject({ url: `/approve/${token}` });
    expect(await s.runtime.store.events(id)).toHaveLength(before);

    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = cookieOf(page);
    const post = (form: Record<string, string>, withCookie = true) =>
      s.app.inject({
        method: 'POST',
        url: `/approve/${token}`,
        remoteAddress: '198.51.100.9',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(withCookie ? { cookie } : {}) },
        payload: new URLSearchParams(form).toString(),
      });
    expect((await post({ decision: 'approve' })).statusCode).toBe(403); // no CSRF token
    expect((await post({ decision: 'approve', csrf }, false)).statusCode).toBe(403); // cross-site: no cookie
    expect((await post({ decision: 'approve', csrf: csrf.slice(1) + 'A' })).statusCode).toBe(403);
    const noReason = await post({ decision: 'reject', csrf });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('a rejection needs a reason');
    expect(await s.runtime.store.events(id)).toHaveLength(before);

    const ok = await post({ decision: 'approve', csrf, comment: 'ship <it>' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('was approved by Ana');
    const decided = (await s.runtime.store.events(id)).find((e) => e.type === 'ApprovalDecided')!;
    expect(decided.data).toMatchObject({ decision: 'approved', by: 'Ana', comment: 'ship <it>', ip: '198.51.100.9', via: 'token' });
    const twice = await post({ decision: 'reject', csrf, reason: 'x' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('already used');
    const reopened = await s.app.inject({ url: `/approve/${token}` });
    expect(reopened.statusCode).toBe(409);
    expect(reopened.body).not.toContain('<form');
    expect((await s.app.inject({ url: '/approve/not-a-token' })).statusCode).toBe(403);
  });

  it('REST decisions: by token, by authenticated approver; refusals for viewers, the unauthenticated, and twice', async () => {
    const s = await setup();
    const a = await waiting(s);
    const unauth = await s.app.inject({ method: 'POST', url: `/api/executions/${a.id}/approve`, payload: {} });
    expect(unauth.statusCode).toBe(401);
    const viewer = await s.app.inject({ method: 'POST', url: `/api/executions/${a.id}/approve`, headers: { 'x-test-user': 'Vic' }, payload: {} });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().code).toBe('APPROVAL_FORBIDDEN');
    const ok = await s.app.inject({
      method: 'POST',
      url: `/api/executions/${a.id}/reject`,
      headers: { 'x-test-user': 'Root' },
      payload: { reason: 'gates failed' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ decision: 'rejected', by: 'Root', reason: 'gates failed', via: 'approver' });
    const byToken = await s.app.inject({ method: 'POST', url: '/api/approvals/decide', payload: { token: a.token, decision: 'approve' } });
    expect(byToken.statusCode).toBe(409);
    expect(byToken.json()).toMatchObject({ code: 'APPROVAL_NOT_WAITING' });

    writeFileSync(s.file, 'id,v\n5,6\n');
    const b = await waiting(s);
    const good = await s.app.inject({ method: 'POST', url: '/api/approvals/decide', payload: { token: b.token, decision: 'approve', comment: 'ok' } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ executionId: b.id, by: 'Ana', decision: 'approved' });
    await s.runtime.orchestrator.runUntilIdle();
    expect((await s.runtime.store.require(b.id)).status).toBe('succeeded');
    const redrive = await s.app.inject({ method: 'POST', url: `/api/executions/${b.id}/redrive`, headers: { 'x-test-user': 'Ana' } });
    expect(redrive.statusCode).toBe(403);
  });
});
