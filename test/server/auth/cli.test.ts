import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/pipeline/project/loadProject.js';
import { initProject } from '../../../src/pipeline/project/initProject.js';
import { AuditLog } from '../../../src/server/auth/AuditLog.js';
import { verifyPassword } from '../../../src/server/auth/password.js';
import { openProjectDb } from '../../../src/state/openProjectDb.js';
import { expectCleanError, sluice, sluiceProcess } from '../../cli/run.js';
import { authServer, closeAll } from './support.js';
import { sluiceArgs } from '../../support/sluiceBin.js';

const apps: FastifyInstance[] = [];
afterEach(() => closeAll(apps));

function project(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-auth-cli-')), 'p');
  initProject(dir);
  return dir;
}

async function audit(dir: string) {
  const db = openProjectDb(loadProject(dir).paths.db);
  try {
    return await new AuditLog(db).list();
  } finally {
    db.close();
  }
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`), answering each prompt; returns everything the terminal showed. */
function onTerminal(args: string[], answers: Array<[RegExp, string]>): Promise<{ code: number; screen: string }> {
  return new Promise((resolve) => {
    const cmd = [process.execPath, ...sluiceArgs(args)].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, NODE_OPTIONS: '' } });
    let screen = '';
    let next = 0;
    child.stdout.on('data', (d) => {
      screen += d;
      // Answer the instant the prompt shows, as fast as a paste: nothing may be echoed.
      while (next < answers.length && answers[next]![0].test(screen)) child.stdin.write(answers[next++]![1]);
    });
    child.on('close', (code) => resolve({ code: code ?? -1, screen }));
  });
}

describe('sluice users', () => {
  it('hash-password on a terminal asks twice without echoing; a mismatch is a clean error', async () => {
    const ok = await onTerminal(
      ['users', 'hash-password'],
      [
        [/Password: $/, 'terminal pass 42\r'],
        [/again: $/, 'terminal pass 42\r'],
      ],
    );
    expect(ok.code, ok.screen).toBe(0);
    expect(ok.screen).not.toContain('terminal pass');
    const hash = /scrypt\$\S+/.exec(ok.screen)![0];
    expect(await verifyPassword('terminal pass 42', hash)).toBe(true);
    const typo = await onTerminal(
      ['users', 'hash-password'],
      [
        [/Password: $/, 'terminal pass 42\r'],
        [/again: $/, 'terminal pass 43\r'],
      ],
    );
    expect(typo.code).not.toBe(0);
    expect(typo.screen).toContain('error[PASSWORD_MISMATCH]');
    expect(typo.screen).not.toContain('terminal pass');
  });

  it('hash-password reads standard input and prints a hash that verifies; bad input is a clean error', async () => {
    const r = sluiceProcess(['users', 'hash-password'], { input: 'a long password\n' }); // stdin through a pipe
    expect(r.code, r.stderr).toBe(0);
    const hash = r.stdout.trim();
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('a long password', hash)).toBe(true);
    expect(await verifyPassword('a long passwore', hash)).toBe(false);
    expect(hash).not.toContain('a long password');
    expectCleanError(await sluice(['users', 'hash-password'], { input: '' }), 'PASSWORD_MISSING');
    expectCleanError(await sluice(['users', 'hash-password'], { input: 'short\n' }), 'PASSWORD_TOO_SHORT');
  });

  it('add writes the user into sluice.yaml keeping its comments, refuses duplicates and bad values; list shows them', async () => {
    const dir = project();
    const before = readFileSync(join(dir, 'sluice.yaml'), 'utf8');
    const comments = before.split('\n').filter((l) => l.trim().startsWith('#'));
    expect(comments.length).toBeGreaterThan(3);
    const add = await sluice(['users', 'add', 'Ana', '--role', 'admin', '--email', 'ana@example.com', '-p', dir], { input: 'ana password 1\n' });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('added Ana (admin, ana@example.com)');
    const after = readFileSync(join(dir, 'sluice.yaml'), 'utf8');
    for (const c of comments) expect(after).toContain(c);
    const ana = loadProject(dir).config.approvers.find((a) => a.name === 'Ana')!;
    expect(ana).toMatchObject({ role: 'admin', email: 'ana@example.com' });
    expect(await verifyPassword('ana password 1', ana.passwordHash)).toBe(true);

    expectCleanError(await sluice(['users', 'add', 'ana', '-p', dir], { input: 'another password\n' }), 'USER_EXISTS');
    expectCleanError(await sluice(['users', 'add', 'Bob', '--role', 'boss', '-p', dir], { input: 'bob password 1\n' }), 'USER_BAD_ROLE');
    expectCleanError(await sluice(['users', 'add', 'Bob', '--email', 'not-an-email', '--no-password', '-p', dir]), 'USER_INVALID');
    expect(readFileSync(join(dir, 'sluice.yaml'), 'utf8')).toBe(after);

    expect((await sluice(['users', 'add', 'Vic', '--role', 'viewer', '--no-password', '-p', dir])).code).toBe(0);
    const list = await sluice(['users', 'list', '--json', '-p', dir]);
    expect(JSON.parse(list.stdout)).toEqual([
      { name: 'Change Me', role: 'approver', email: 'approver@example.com', password: 'none' },
      { name: 'Ana', role: 'admin', email: 'ana@example.com', password: 'set' },
      { name: 'Vic', role: 'viewer', email: null, password: 'none' },
    ]);
    const setPw = await sluice(['users', 'set-password', 'vic', '-p', dir], { input: 'vic password 1\n' });
    expect(setPw.code, setPw.stderr).toBe(0);
    expect(await verifyPassword('vic password 1', loadProject(dir).config.approvers.find((a) => a.name === 'Vic')!.passwordHash)).toBe(true);
    expectCleanError(await sluice(['users', 'set-password', 'Nobody', '-p', dir], { input: 'some password 1\n' }), 'USER_UNKNOWN');
    expect((await audit(dir)).map((e) => [e.action, e.target])).toEqual([
      ['user.password', 'user:vic'],
      ['user.add', 'user:Vic'],
      ['user.add', 'user:Ana'],
    ]);
    const shown = await sluice(['audit', '--action', 'user.', '--json', '-p', dir]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).map((e: { action: string }) => e.action)).toEqual(['user.password', 'user.add', 'user.add']);
    const page = await sluice(['audit', '--limit', '1', '-p', dir]);
    expect(page.stdout).toContain('user.password');
    expect(page.stdout).not.toContain('user.add');
    expectCleanError(await sluice(['audit', '--limit', 'lots', '-p', dir]), 'CLI_BAD_OPTION');
  });
});

describe('sluice tokens and sluice api against a running server', () => {
  it('creates a token shown once, lists and revokes it; the token drives the REST API from another process', async () => {
    const s = await authServer();
    apps.push(s.app);
    const { id } = await s.waiting();
    const address = await s.app.listen({ host: '127.0.0.1', port: 0 });

    const created = await sluice(['tokens', 'create', '--user', 'ana', '--name', 'laptop', '--expires', '30d', '-p', s.dir]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^sluice_/);
    expect(created.stderr).toContain('shown once');
    const listed = await sluice(['tokens', 'list', '--json', '-p', s.dir]);
    const [info] = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(info).toMatchObject({ user: 'Ana', name: 'laptop', status: 'active' });
    expect(listed.stdout).not.toContain(token);
    expect(Date.parse(String(info!.expiresAt)) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const env = { SLUICE_URL: address, SLUICE_TOKEN: token };
    const pending = await sluice(['api', '/api/approvals'], { env });
    expect(pending.code, pending.stderr).toBe(0);
    expect(JSON.parse(pending.stdout).approvals).toMatchObject([{ executionId: id }]);
    const anon = await sluice(['api', '/api/approvals'], { env: { SLUICE_URL: address, SLUICE_TOKEN: '' } });
    expectCleanError(anon, 'AUTH_REQUIRED');
    const decided = await sluice(['api', 'POST', `/api/executions/${id}/approve`, '--data', '{"comment": "from the cli"}'], { env });
    expect(decided.code, decided.stderr).toBe(0);
    expect(JSON.parse(decided.stdout)).toMatchObject({ decision: 'approved', by: 'Ana' });
    expectCleanError(await sluice(['api', 'POST', `/api/executions/${id}/approve`, '--data', '{"comment": "again"}'], { env }), 'APPROVAL_NOT_WAITING');
    expectCleanError(await sluice(['api', 'POST', '/api/executions', '--data', '{not json'], { env }), 'CLI_BAD_JSON');

    const revoked = await sluice(['tokens', 'revoke', String(info!.id), '-p', s.dir]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expectCleanError(await sluice(['api', '/api/approvals'], { env }), 'TOKEN_REVOKED');
    expectCleanError(await sluice(['tokens', 'revoke', String(info!.id), '-p', s.dir]), 'TOKEN_ALREADY_REVOKED');
    expectCleanError(await sluice(['tokens', 'create', '--user', 'Nobody', '-p', s.dir]), 'USER_UNKNOWN');
    expectCleanError(await sluice(['tokens', 'create', '--user', 'Ana', '--expires', 'soon', '-p', s.dir]), 'TOKEN_BAD_EXPIRY');
    expect((await s.gate.auditLog()).map((e) => e.action)).toEqual(expect.arrayContaining(['token.create', 'token.revoke', 'approval.approve']));
    expect(await s.gate.auditLog({ action: 'approval.approve' })).toMatchObject([{ actor: 'Ana', target: `execution:${id}` }]);
  });
});
