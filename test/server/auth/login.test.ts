import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../../src/server/auth/SessionCookie.js';
import { authServer, clock, closeAll, cookiesOf, PASSWORDS } from './support.js';

const apps: FastifyInstance[] = [];
afterEach(() => closeAll(apps));

async function server(opts: Parameters<typeof authServer>[0] = {}) {
  const s = await authServer(opts);
  apps.push(s.app);
  return s;
}

const whoAmI = async (s: Awaited<ReturnType<typeof server>>, cookie: string) => (await s.app.inject({ url: '/test/csrf', headers: { cookie } })).json().user;

describe('login', () => {
  it('a good password opens a session in a signed HttpOnly SameSite=Lax cookie and is audited', async () => {
    const s = await server();
    const { res, cookie } = await s.postLogin('ana', PASSWORDS.Ana); // names are case-insensitive
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/');
    const set = String([res.headers['set-cookie']].flat().find((c) => String(c).startsWith(SESSION_COOKIE)));
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toMatch(/Secure/);
    expect(await whoAmI(s, cookie)).toEqual({ name: 'Ana', email: 'ana@example.com', role: 'approver', via: 'session' });
    // The database keeps only a hash of the session id.
    const sid = /sluice_session=([^.;]+)\./.exec(cookie)![1]!;
    const rows = s.runtime.db.prepare('SELECT * FROM auth_sessions').all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(sid);
    expect(await s.gate.auditLog({ action: 'login' })).toMatchObject([{ actor: 'Ana', target: 'user:Ana', ip: '203.0.113.5' }]);
  });

  it('cookies are Secure when the server is https', async () => {
    const s = await server({ secureCookies: true });
    const { res } = await s.postLogin('Ana', PASSWORDS.Ana);
    expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
  });

  it('a wrong password, an unknown user and a user without a password get the same 401 and are audited', async () => {
    const s = await server();
    const bad = await s.postLogin('Ana', 'not-the-password');
    const unknown = await s.postLogin('Mallory', 'whatever-password');
    const nopw = await s.postLogin('Nopw', 'whatever-password');
    for (const r of [bad, unknown, nopw]) {
      expect(r.res.statusCode).toBe(401);
      expect(r.res.body).toContain('Wrong name or password.');
      expect(r.cookie).not.toContain(SESSION_COOKIE);
    }
    expect((await s.gate.auditLog({ action: 'login.failed' })).map((e) => [e.actor, e.detail])).toEqual([
      ['Nopw', 'no password set'],
      ['Mallory', 'unknown user'],
      ['Ana', 'wrong password'],
    ]);
    expect(s.runtime.db.prepare('SELECT count(*) AS n FROM auth_sessions').get()).toEqual({ n: 0 });
  });

  it('limits a name per address with backoff: a stranger guessing locks out only their own address', async () => {
    const c = clock();
    const s = await server({ now: c.now });
    const stranger = '198.51.100.66';
    for (let i = 0; i < 5; i++) expect((await s.postLogin('Ana', `wrong-${i}`, {}, stranger)).res.statusCode).toBe(401);
    const limited = await s.postLogin('Ana', PASSWORDS.Ana, {}, stranger);
    expect(limited.res.statusCode).toBe(429);
    expect(Number(limited.res.headers['retry-after'])).toBe(60);
    expect(limited.res.body).toContain('Too many failed sign-ins');
    expect(limited.cookie).not.toContain(SESSION_COOKIE);
    // Ana, from her own address, is not locked out by the stranger's guesses; nor is anyone else.
    expect((await s.postLogin('Ana', PASSWORDS.Ana, {}, '203.0.113.5')).res.statusCode).toBe(303);
    expect((await s.postLogin('Root', PASSWORDS.Root, {}, stranger)).res.statusCode).toBe(303);
    // Backoff: each further failure from the stranger's address doubles the wait (1, 2, 4 minutes...).
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      c.advance(Number((await s.postLogin('Ana', 'still-wrong', {}, stranger)).res.headers['retry-after'] ?? 0) * 1000);
      expect((await s.postLogin('Ana', `wrong-again-${i}`, {}, stranger)).res.statusCode).toBe(401);
      waits.push(Number((await s.postLogin('Ana', PASSWORDS.Ana, {}, stranger)).res.headers['retry-after']));
    }
    expect(waits).toEqual([120, 240, 480]);
    c.advance(15 * 60_000 + 1000);
    expect((await s.postLogin('Ana', PASSWORDS.Ana, {}, stranger)).res.statusCode).toBe(303);
  });

  it('limits a name across addresses, except from an address the user signed in from before', async () => {
    const s = await server({ loginLimits: { perUser: 4 } });
    expect((await s.postLogin('Ana', PASSWORDS.Ana, {}, '203.0.113.5')).res.statusCode).toBe(303);
    for (let i = 0; i < 4; i++) expect((await s.postLogin('Ana', `spread-${i}`, {}, `198.51.100.${i}`)).res.statusCode).toBe(401);
    expect((await s.postLogin('Ana', PASSWORDS.Ana, {}, '198.51.100.200')).res.statusCode).toBe(429);
    expect((await s.postLogin('Ana', PASSWORDS.Ana, {}, '203.0.113.5')).res.statusCode).toBe(303);
  });

  it('parallel guesses cannot slip past the limit while passwords are being checked', async () => {
    const s = await server();
    const forms = await Promise.all(Array.from({ length: 12 }, () => s.loginForm()));
    const results = await Promise.all(
      forms.map((f, i) =>
        s.app.inject({
          method: 'POST',
          url: '/login',
          remoteAddress: '198.51.100.9',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
          payload: new URLSearchParams({ name: 'Ana', password: `guess-${i}`, csrf: f.csrf }).toString(),
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(7);
    expect((await s.gate.auditLog({ action: 'login.failed' })).length).toBeLessThanOrEqual(5);
  });

  it('signing in again over a session ends the old one', async () => {
    const s = await server();
    const first = await s.signIn('Ana');
    const f = await s.loginForm(first.cookie);
    const res = await s.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
      payload: new URLSearchParams({ name: 'Root', password: PASSWORDS.Root, csrf: f.csrf }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(await whoAmI(s, cookiesOf(res, f.cookie))).toMatchObject({ name: 'Root' });
    expect(await whoAmI(s, first.cookie)).toBeNull();
  });

  it('is rate-limited per address: many names tried from one address get 429', async () => {
    const s = await server({ loginLimits: { perIp: 3 } });
    for (const name of ['a', 'b', 'c']) expect((await s.postLogin(name, 'password-x', {}, '192.0.2.1')).res.statusCode).toBe(401);
    const limited = await s.postLogin('Ana', PASSWORDS.Ana, {}, '192.0.2.1');
    expect(limited.res.statusCode).toBe(429);
    expect(Number(limited.res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await s.postLogin('Ana', PASSWORDS.Ana, {}, '192.0.2.2')).res.statusCode).toBe(303);
  });

  it('redirects to `next` only when it is a path on this server', async () => {
    const s = await server();
    const cases: Array<[string, string]> = [
      ['/executions/ex-1?tab=report#top', '/executions/ex-1?tab=report#top'],
      ['https://evil.example/phish', '/'],
      ['//evil.example/phish', '/'],
      ['/\\evil.example', '/'],
      ['/\tevil', '/'],
      ['javascript:alert(1)', '/'],
      ['/login', '/'],
      ['/..//evil.example', '/'],
      ['/a/..//evil.example/x', '/'],
      ['/.//evil.example', '/'],
    ];
    for (const [next, to] of cases) {
      const { res } = await s.postLogin('Ana', PASSWORDS.Ana, { next });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location, next).toBe(to);
    }
    // The form keeps a safe next and drops a foreign one.
    expect((await s.app.inject({ url: '/login?next=%2Fmodels' })).body).toContain('name="next" value="/models"');
    expect((await s.app.inject({ url: '/login?next=https%3A%2F%2Fevil.example' })).body).toContain('name="next" value="/"');
    expect((await s.app.inject({ url: '/login?next=%2F..%2F%2Fevil.example' })).body).toContain('name="next" value="/"');
  });

  it('a tampered, forged or malformed session cookie is anonymous, never a crash', async () => {
    const s = await server();
    const { cookie } = await s.signIn('Ana');
    const value = /sluice_session=([^;]+)/.exec(cookie)![1]!;
    const [sid, sig] = value.split('.') as [string, string];
    const variants = [
      `${sid.slice(0, -1)}${sid.endsWith('A') ? 'B' : 'A'}.${sig}`, // another id, old signature
      `${sid}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, // right id, wrong signature
      sid,
      '.',
      '%E0%A4%A',
      'x'.repeat(5000),
      `${sid}.${sig}.${sig}`,
    ];
    for (const v of variants) {
      const r = await s.app.inject({ url: '/test/csrf', headers: { cookie: `${SESSION_COOKIE}=${v}` } });
      expect(r.statusCode, v).toBe(200);
      expect(r.json().user, v).toBeNull();
      const api = await s.app.inject({ url: '/api/executions', headers: { cookie: `${SESSION_COOKIE}=${v}` } });
      expect(api.statusCode).toBe(401);
      expect(api.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
    }
    expect(await whoAmI(s, cookie)).toMatchObject({ name: 'Ana' });
  });

  it('sessions end after the idle time and after the absolute lifetime', async () => {
    const c = clock();
    const s = await server({ now: c.now, sessions: { idleMs: 60 * 60_000, absoluteMs: 3 * 60 * 60_000 } });
    const idle = await s.signIn('Ana');
    c.advance(59 * 60_000);
    expect(await whoAmI(s, idle.cookie)).toMatchObject({ name: 'Ana' }); // used: idle clock restarts
    c.advance(59 * 60_000);
    expect(await whoAmI(s, idle.cookie)).toMatchObject({ name: 'Ana' });
    c.advance(61 * 60_000);
    expect(await whoAmI(s, idle.cookie)).toBeNull();

    const busy = await s.signIn('Root');
    for (let i = 0; i < 5; i++) {
      c.advance(35 * 60_000);
      expect(await whoAmI(s, busy.cookie)).toMatchObject({ name: 'Root' });
    }
    c.advance(10 * 60_000); // 3h05 after login, though used 10 minutes ago
    expect(await whoAmI(s, busy.cookie)).toBeNull();
    expect(s.runtime.db.prepare('SELECT count(*) AS n FROM auth_sessions').get()).toEqual({ n: 0 });
  });

  it('logout needs its CSRF token, deletes the session, and the old cookie no longer works', async () => {
    const s = await server();
    const { cookie } = await s.signIn('Ana');
    // A page with the Sign out form, as the console renders it.
    const page = await s.app.inject({ url: '/login', headers: { cookie } });
    expect(page.body).toContain('signed in as <strong>Ana</strong>');
    const refused = await s.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'csrf=nope',
    });
    expect(refused.statusCode).toBe(403);
    expect(await whoAmI(s, cookie)).toMatchObject({ name: 'Ana' });

    const formHtml = await s.app.inject({ url: '/test/logout-form', headers: { cookie } });
    const token = /name="csrf" value="([^"]+)"/.exec(formHtml.body)![1]!;
    const out = await s.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf=${encodeURIComponent(token)}`,
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect(cookiesOf(out, cookie)).not.toContain(SESSION_COOKIE);
    expect(await whoAmI(s, cookie)).toBeNull();
    expect(s.runtime.db.prepare('SELECT count(*) AS n FROM auth_sessions').get()).toEqual({ n: 0 });
    expect(await s.gate.auditLog({ action: 'logout' })).toMatchObject([{ actor: 'Ana' }]);
  });

  it('the login form needs its CSRF token; bad input is a clear 400 page, never a crash', async () => {
    const s = await server();
    const form = (payload: string, cookie?: string) =>
      s.app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }, payload });
    const noCsrf = await form(new URLSearchParams({ name: 'Ana', password: PASSWORDS.Ana }).toString());
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.body).toContain('The form expired');
    const f = await s.loginForm();
    const wrongCsrf = await form(new URLSearchParams({ name: 'Ana', password: PASSWORDS.Ana, csrf: f.csrf.slice(0, -2) + 'xx' }).toString(), f.cookie);
    expect(wrongCsrf.statusCode).toBe(403);
    const otherCookie = await form(new URLSearchParams({ name: 'Ana', password: PASSWORDS.Ana, csrf: f.csrf }).toString(), 'sluice_csrf=someone-else');
    expect(otherCookie.statusCode).toBe(403);
    expect(await s.gate.auditLog({ action: 'login' })).toHaveLength(0);

    const huge = await form(new URLSearchParams({ name: 'Ana', password: 'p'.repeat(5000), csrf: f.csrf }).toString(), f.cookie);
    expect(huge.statusCode).toBe(400);
    expect(huge.body).toContain('at most 1024 are accepted');
    const noName = await form(new URLSearchParams({ password: 'x', csrf: f.csrf }).toString(), f.cookie);
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toContain('type your name');
    const noPassword = await form(new URLSearchParams({ name: 'Ana', csrf: f.csrf }).toString(), f.cookie);
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.body).toContain('no password given');
    const json = await s.app.inject({ method: 'POST', url: '/login', headers: { cookie: f.cookie }, payload: [1, 2] });
    expect(json.statusCode).toBe(403);
    const tooBig = await form(`name=Ana&password=${'p'.repeat(2_000_000)}`, f.cookie);
    expect(tooBig.statusCode).toBe(413);
    // Hostile names are escaped on the page.
    const xss = await form(new URLSearchParams({ name: '<script>x</script>', password: 'password-x', csrf: f.csrf }).toString(), f.cookie);
    expect(xss.statusCode).toBe(401);
    expect(xss.body).not.toContain('<script>x');
    expect(xss.body).toContain('&lt;script&gt;');
  });
});
