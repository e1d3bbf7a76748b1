import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalToken, findToken, hashToken } from '../../src/pipeline/approvals/approvalTokens.js';
import type { Approver } from '../../src/pipeline/approvals/Approver.js';
import { decideApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';
import { ExecutionStore } from '../../src/pipeline/store/ExecutionStore.js';
import { postgresStateDb } from '../../src/state/postgresStateDb.js';
import type { StateDb } from '../../src/state/StateDb.js';
import { stateDrivers } from '../support/stateDrivers.js';

const PIPELINE = parsePipelineYaml(`name: conf\nstart: ask\nstates:\n  ask: { type: approval, next: done }\n  done: { type: succeed }\n`);
const ANA: Approver = { name: 'Ana', role: 'approver' };
const BEN: Approver = { name: 'Ben', role: 'approver' };
const VIC: Approver = { name: 'Vic', role: 'viewer' };
const USERS = [ANA, BEN, VIC];

/**
 * Approval tokens and decisions, the same on SQLite and PostgreSQL (issue 17, point 1): tokens are
 * stored as hashes only, decide once, expire; a decision is recorded whole or not at all.
 */
describe.each(stateDrivers)('approvals conformance: $name', (driver) => {
  let db: StateDb;
  let store: ExecutionStore;
  beforeAll(async () => {
    await driver.start();
    db = await driver.fresh();
    store = await ExecutionStore.open(db);
  }, 120_000);
  afterAll(() => driver.stop(), 60_000);

  /** An execution waiting for the approval of its `ask` step. */
  async function waiting(): Promise<string> {
    const ex = await store.create(PIPELINE, {});
    await store.append(ex.id, [{ type: 'ApprovalRequested', step: 'ask', data: { approvers: null } }], 1, { status: 'waiting' });
    return ex.id;
  }

  it('stores a token only as its hash and finds it by the token', async () => {
    const id = await waiting();
    const expiresAt = Date.now() + 3_600_000;
    const t = await createApprovalToken(db, { executionId: id, step: 'ask', approver: 'Ana', expiresAt });
    expect(t.token.length).toBeGreaterThanOrEqual(43);
    const rows = await db.query<Record<string, unknown>>('SELECT * FROM approval_tokens WHERE execution_id = ?', [id]);
    expect(rows.length).toBe(1);
    expect(JSON.stringify(rows)).not.toContain(t.token);
    expect(rows[0]!.token_hash).toBe(hashToken(t.token));
    expect(await findToken(db, t.token)).toEqual({ id: t.id, execution_id: id, step: 'ask', approver: 'Ana', expires_at: expiresAt, used_at: null });
    expect(await findToken(db, 'not-a-token')).toBeUndefined();
  });

  it('decides by token once: the decision is recorded, the token spent, a second use refused', async () => {
    const id = await waiting();
    const { token } = await createApprovalToken(db, { executionId: id, step: 'ask', approver: 'Ana', expiresAt: Date.now() + 60_000 });
    const out = await decideApproval(store, { decision: 'approve', token, approvers: USERS, comment: 'fine', ip: '10.0.0.1' });
    expect(out).toMatchObject({ decision: 'approved', by: 'Ana', via: 'token', executionId: id, step: 'ask', comment: 'fine', ip: '10.0.0.1' });
    expect((await findToken(db, token))?.used_at).toBe(out.at);
    const events = await store.events(id);
    expect(events.at(-1)).toMatchObject({ type: 'ApprovalDecided', step: 'ask', data: { decision: 'approved', by: 'Ana' } });
    expect((await store.require(id)).wakeAt).toBe(0);
    await expect(decideApproval(store, { decision: 'approve', token, approvers: USERS })).rejects.toMatchObject({ code: 'APPROVAL_TOKEN_USED' });
  });

  it('refuses an expired or unknown token, a removed user and a viewer, changing nothing', async () => {
    const id = await waiting();
    const expired = await createApprovalToken(db, { executionId: id, step: 'ask', approver: 'Ana', expiresAt: Date.now() - 1 });
    await expect(decideApproval(store, { decision: 'approve', token: expired.token, approvers: USERS })).rejects.toMatchObject({
      code: 'APPROVAL_TOKEN_EXPIRED',
    });
    await expect(decideApproval(store, { decision: 'approve', token: 'x'.repeat(43), approvers: USERS })).rejects.toMatchObject({
      code: 'APPROVAL_TOKEN_INVALID',
    });
    const gone = await createApprovalToken(db, { executionId: id, step: 'ask', approver: 'Zoe', expiresAt: Date.now() + 60_000 });
    await expect(decideApproval(store, { decision: 'approve', token: gone.token, approvers: USERS })).rejects.toMatchObject({
      code: 'APPROVAL_USER_UNKNOWN',
    });
    await expect(decideApproval(store, { decision: 'approve', executionId: id, approver: VIC })).rejects.toMatchObject({ code: 'APPROVAL_FORBIDDEN' });
    await expect(decideApproval(store, { decision: 'reject', executionId: id, approver: ANA })).rejects.toMatchObject({
      code: 'APPROVAL_REASON_REQUIRED',
    });
    expect((await store.events(id)).map((e) => e.type)).toEqual(['ExecutionStarted', 'ApprovalRequested']);
    expect((await findToken(db, gone.token))?.used_at).toBeNull();
  });

  it('rolls the token back with the decision when the decision cannot be recorded', async () => {
    const id = await waiting();
    const { token } = await createApprovalToken(db, { executionId: id, step: 'ask', approver: 'Ana', expiresAt: Date.now() + 60_000 });
    await decideApproval(store, { decision: 'reject', executionId: id, approver: BEN, reason: 'bad batch' });
    await expect(decideApproval(store, { decision: 'approve', token, approvers: USERS })).rejects.toMatchObject({ code: 'APPROVAL_NOT_WAITING' });
    expect((await findToken(db, token))?.used_at).toBeNull();
    const decided = (await store.events(id)).filter((e) => e.type === 'ApprovalDecided');
    expect(decided.map((e) => e.data.decision)).toEqual(['rejected']);
  });

  it('records exactly one of two concurrent decisions (two connections on PostgreSQL)', async () => {
    const second = driver.name === 'postgres' ? await ExecutionStore.open(await postgresStateDb(driver.url(), { maxTxRetries: 50 })) : store;
    try {
      for (let round = 0; round < 3; round++) {
        const id = await waiting();
        const a = await createApprovalToken(db, { executionId: id, step: 'ask', approver: 'Ana', expiresAt: Date.now() + 60_000 });
        const b = await createApprovalToken(db, { executionId: id, step: 'ask', approver: 'Ben', expiresAt: Date.now() + 60_000 });
        const results = await Promise.allSettled([
          decideApproval(store, { decision: 'approve', token: a.token, approvers: USERS }),
          decideApproval(second, { decision: 'reject', token: b.token, approvers: USERS, reason: 'no' }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
        const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(['APPROVAL_NOT_WAITING', 'EXECUTION_CHANGED']).toContain((loser.reason as { code: string }).code);
        expect((await store.events(id)).filter((e) => e.type === 'ApprovalDecided').length).toBe(1);
        const used = [await findToken(db, a.token), await findToken(db, b.token)].filter((t) => t?.used_at);
        expect(used.length).toBe(1);
      }
    } finally {
      if (second !== store) await second.db.close();
    }
  });

  it('remembers a sent notice once per key (pipeline_notifications), whichever process sends it', async () => {
    const put = 'INSERT INTO pipeline_notifications (key, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING';
    expect((await db.run(put, ['k1:mail:a@x', new Date().toISOString()])).changes).toBe(1);
    expect((await db.run(put, ['k1:mail:a@x', new Date().toISOString()])).changes).toBe(0);
    expect(await db.one('SELECT 1 AS sent FROM pipeline_notifications WHERE key = ?', ['k1:mail:a@x'])).toEqual({ sent: 1 });
  });
});
