import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { authServer, clock, closeAll } from './support.js';

const apps: FastifyInstance[] = [];
afterEach(() => closeAll(apps));

async function server(opts: Parameters<typeof authServer>[0] = {}) {
  const s = await authServer(opts);
  apps.push(s.app);
  return s;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('REST API with authentication', () => {
  it('anonymous callers get 401 on the API and a login redirect in a browser; health and approval links stay open', async () => {
    const s = await server();
    const { id, token } = await s.waiting();
    const list = await s.app.inject({ url: '/api/executions' });
    expect(list.statusCode).toBe(401);
    expect(list.json()).toMatchObject({ code: 'AUTH_REQUIRED', hint: expect.stringContaining('sluice tokens create') });
    expect(list.headers['www-authenticate']).toContain('Bearer');
    expect((await s.app.inject({ method: 'POST', url: `/api/executions/${id}/approve`, payload: {} })).statusCode).toBe(401);
    expect((await s.app.inject({ method: 'POST', url: '/api/executions', payload: { file: s.file } })).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/api/health' })).statusCode).toBe(200);
    const report = await s.app.inject({ url: `/reports/${id}/report.html`, headers: { accept: 'text/html' } });
    expect(report.statusCode).toBe(303);
    expect(report.headers.location).toBe(`/login?next=${encodeURIComponent(`/reports/${id}/report.html`)}`);
    expect((await s.app.inject({ url: `/approve/${token}` })).statusCode).toBe(200);
    expect((await s.runtime.store.require(id)).status).toBe('waiting');
  });

  it('a viewer reads but cannot decide or start: 403 naming the role, and nothing changes', async () => {
    const s = await server();
    const { id } = await s.waiting();
    const vic = await s.signIn('Vic');
    const before = (await s.runtime.store.events(id)).length;
    expect((await s.app.inject({ url: '/api/executions', headers: { cookie: vic.cookie } })).statusCode).toBe(200);
    expect((await s.app.inject({ url: '/api/approvals', headers: { cookie: vic.cookie } })).json().approvals).toHaveLength(1);
    const decide = await s.app.inject({
      method: 'POST',
      url: `/api/executions/${id}/approve`,
      headers: { cookie: vic.cookie, 'x-csrf-token': vic.csrf },
      payload: { comment: 'me too' },
    });
    expect(decide.statusCode).toBe(403);
    expect(decide.json()).toMatchObject({ code: 'FORBIDDEN', message: 'this needs the approver role; Vic is a viewer' });
    const token = (await s.gate.tokens.create('Vic')).token;
    expect((await s.app.inject({ method: 'POST', url: `/api/executions/${id}/reject`, headers: bearer(token), payload: { reason: 'no' } })).statusCode).toBe(
      403,
    );
    expect((await s.app.inject({ method: 'POST', url: '/api/executions', headers: bearer(token), payload: { file: s.file } })).statusCode).toBe(403);
    expect(await s.runtime.store.events(id)).toHaveLength(before);
    expect((await s.runtime.store.require(id)).status).toBe('waiting');
    expect(await s.gate.auditLog({ action: 'approval.' })).toEqual([]);
  });

  it('a signed-in approver decides only with the CSRF token; the decision is audited', async () => {
    const s = await server();
    const { id } = await s.waiting();
    const ana = await s.signIn('Ana');
    const before = (await s.runtime.store.events(id)).length;
    const post = (headers: Record<string, string>, payload: Record<string, unknown> = { comment: 'looks right' }) =>
      s.app.inject({
        method: 'POST',
        url: `/api/executions/${id}/approve`,
        remoteAddress: '198.51.100.4',
        headers: { cookie: ana.cookie, ...headers },
        payload,
      });
    const missing = await post({});
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ code: 'CSRF_INVALID' });
    expect((await post({ 'x-csrf-token': ana.csrf.slice(0, -2) + 'zz' })).statusCode).toBe(403);
    const other = await s.signIn('Root'); // another session's token does not fit this session
    expect((await post({ 'x-csrf-token': other.csrf })).statusCode).toBe(403);
    expect(await s.runtime.store.events(id)).toHaveLength(before);

    const ok = await post({}, { comment: 'looks right', csrf: ana.csrf });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ decision: 'approved', by: 'Ana', via: 'approver' });
    await s.runtime.orchestrator.runUntilIdle();
    expect((await s.runtime.store.require(id)).status).toBe('succeeded');
    expect(await s.gate.auditLog({ action: 'approval.approve' })).toMatchObject([
      { actor: 'Ana', target: `execution:${id}`, ip: '198.51.100.4', detail: 'step ask; via signed-in user or API token; comment: looks right' },
    ]);
  });

  it('API tokens: created once (hash only stored), used as Bearer, no CSRF needed, revoked and expired ones refused', async () => {
    const c = clock(Date.now());
    const s = await server({ now: c.now });
    const { token, info } = await s.gate.tokens.create('Root', { name: 'ci', expiresAt: c.now() + 90 * 86_400_000 });
    expect(token).toMatch(/^sluice_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(s.runtime.db.prepare('SELECT * FROM auth_tokens').all())).not.toContain(token);

    const a = await s.waiting();
    const rejected = await s.app.inject({ method: 'POST', url: `/api/executions/${a.id}/reject`, headers: bearer(token), payload: { reason: 'gates failed' } });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json()).toMatchObject({ decision: 'rejected', by: 'Root' });
    expect(await s.gate.auditLog({ action: 'approval.reject' })).toMatchObject([
      { actor: 'Root', target: `execution:${a.id}`, detail: expect.stringContaining('reason: gates failed') },
    ]);
    expect((await s.gate.tokens.get(info.id))!.lastUsedAt).not.toBeNull();

    const started = await s.app.inject({ method: 'POST', url: '/api/executions', headers: bearer(token), payload: { file: s.file, allowDuplicate: true } });
    expect(started.statusCode, started.body).toBe(201);
    expect(await s.gate.auditLog({ action: 'execution.start' })).toMatchObject([{ actor: 'Root', target: `execution:${started.json().id}` }]);

    const garbage = await s.app.inject({ url: '/api/executions', headers: bearer('sluice_nope') });
    expect(garbage.statusCode).toBe(401);
    expect(garbage.json().code).toBe('TOKEN_INVALID');
    expect((await s.app.inject({ url: '/api/executions', headers: { authorization: 'Basic QW5hOnB3' } })).json().code).toBe('AUTH_BAD_HEADER');
    expect((await s.app.inject({ url: '/api/executions', headers: { authorization: `Bearer ${'x'.repeat(100_000)}` } })).statusCode).toBe(401);

    c.advance(91 * 86_400_000);
    const expired = await s.app.inject({ url: '/api/executions', headers: bearer(token) });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: 'TOKEN_EXPIRED', message: expect.stringContaining(info.id) });

    const second = await s.gate.tokens.create('Ana');
    expect((await s.app.inject({ url: '/api/executions', headers: bearer(second.token) })).statusCode).toBe(200);
    await s.gate.tokens.revoke(second.info.id);
    const revoked = await s.app.inject({ url: '/api/executions', headers: bearer(second.token) });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().code).toBe('TOKEN_REVOKED');
    await expect(s.gate.tokens.revoke(second.info.id)).rejects.toThrow(/already revoked/);
    await expect(s.gate.tokens.revoke('tok_unknown')).rejects.toThrow(/no API token/);
  });

  it('a token of a user removed from sluice.yaml stops working', async () => {
    const s = await server();
    const { token } = await s.gate.tokens.create('Ghost');
    const r = await s.app.inject({ url: '/api/executions', headers: bearer(token) });
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('TOKEN_USER_UNKNOWN');
  });

  it('approval links decide by token alone for the approver they were sent to, and are audited', async () => {
    const s = await server();
    const a = await s.waiting();
    const page = await s.app.inject({ url: `/approve/${a.token}` });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const res = await s.app.inject({
      method: 'POST',
      url: `/approve/${a.token}`,
      remoteAddress: '192.0.2.44',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ decision: 'approve', csrf, comment: 'ok from mail' }).toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await s.gate.auditLog({ action: 'approval.' })).toMatchObject([
      { actor: 'Ana', action: 'approval.approve', target: `execution:${a.id}`, ip: '192.0.2.44', detail: 'step ask; via approval link; comment: ok from mail' },
    ]);
    // The REST form of the link.
    const b = await s.waiting();
    const viaApi = await s.app.inject({ method: 'POST', url: '/api/approvals/decide', payload: { token: b.token, decision: 'reject', reason: 'drift' } });
    expect(viaApi.statusCode, viaApi.body).toBe(200);
    expect(await s.gate.auditLog({ action: 'approval.reject' })).toMatchObject([{ actor: 'Ana', target: `execution:${b.id}` }]);
    // A refused link decision is not audited as a decision.
    const again = await s.app.inject({ method: 'POST', url: '/api/approvals/decide', payload: { token: b.token, decision: 'approve' } });
    expect(again.statusCode).toBe(409);
    expect(await s.gate.auditLog({ action: 'approval.' })).toHaveLength(2);
  });

  it('a link or a session of a user demoted to viewer or removed from sluice.yaml no longer decides, without a restart', async () => {
    const s = await server();
    const yaml = join(s.dir, 'sluice.yaml');
    const original = readFileSync(yaml, 'utf8');
    const ana = await s.signIn('Ana');
    const a = await s.waiting();
    const page = await s.app.inject({ url: `/approve/${a.token}` });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const postLink = () =>
      s.app.inject({
        method: 'POST',
        url: `/approve/${a.token}`,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ decision: 'approve', csrf }).toString(),
      });
    // Demoted to viewer: the page, its form, the REST form of the link and her session are all refused.
    writeFileSync(yaml, original.replace('name: Ana, email: ana@example.com, role: approver', 'name: Ana, email: ana@example.com, role: viewer'));
    const shown = await s.app.inject({ url: `/approve/${a.token}` });
    expect(shown.statusCode).toBe(403);
    expect(shown.body).toContain('may not decide this approval any more (viewer)');
    const form = await postLink();
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('Ana is a viewer and may not decide');
    const rest = await s.app.inject({ method: 'POST', url: '/api/approvals/decide', payload: { token: a.token, decision: 'approve' } });
    expect([rest.statusCode, rest.json().code]).toEqual([403, 'APPROVAL_FORBIDDEN']);
    const session = await s.app.inject({
      method: 'POST',
      url: `/api/executions/${a.id}/approve`,
      headers: { cookie: ana.cookie, 'x-csrf-token': ana.csrf },
      payload: {},
    });
    expect(session.statusCode).toBe(403);
    // Removed: refused too, naming why.
    writeFileSync(yaml, original.replace(/^ {2}- \{ name: Ana,.*\n/m, ''));
    const gone = await s.app.inject({ method: 'POST', url: '/api/approvals/decide', payload: { token: a.token, decision: 'approve' } });
    expect([gone.statusCode, gone.json().code]).toEqual([403, 'APPROVAL_USER_UNKNOWN']);
    expect((await postLink()).body).toContain('not a user of this project any more');
    expect((await s.runtime.store.require(a.id)).status).toBe('waiting');
    expect(await s.gate.auditLog({ action: 'approval.approve' })).toHaveLength(0);
    // Back as an approver: the unspent link decides.
    writeFileSync(yaml, original);
    expect((await postLink()).statusCode).toBe(200);
  });

  it('lists users for display without their password hashes', async () => {
    const s = await server();
    const users = s.gate.users();
    expect(users.map((u) => [u.name, u.role, u.hasPassword])).toEqual([
      ['Ana', 'approver', true],
      ['Root', 'admin', true],
      ['Vic', 'viewer', true],
      ['Nopw', 'approver', false],
    ]);
    expect(JSON.stringify(users)).not.toContain('scrypt');
  });

  it('redrive needs an admin', async () => {
    const s = await server();
    const { id } = await s.waiting();
    const ana = (await s.gate.tokens.create('Ana')).token;
    const r = await s.app.inject({ method: 'POST', url: `/api/executions/${id}/redrive`, headers: bearer(ana) });
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toContain('needs the admin role');
  });

  it('approvers and admins read the audit log over the API; viewers and the anonymous cannot', async () => {
    const s = await server();
    await s.signIn('Ana');
    const root = (await s.gate.tokens.create('Root')).token;
    const r = await s.app.inject({ url: '/api/audit?action=login&limit=5', headers: bearer(root) });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().entries).toMatchObject([{ actor: 'Ana', action: 'login' }]);
    expect((await s.app.inject({ url: '/api/audit', headers: bearer((await s.gate.tokens.create('Ana')).token) })).statusCode).toBe(200);
    expect((await s.app.inject({ url: '/api/audit', headers: bearer((await s.gate.tokens.create('Vic')).token) })).statusCode).toBe(403);
    expect((await s.app.inject({ url: '/api/audit' })).statusCode).toBe(401);
    const bad = await s.app.inject({ url: '/api/audit?limit=lots', headers: bearer(root) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('BAD_REQUEST');
  });

  it('the audit log pages newest first and filters', async () => {
    const s = await server();
    for (let i = 0; i < 5; i++) await s.gate.audit({ actor: i % 2 ? 'Ana' : 'Root', action: 'test.thing', target: `t:${i}`, detail: null, ip: null });
    const all = await s.gate.auditLog({ action: 'test.thing' });
    expect(all.map((e) => e.target)).toEqual(['t:4', 't:3', 't:2', 't:1', 't:0']);
    expect((await s.gate.auditLog({ action: 'test.', limit: 2, before: all[1]!.id })).map((e) => e.target)).toEqual(['t:2', 't:1']);
    expect((await s.gate.auditLog({ actor: 'Ana' })).map((e) => e.target)).toEqual(['t:3', 't:1']);
    expect(all[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
