import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { createApprovalToken } from '../../../src/pipeline/approvals/approvalTokens.js';
import { initProject } from '../../../src/pipeline/project/initProject.js';
import { loadProject } from '../../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../../src/pipeline/project/ProjectRuntime.js';
import { createAuthGate, type AuthGateOptions } from '../../../src/server/auth/createAuthGate.js';
import type { ServerAuthGate } from '../../../src/server/auth/ServerAuthGate.js';
import { hashPassword } from '../../../src/server/auth/password.js';
import { FAST } from '../../support/fastScrypt.js';
import { loadServerSecret } from '../../../src/server/auth/serverSecret.js';
import { createServer } from '../../../src/server/createServer.js';

export { FAST };
export const PASSWORDS = { Ana: 'ana-password-1', Root: 'root-password-1', Vic: 'vic-password-1' } as const;

/** The sluice.yaml `pipeline:` of a report then an approval. */
export const REPORT_APPROVAL_PIPELINE = `pipeline:
  name: web
  start: report
  states:
    report: { type: task, activity: report, next: ask }
    ask: { type: approval, timeout: 1h, next: done }
    done: { type: succeed }`;

/** A test clock that tests move forward. */
export function clock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/**
 * A real project (sluice.yaml with users Ana approver, Root admin, Vic viewer, Nopw approver
 * without a password), a real runtime and SQLite database, and the server with the gate.
 */
export async function authServer(
  opts: Partial<Pick<AuthGateOptions, 'now' | 'sessions' | 'loginLimits' | 'secureCookies'>> & {
    plugins?: (gate: ServerAuthGate) => NonNullable<Parameters<typeof createServer>[0]['plugins']>;
  } = {},
) {
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-auth-')), 'p');
  initProject(dir);
  const [ana, root, vic] = await Promise.all([hashPassword(PASSWORDS.Ana, FAST), hashPassword(PASSWORDS.Root, FAST), hashPassword(PASSWORDS.Vic, FAST)]);
  const users = [
    `  - { name: Ana, email: ana@example.com, role: approver, passwordHash: "${ana}" }`,
    `  - { name: Root, role: admin, passwordHash: "${root}" }`,
    `  - { name: Vic, role: viewer, passwordHash: "${vic}" }`,
    '  - { name: Nopw, role: approver }',
  ].join('\n');
  writeFileSync(
    join(dir, 'sluice.yaml'),
    readFileSync(join(dir, 'sluice.yaml'), 'utf8')
      .replace(/^pipeline: default$/m, REPORT_APPROVAL_PIPELINE)
      .replace(/^inputRoots: \[\]$/m, 'inputRoots: [data]')
      .replace('  - name: Change Me\n    email: approver@example.com\n    role: approver', users),
  );
  const project = loadProject(dir);
  const runtime = await ProjectRuntime.open(project, {
    pollMs: 20,
    activities: { report: async () => ({ verdict: 'pass', gates: [], warnings: [], figures: { rows: 1 } }) },
  });
  const gate: ServerAuthGate = createAuthGate({
    db: runtime.db,
    config: {
      get approvers() {
        return runtime.approvers;
      },
    },
    secret: loadServerSecret(project.paths.stateDir),
    secureCookies: opts.secureCookies ?? false,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.sessions ? { sessions: opts.sessions } : {}),
    ...(opts.loginLimits ? { loginLimits: opts.loginLimits } : {}),
  });
  const app = await createServer({
    project,
    runtime,
    auth: gate,
    features: false,
    console: false,
    plugins: [
      // A page of the "console" kind: a signed-in user's CSRF token for API writes.
      async (a) => {
        a.get('/test/csrf', async (req, reply) => ({ token: gate.csrfToken(req, reply), user: gate.userOf(req) ?? null }));
        a.get('/test/logout-form', async (req, reply) => reply.type('text/html').send(gate.logoutForm(req, reply).toString()));
      },
      ...(opts.plugins ? opts.plugins(gate) : []),
    ],
  });
  app.addHook('onClose', async () => runtime.close());
  mkdirSync(join(dir, 'data'));
  const file = join(dir, 'data', 'batch.csv');
  writeFileSync(file, 'id,v\n1,2\n');

  /** The login form's CSRF token and cookie, as a browser gets them. */
  const loginForm = async (cookie?: string) => {
    const page = await app.inject({ url: '/login', headers: cookie ? { cookie } : {} });
    expect(page.statusCode).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    return { csrf, cookie: cookiesOf(page, cookie) };
  };
  /** Posts the login form; returns the response and the cookies the browser then holds. */
  const postLogin = async (name: string, password: string, extra: Record<string, string> = {}, ip = '203.0.113.5') => {
    const f = await loginForm();
    const res = await app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
      payload: new URLSearchParams({ name, password, csrf: f.csrf, ...extra }).toString(),
    });
    return { res, cookie: cookiesOf(res, f.cookie) };
  };
  /** Signs in and returns the cookie header and the CSRF token for API writes. */
  const signIn = async (name: keyof typeof PASSWORDS) => {
    const { res, cookie } = await postLogin(name, PASSWORDS[name]);
    expect(res.statusCode, res.body).toBe(303);
    const t = await app.inject({ url: '/test/csrf', headers: { cookie } });
    return { cookie, csrf: t.json().token as string };
  };
  /** An execution waiting for approval, with an approval-link token for Ana. */
  const waiting = async () => {
    writeFileSync(file, `id,v\n${Math.random()},2\n`);
    const { id } = await runtime.orchestrator.startFile(file, { allowDuplicate: true });
    await runtime.orchestrator.runUntilIdle();
    expect((await runtime.store.require(id)).status).toBe('waiting');
    const { token } = await createApprovalToken(runtime.state, { executionId: id, step: 'ask', approver: 'Ana', expiresAt: Date.now() + 3_600_000 });
    return { id, token };
  };
  return { dir, project, runtime, gate, app, file, loginForm, postLogin, signIn, waiting };
}

/** The cookies a browser holds after `res`: `before` updated by the response's Set-Cookie headers. */
export function cookiesOf(res: LightMyRequestResponse, before = ''): string {
  const jar = new Map<string, string>();
  for (const part of before.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k) jar.set(k, v.join('='));
  }
  const set = res.headers['set-cookie'];
  for (const c of Array.isArray(set) ? set : set ? [set] : []) {
    const [pair, ...attrs] = c.split(';');
    const [k, ...v] = pair!.trim().split('=');
    if (attrs.some((a) => /max-age=0/i.test(a.trim()))) jar.delete(k!);
    else jar.set(k!, v.join('='));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

export type Inject = (o: InjectOptions) => Promise<LightMyRequestResponse>;
export type AuthServer = Awaited<ReturnType<typeof authServer>>;
export const closeAll = async (apps: FastifyInstance[]) => {
  for (const a of apps.splice(0)) await a.close();
};
