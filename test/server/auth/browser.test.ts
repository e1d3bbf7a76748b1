import { mkdirSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from '../../../src/core/html.js';
import { layout } from '../../../src/server/pages/layout.js';
import { authServer, PASSWORDS } from './support.js';

let browser: Browser;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  for (const a of apps) await a.close();
});

describe('sign-in in a real browser', () => {
  it('redirects to login, signs in, keeps the cookie HttpOnly and SameSite=Lax, refuses cross-site posts, follows cross-site links, signs out', async () => {
    const s = await authServer({
      plugins: (gate) => [
        async (app) => {
          // Pages of the console kind: one for any signed-in user, one for approvers.
          app.get('/whoami', { preHandler: gate.require('viewer') }, async (req, reply) =>
            reply.type('text/html').send(layout('Who', html`<h1>Hello ${gate.userOf(req)!.name}</h1>${gate.logoutForm(req, reply)}`)),
          );
          app.get('/decide', { preHandler: gate.require('approver') }, async (_req, reply) =>
            reply.type('text/html').send(layout('Decide', html`<h1>Decide</h1>`)),
          );
        },
      ],
    });
    apps.push(s.app);
    const { id } = await s.waiting();
    const base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    // Another site (localhost is a different site from 127.0.0.1) with a form aimed at the API and a plain link.
    const evil = Fastify();
    apps.push(evil);
    evil.get('/', async (_req, reply) =>
      reply
        .type('text/html')
        .send(
          `<form id="f" method="post" action="${base}/api/executions/${id}/approve"><input name="comment" value="forged"></form><a id="l" href="${base}/whoami">console</a>`,
        ),
    );
    const evilBase = (await evil.listen({ host: '127.0.0.1', port: 0 })).replace('127.0.0.1', 'localhost');

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/whoami`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/whoami');

    await page.fill('#name', 'Ana');
    await page.fill('#password', 'not-it');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('Wrong name or password.');
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/auth-login-failed.png', fullPage: true });

    await page.fill('#name', 'Ana');
    await page.fill('#password', PASSWORDS.Ana);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/whoami`);
    expect(await page.textContent('h1')).toBe('Hello Ana');
    const session = (await context.cookies()).find((c) => c.name === 'sluice_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    expect(await page.evaluate('document.cookie')).not.toContain('sluice_session');

    // A signed-in approver page for a viewer is refused in words.
    const other = await browser.newContext();
    const vic = await other.newPage();
    await vic.goto(`${base}/login?next=/decide`);
    await vic.fill('#name', 'Vic');
    await vic.fill('#password', PASSWORDS.Vic);
    await vic.click('button[type=submit]');
    expect(await vic.textContent('[role=alert]')).toContain('this needs the approver role; Vic is a viewer');
    await other.close();

    // Cross-site: a form posted from another site arrives without the session; a link followed from it carries it.
    await page.goto(evilBase);
    await Promise.all([page.waitForLoadState('load'), page.evaluate("document.getElementById('f').submit()")]);
    await page.waitForURL(/\/api\/executions\//);
    expect(await page.textContent('body')).toContain('AUTH_REQUIRED');
    expect((await s.runtime.store.require(id)).status).toBe('waiting');
    await page.goto(evilBase);
    await page.click('#l');
    await page.waitForURL(`${base}/whoami`);
    expect(await page.textContent('h1')).toBe('Hello Ana');

    await page.click('form.logout button');
    await page.waitForURL(/\/login$/);
    expect((await context.cookies()).some((c) => c.name === 'sluice_session')).toBe(false);
    await page.goto(`${base}/whoami`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect((await s.gate.auditLog()).map((e) => e.action)).toEqual(['logout', 'login', 'login', 'login.failed']);
    await context.close();
  });
});
