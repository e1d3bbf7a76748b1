import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/server/auth/AuditLog.js';
import { hashSecret } from '../../src/server/auth/hashSecret.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter } from '../../src/server/auth/LoginLimiter.js';
import { SessionStore } from '../../src/server/auth/SessionStore.js';
import { TOKEN_PREFIX, TokenStore } from '../../src/server/auth/TokenStore.js';
import { postgresStateDb } from '../../src/state/postgresStateDb.js';
import type { StateDb } from '../../src/state/StateDb.js';
import { stateDrivers } from '../support/stateDrivers.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

/**
 * The authentication stores (users' sessions, API tokens, the audit log, the login limiter), the
 * same on SQLite and PostgreSQL (issue 17, point 1). The users themselves are sluice.yaml's
 * `approvers` (configuration, not state). One PostgreSQL cluster for the file; each store suite
 * gets a fresh database.
 */
describe.each(stateDrivers)('auth stores conformance: $name', (driver) => {
  beforeAll(() => driver.start(), 120_000);
  afterAll(() => driver.stop(), 60_000);

  describe('SessionStore', () => {
    let db: StateDb;
    let t = T0;
    let sessions: SessionStore;
    beforeAll(async () => {
      db = await driver.fresh();
      sessions = new SessionStore(db, { idleMs: 3_600_000, absoluteMs: 86_400_000 }, () => t);
    });

    it('keeps only the hash of a session id, finds the session by the id, and ends it', async () => {
      const id = await sessions.create('Ana', { ip: '192.0.2.1', userAgent: 'x'.repeat(500) });
      const rows = await db.query<Record<string, unknown>>('SELECT * FROM auth_sessions');
      expect(rows.length).toBe(1);
      expect(JSON.stringify(rows)).not.toContain(id);
      expect(rows[0]).toMatchObject({ id_hash: hashSecret(id), user: 'Ana', created_at: T0, ip: '192.0.2.1' });
      expect(String(rows[0]!.user_agent).length).toBe(300);
      expect(await sessions.lookup(id)).toEqual({ idHash: hashSecret(id), user: 'Ana', createdAt: T0, lastSeenAt: T0 });
      expect(await sessions.lookup('not-a-session')).toBeUndefined();
      expect(await sessions.delete(id)).toBe(true);
      expect(await sessions.delete(id)).toBe(false);
      expect(await sessions.lookup(id)).toBeUndefined();
    });

    it('ends a session idle too long, and one past its absolute age however active', async () => {
      t = T0;
      const idle = await sessions.create('Ben');
      const busy = await sessions.create('Ben');
      for (let h = 0; h < 25; h++) {
        t = T0 + h * 3_000_000; // every 50 minutes: never idle for an hour
        if (t - T0 <= 86_400_000) expect(await sessions.lookup(busy), `hour ${h}`).toBeDefined();
      }
      expect(await sessions.lookup(idle)).toBeUndefined();
      t = T0 + 86_400_001;
      expect(await sessions.lookup(busy)).toBeUndefined();
      expect(await sessions.count('ben')).toBe(0);
    });

    it('counts and ends every session of a user, ignoring the case of the name', async () => {
      t = T0 + 100 * 86_400_000;
      await sessions.create('Cleo');
      await sessions.create('cleo');
      await sessions.create('Dan');
      expect(await sessions.count('CLEO')).toBe(2);
      expect(await sessions.deleteUser('cLeO')).toBe(2);
      expect(await sessions.count('cleo')).toBe(0);
      expect(await sessions.count('Dan')).toBe(1);
      t += 86_400_001;
      expect(await sessions.purgeExpired()).toBe(1);
    });
  });

  describe('TokenStore', () => {
    let db: StateDb;
    let t = T0;
    let tokens: TokenStore;
    beforeAll(async () => {
      db = await driver.fresh();
      tokens = new TokenStore(db, () => t);
    });

    it('shows a token once and keeps its hash; checks it, recording its last use', async () => {
      const { token, info } = await tokens.create('Ana', { name: 'laptop', expiresAt: T0 + 86_400_000 });
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(info).toEqual({
        id: info.id,
        user: 'Ana',
        name: 'laptop',
        createdAt: new Date(T0).toISOString(),
        expiresAt: new Date(T0 + 86_400_000).toISOString(),
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(JSON.stringify(await db.query('SELECT * FROM auth_tokens'))).not.toContain(token);
      t = T0 + 5000;
      const ok = await tokens.check(token);
      expect(ok).toMatchObject({ ok: true, token: { id: info.id, user: 'Ana', lastUsedAt: new Date(T0 + 5000).toISOString() } });
      expect((await tokens.get(info.id))?.lastUsedAt).toBe(new Date(T0 + 5000).toISOString());
      expect(await tokens.check(`${TOKEN_PREFIX}nope`)).toEqual({ ok: false, reason: 'unknown' });
      expect(await tokens.check('not-even-prefixed')).toEqual({ ok: false, reason: 'unknown' });
      t = T0 + 86_400_000;
      expect(await tokens.check(token)).toMatchObject({ ok: false, reason: 'expired' });
    });

    it('lists newest first (a user case-insensitively) and revokes once', async () => {
      t = T0 + 10;
      const a = await tokens.create('Ben', { name: 'ci' });
      t = T0 + 20;
      const b = await tokens.create('ben');
      expect((await tokens.list({ user: 'BEN' })).map((x) => x.id)).toEqual([b.info.id, a.info.id]);
      expect((await tokens.list()).length).toBe(3);
      const revoked = await tokens.revoke(a.info.id);
      expect(revoked.revokedAt).toBe(new Date(t).toISOString());
      expect(await tokens.check(a.token)).toMatchObject({ ok: false, reason: 'revoked' });
      await expect(tokens.revoke(a.info.id)).rejects.toMatchObject({ code: 'TOKEN_ALREADY_REVOKED' });
      await expect(tokens.revoke('tok_nope')).rejects.toMatchObject({ code: 'TOKEN_NOT_FOUND' });
      await expect(tokens.create('Ben', { expiresAt: t - 1 })).rejects.toMatchObject({ code: 'TOKEN_BAD_EXPIRY' });
      await expect(tokens.create('Ben', { name: 'n'.repeat(201) })).rejects.toMatchObject({ code: 'TOKEN_BAD_NAME' });
    });
  });

  describe('AuditLog', () => {
    let db: StateDb;
    let audit: AuditLog;
    beforeAll(async () => {
      db = await driver.fresh();
      audit = new AuditLog(db, () => T0);
    });

    it('appends with increasing ids and lists newest first, filtered by actor, action or action prefix, paged', async () => {
      const a = await audit.append({ actor: 'Ana', action: 'approval.approve', target: 'execution:ex-1', detail: null, ip: '192.0.2.1' });
      const b = await audit.append({ actor: 'Ben', action: 'approval.reject', target: 'execution:ex-2', detail: 'bad', ip: null });
      const c = await audit.append({ actor: 'Ana', action: 'model.promote', target: 'model:m/1', detail: 'x'.repeat(3000), ip: null });
      expect(b.id).toBeGreaterThan(a.id);
      expect(c.id).toBeGreaterThan(b.id);
      expect(a).toEqual({
        id: a.id,
        at: new Date(T0).toISOString(),
        actor: 'Ana',
        action: 'approval.approve',
        target: 'execution:ex-1',
        detail: null,
        ip: '192.0.2.1',
      });
      expect(c.detail?.length).toBe(2001);
      expect((await audit.list()).map((e) => e.id)).toEqual([c.id, b.id, a.id]);
      expect((await audit.list({ actor: 'Ana' })).map((e) => e.id)).toEqual([c.id, a.id]);
      expect((await audit.list({ action: 'approval.' })).map((e) => e.id)).toEqual([b.id, a.id]);
      expect((await audit.list({ action: 'approval' })).map((e) => e.id)).toEqual([]);
      expect((await audit.list({ action: 'model.promote' })).map((e) => e.id)).toEqual([c.id]);
      expect((await audit.list({ before: c.id, limit: 1 })).map((e) => e.id)).toEqual([b.id]);
      expect((await audit.list({ limit: 0 })).length).toBe(1);
      expect((await audit.list())[2]).toEqual(a);
    });

    it('keeps every entry of concurrent appenders (two connections on PostgreSQL)', async () => {
      const other = driver.name === 'postgres' ? await postgresStateDb(driver.url()) : db;
      try {
        const second = new AuditLog(other, () => T0);
        const before = (await audit.list({ limit: 10_000 })).length;
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? second : audit).append({ actor: `u${i}`, action: 'x', target: 't', detail: null, ip: null })),
        );
        const all = await audit.list({ limit: 10_000 });
        expect(all.length).toBe(before + 20);
        expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
      } finally {
        if (other !== db) await other.close();
      }
    });
  });

  describe('LoginLimiter', () => {
    let db: StateDb;
    beforeAll(async () => {
      db = await driver.fresh();
    });

    it('doubles the wait of a name at one address with each failure, up to the window; a success clears it', async () => {
      const limiter = new LoginLimiter(db, DEFAULT_LOGIN_LIMITS, () => T0);
      const waits: number[] = [];
      for (let i = 0; i < 10; i++) {
        await limiter.fail('Root', '192.0.2.9');
        waits.push(await limiter.retryAfter('Root', '192.0.2.9'));
      }
      expect(waits).toEqual([0, 0, 0, 0, 60, 120, 240, 480, 900, 900]);
      expect(await limiter.retryAfter('Ana', '192.0.2.9')).toBe(0);
      expect(await limiter.retryAfter('Root', '192.0.2.10')).toBe(0);
      await limiter.succeed('Root', '192.0.2.9');
      expect(await limiter.retryAfter('Root', '192.0.2.9')).toBe(0);
      expect(await db.query('SELECT "user", ip, at FROM auth_login_known')).toEqual([{ user: 'root', ip: '192.0.2.9', at: T0 }]);
    });

    it('limits an address over all names, and a name over all addresses except those it signed in from', async () => {
      let t = T0 + 86_400_000;
      const limits = { ...DEFAULT_LOGIN_LIMITS, perIp: 3, perUser: 4 };
      const limiter = new LoginLimiter(db, limits, () => t);
      for (const name of ['a', 'b', 'c']) await limiter.fail(name, '198.51.100.1');
      expect(await limiter.retryAfter('d', '198.51.100.1')).toBe(900);
      await limiter.succeed('Eve', '203.0.113.7');
      for (let i = 0; i < 4; i++) await limiter.fail('Eve', `198.51.100.${10 + i}`);
      expect(await limiter.retryAfter('Eve', '198.51.100.99')).toBe(900);
      expect(await limiter.retryAfter('Eve', '203.0.113.7')).toBe(0);
      t += 15 * 60_000 + 1;
      expect(await limiter.retryAfter('d', '198.51.100.1')).toBe(0);
      expect(await limiter.retryAfter('Eve', '198.51.100.99')).toBe(0);
    });

    it('is shared by every process of the project: failures counted by one limiter stop another (two connections on PostgreSQL)', async () => {
      const other = driver.name === 'postgres' ? await postgresStateDb(driver.url()) : db;
      try {
        const t = T0 + 10 * 86_400_000;
        const one = new LoginLimiter(db, DEFAULT_LOGIN_LIMITS, () => t);
        const two = new LoginLimiter(other, DEFAULT_LOGIN_LIMITS, () => t);
        await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? two : one).fail('Zed', '192.0.2.50')));
        expect(await one.retryAfter('Zed', '192.0.2.50')).toBe(120);
        expect(await two.retryAfter('Zed', '192.0.2.50')).toBe(120);
      } finally {
        if (other !== db) await other.close();
      }
    });
  });
});
