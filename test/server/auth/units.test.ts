import { mkdtempSync, statSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routePolicy } from '../../../src/server/auth/routePolicy.js';
import { hashPassword, isPasswordHash, parsePasswordHash, verifyPassword } from '../../../src/server/auth/password.js';
import { safeNext } from '../../../src/server/auth/safeNext.js';
import { loadServerSecret } from '../../../src/server/auth/serverSecret.js';
import { initProject } from '../../../src/pipeline/project/initProject.js';
import { loadProject } from '../../../src/pipeline/project/loadProject.js';
import { projectAuthGate } from '../../../src/server/auth/projectAuthGate.js';
import { openProjectDb } from '../../../src/state/openProjectDb.js';
import { FAST } from './support.js';
import { errorOf } from '../../support/errors.js';

const errorCode = (fn: () => unknown): string => errorOf(fn).code;

describe('passwords', () => {
  it('hash with a random salt and the parameters in the string; verify the right one only', async () => {
    const a = await hashPassword('correct horse battery', FAST);
    const b = await hashPassword('correct horse battery', FAST);
    expect(a).not.toBe(b);
    expect(parsePasswordHash(a)).toMatchObject({ params: FAST });
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    // Unicode is normalised: the same password typed on another keyboard layout still matches.
    const composed = await hashPassword('caf\u00e9 au lait', FAST);
    expect(await verifyPassword('cafe\u0301 au lait', composed)).toBe(true);
  });

  it('refuses stored hashes it did not write or with unsafe parameters, without throwing', async () => {
    const good = await hashPassword('correct horse battery', FAST);
    const parts = good.split('$');
    for (const bad of [
      '',
      'plain-text-password',
      'bcrypt$2b$10$abc',
      `scrypt$1000$8$1$${parts[4]}$${parts[5]}`,
      `scrypt$${2 ** 24}$8$1$${parts[4]}$${parts[5]}`,
      `scrypt$${2 ** 20}$32$1$${parts[4]}$${parts[5]}`,
      `scrypt$1024$8$1$$${parts[5]}`,
    ]) {
      expect(isPasswordHash(bad), bad).toBe(false);
      expect(await verifyPassword('correct horse battery', bad), bad).toBe(false);
    }
    expect(await verifyPassword('correct horse battery', undefined)).toBe(false);
    expect(await verifyPassword('x'.repeat(5000), good)).toBe(false);
  });

  it('refuses empty, short and huge passwords with clear errors', async () => {
    await expect(hashPassword('', FAST)).rejects.toMatchObject({ code: 'PASSWORD_MISSING' });
    await expect(hashPassword('short', FAST)).rejects.toMatchObject({ code: 'PASSWORD_TOO_SHORT' });
    await expect(hashPassword('p'.repeat(2000), FAST)).rejects.toMatchObject({ code: 'PASSWORD_TOO_LONG' });
  });
});

describe('server secret', () => {
  it('is created once with mode 0600 and reused; a world-readable one is tightened; a damaged one is a clear error', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-secret-')), '.sluice');
    const a = loadServerSecret(dir);
    expect(a.length).toBe(32);
    expect(statSync(join(dir, 'secret')).mode & 0o777).toBe(0o600);
    expect(loadServerSecret(dir).equals(a)).toBe(true);
    chmodSync(join(dir, 'secret'), 0o644);
    expect(loadServerSecret(dir).equals(a)).toBe(true);
    expect(statSync(join(dir, 'secret')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'secret'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(dir, 'secret'), 'oops');
    expect(errorCode(() => loadServerSecret(dir))).toBe('SECRET_INVALID');
  });
});

describe('safeNext', () => {
  it('keeps paths on this server and drops everything else', () => {
    expect(safeNext('/a/b?c=1#d')).toBe('/a/b?c=1#d');
    expect(safeNext('/a/../models')).toBe('/models');
    for (const bad of [
      undefined,
      3,
      '',
      'models',
      'http://evil.example/',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '/%0a',
      '/\nx',
      '\\\\evil',
      'javascript:alert(1)',
      '/login?next=/x',
      'x'.repeat(3000),
      '/..//evil.example',
      '/%2e%2e//evil.example',
      '/a/..//evil.example',
    ]) {
      const got = safeNext(bad, '/home');
      expect(got === '/home' || got === '/%0a', String(bad)).toBe(true);
    }
  });
});

describe('routePolicy', () => {
  it('names the role of each built-in route', () => {
    expect(routePolicy('GET', '/api/health')).toBe('open');
    expect(routePolicy('GET', '/api/openapi.json')).toBe('open');
    expect(routePolicy('POST', '/api/approvals/decide')).toBe('open');
    expect(routePolicy('POST', '/api/s3-events')).toBe('open');
    expect(routePolicy('GET', '/api/executions')).toBe('viewer');
    expect(routePolicy('POST', '/api/executions')).toBe('approver');
    expect(routePolicy('POST', '/api/executions/:id/approve')).toBe('approver');
    expect(routePolicy('POST', '/api/executions/:id/reject')).toBe('approver');
    expect(routePolicy('POST', '/api/executions/:id/redrive')).toBe('admin');
    expect(routePolicy('POST', '/api/features/records/batch-get')).toBe('viewer');
    expect(routePolicy('PUT', '/api/features/groups/:group/records')).toBe('admin');
    expect(routePolicy('GET', '/reports/:id/:file')).toBe('viewer');
    expect(routePolicy('GET', '/api/audit')).toBe('approver');
    expect(routePolicy('GET', '/api/models/:name')).toBe('viewer');
    expect(routePolicy('POST', '/api/models/:name/promote')).toBe('admin');
    expect(routePolicy('DELETE', '/api/models/:name/versions/:ref')).toBe('admin');
    expect(routePolicy('POST', '/invocations')).toBeUndefined();
    expect(routePolicy('GET', '/approve/:token')).toBeUndefined();
    expect(routePolicy('GET', '/login')).toBeUndefined();
  });
});

describe('projectAuthGate', () => {
  it('takes session lifetimes and https from sluice.yaml and the secret from the state folder', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-pgate-')), 'p');
    initProject(dir);
    const file = join(dir, 'sluice.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '  publicUrl: http://127.0.0.1:7300',
        '  publicUrl: https://sluice.example.org\n  sessionIdle: 30m\n  sessionMaxAge: 1d',
      ),
    );
    const project = loadProject(dir);
    const db = openProjectDb(project.paths.db);
    try {
      const gate = projectAuthGate(project, db);
      expect(gate.sessions.limits).toEqual({ idleMs: 30 * 60_000, absoluteMs: 86_400_000 });
      expect(gate.sessionCookie('x')).toMatch(/; Secure$/);
      expect(gate.sessionCookie('x')).toContain('Max-Age=86400');
      expect(statSync(join(project.paths.stateDir, 'secret')).mode & 0o777).toBe(0o600);
    } finally {
      db.close();
    }
    writeFileSync(file, readFileSync(file, 'utf8').replace('sessionIdle: 30m', 'sessionIdle: soon'));
    expect(errorCode(() => loadProject(dir))).toBe('CONFIG_INVALID');
  });
});
