import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { createApprovalToken, findToken, hashToken } from '../../src/pipeline/approvals/approvalTokens.js';
import { decideApproval, type DecisionRequest } from '../../src/pipeline/approvals/decideApproval.js';
import { ActivityRegistry, orchestrator, pipeline, tempProject } from './support.js';

const USERS = [
  { name: 'ana', role: 'approver' as const },
  { name: 'zoe', role: 'admin' as const },
];
const DEF = pipeline(`start: ask\nstates:\n  ask: { type: approval, timeout: 1h, approvers: [ana, admin], next: done }\n  done: { type: succeed }\n`);

async function waitingExecution() {
  const p = await tempProject();
  const o = orchestrator(p, new ActivityRegistry());
  const ex = await o.start({}, { pipeline: DEF });
  await o.runUntilIdle();
  expect((await p.store.require(ex.id)).status).toBe('waiting');
  return { p, o, id: ex.id };
}

async function refusal(fn: () => Promise<unknown>): Promise<SluiceError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof SluiceError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('approvals', () => {
  it('tokens are 256 random bits, stored only as a sha256 hash', async () => {
    const { p, id } = await waitingExecution();
    const { token } = await createApprovalToken(p.state, { executionId: id, step: 'ask', approver: 'ana', expiresAt: Date.now() + 60_000 });
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const rows = p.db.prepare('SELECT * FROM approval_tokens').all() as Array<Record<string, unknown>>;
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.token_hash).toBe(hashToken(token));
    expect((await findToken(p.state, token))?.execution_id).toBe(id);
  });

  it('decides by token once; records who, when, where and the comment', async () => {
    const { p, o, id } = await waitingExecution();
    const { token } = await createApprovalToken(p.state, { executionId: id, step: 'ask', approver: 'ana', expiresAt: Date.now() + 60_000 });
    const before = (await p.store.events(id)).length;
    const d = await decideApproval(p.store, { token, approvers: USERS, decision: 'approve', comment: 'ok <b>', ip: '192.0.2.7' });
    expect(d).toMatchObject({ decision: 'approved', by: 'ana', via: 'token', comment: 'ok <b>', ip: '192.0.2.7', executionId: id, step: 'ask' });
    expect(await p.store.events(id)).toHaveLength(before + 1);
    // The same link again: refused, nothing changes.
    const again = await refusal(async () => await decideApproval(p.store, { token, approvers: USERS, decision: 'reject', reason: 'changed my mind' }));
    expect(again.code).toBe('APPROVAL_TOKEN_USED');
    expect(again.httpStatus).toBe(409);
    expect(await p.store.events(id)).toHaveLength(before + 1);
    await o.runUntilIdle();
    expect((await p.store.require(id)).status).toBe('succeeded');
  });

  it('refuses wrong, expired and foreign tokens, deciding twice, and executions not waiting, changing nothing', async () => {
    const { p, id } = await waitingExecution();
    const history = async () => (await p.store.events(id)).length;
    const n0 = await history();
    const expired = await createApprovalToken(p.state, { executionId: id, step: 'ask', approver: 'ana', expiresAt: Date.now() - 1 });
    const cases: Array<[DecisionRequest, string, number]> = [
      [{ token: 'not-a-token', approvers: USERS, decision: 'approve' }, 'APPROVAL_TOKEN_INVALID', 403],
      [{ token: expired.token, approvers: USERS, decision: 'approve' }, 'APPROVAL_TOKEN_EXPIRED', 410],
      [{ token: expired.token, approvers: USERS, executionId: 'ex-other', decision: 'approve' }, 'APPROVAL_TOKEN_INVALID', 403],
      [{ executionId: id, decision: 'approve' }, 'APPROVAL_UNAUTHENTICATED', 401],
      [{ executionId: id, approver: { name: 'bo', role: 'approver' }, decision: 'approve' }, 'APPROVAL_FORBIDDEN', 403],
      [{ executionId: id, approver: { name: 'ana', role: 'viewer' }, decision: 'approve' }, 'APPROVAL_FORBIDDEN', 403],
      [{ executionId: id, approver: { name: 'ana', role: 'approver' }, decision: 'reject' }, 'APPROVAL_REASON_REQUIRED', 400],
      [{ executionId: id, approver: { name: 'ana', role: 'approver' }, decision: 'reject', reason: '   ' }, 'APPROVAL_REASON_REQUIRED', 400],
      [{ executionId: 'ex-missing', approver: { name: 'ana', role: 'approver' }, decision: 'approve' }, 'EXECUTION_NOT_FOUND', 404],
    ];
    for (const [req, code, status] of cases) {
      const e = await refusal(async () => await decideApproval(p.store, req));
      expect(e.code, JSON.stringify(req)).toBe(code);
      expect(e.httpStatus).toBe(status);
      expect(e.hint).toBeTruthy();
    }
    expect(await history()).toBe(n0);
    // A role named in `approvers` may decide; then a second decision is refused.
    await decideApproval(p.store, { executionId: id, approver: { name: 'zoe', role: 'admin' }, decision: 'reject', reason: 'drift too high' });
    const twice = await refusal(
      async () => await decideApproval(p.store, { executionId: id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' }),
    );
    expect(twice.code).toBe('APPROVAL_NOT_WAITING');
    expect(twice.message).toContain('already rejected by zoe');
    expect(await history()).toBe(n0 + 1);
  });

  it('refuses to decide an execution that has ended', async () => {
    const { p, o, id } = await waitingExecution();
    const { token } = await createApprovalToken(p.state, { executionId: id, step: 'ask', approver: 'ana', expiresAt: Date.now() + 60_000 });
    await decideApproval(p.store, { executionId: id, approver: { name: 'ana', role: 'approver' }, decision: 'approve' });
    await o.runUntilIdle();
    expect((await p.store.require(id)).status).toBe('succeeded');
    const e = await refusal(async () => await decideApproval(p.store, { token, approvers: USERS, decision: 'approve' }));
    expect(e.code).toBe('APPROVAL_NOT_WAITING');
    expect(e.message).toContain('it is succeeded');
  });

  it('re-checks the person at decision time: a link of a user since removed or demoted to viewer does not decide', async () => {
    const { p, o, id } = await waitingExecution();
    const link = async () => (await createApprovalToken(p.state, { executionId: id, step: 'ask', approver: 'ana', expiresAt: Date.now() + 60_000 })).token;
    const before = (await p.store.events(id)).length;
    const removed = await refusal(
      async () => await decideApproval(p.store, { token: await link(), approvers: [{ name: 'zoe', role: 'admin' }], decision: 'approve' }),
    );
    expect([removed.code, removed.httpStatus]).toEqual(['APPROVAL_USER_UNKNOWN', 403]);
    expect(removed.message).toContain('"ana" is not a user of this project any more');
    const demoted = await refusal(
      async () => await decideApproval(p.store, { token: await link(), approvers: [{ name: 'Ana', role: 'viewer' }], decision: 'approve' }),
    );
    expect([demoted.code, demoted.httpStatus]).toEqual(['APPROVAL_FORBIDDEN', 403]);
    expect(demoted.message).toContain('Ana is a viewer');
    // An approver resolved earlier (a session, an API token) is re-checked the same way.
    const stale = await refusal(
      async () =>
        await decideApproval(p.store, {
          executionId: id,
          approver: { name: 'ana', role: 'approver' },
          approvers: [{ name: 'ana', role: 'viewer' }],
          decision: 'approve',
        }),
    );
    expect(stale.code).toBe('APPROVAL_FORBIDDEN');
    expect(await p.store.events(id)).toHaveLength(before);
    // A refused link is not spent: once Ana is an approver again, it decides.
    const token = await link();
    await refusal(async () => await decideApproval(p.store, { token, approvers: [], decision: 'approve' }));
    expect(await decideApproval(p.store, { token, approvers: USERS, decision: 'approve' })).toMatchObject({ by: 'ana', via: 'token' });
    await o.runUntilIdle();
    expect((await p.store.require(id)).status).toBe('succeeded');
  });
});
