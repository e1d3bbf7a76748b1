import { createHash, randomBytes } from 'node:crypto';
import type { StateDb } from '../../state/StateDb.js';

/** sha256 of a token, hex: the only form in which a token is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Creates a single-use approval token for one approver of one approval step: 256 random bits,
 * base64url. Only its hash is stored; the plain token exists in the message sent to the approver.
 */
export async function createApprovalToken(
  db: StateDb,
  t: { executionId: string; step: string; approver?: string | undefined; expiresAt: number },
): Promise<{ id: string; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const id = `tok-${randomBytes(6).toString('hex')}`;
  await db.run('INSERT INTO approval_tokens (id, execution_id, step, token_hash, approver, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    id,
    t.executionId,
    t.step,
    hashToken(token),
    t.approver ?? null,
    new Date().toISOString(),
    t.expiresAt,
  ]);
  return { id, token };
}

export interface TokenRow {
  id: string;
  execution_id: string;
  step: string;
  approver: string | null;
  expires_at: number;
  used_at: string | null;
}

/** Looks a presented token up by its hash. */
export function findToken(db: StateDb, token: string): Promise<TokenRow | undefined> {
  return db.one<TokenRow>('SELECT id, execution_id, step, approver, expires_at, used_at FROM approval_tokens WHERE token_hash = ?', [hashToken(token)]);
}
