import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

// The parameters and format of src/server/auth/password.ts (branch auth), so the console accepts it.
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/**
 * A password hash for sluice.yaml `approvers[].passwordHash`: `scrypt$N$r$p$salt$hash` with salt
 * and hash in base64url. The demo writes one for its approver; it stays here only until the
 * console's authentication (src/server/auth) provides the same function.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFC'), salt, KEY_LENGTH, { N, r: R, p: P, maxmem: 256 * N * R * P + 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches a hash made by {@link hashPassword} (constant-time comparison). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = hash.split('$');
  if (kind !== 'scrypt' || !n || !r || !p || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  if (expected.length === 0) return false;
  const [cost, blocks, par] = [Number(n), Number(r), Number(p)];
  if (!Number.isInteger(cost) || cost < 2 || cost > 2 ** 20 || (cost & (cost - 1)) !== 0 || !(blocks >= 1 && blocks <= 32) || !(par >= 1 && par <= 16)) return false;
  const got = await scryptAsync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N: cost, r: blocks, p: par, maxmem: 256 * cost * blocks * par + 1024 * 1024 });
  return timingSafeEqual(got, expected);
}

/** A password a person can type: 4 groups of 4 letters and digits from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  let s = '';
  for (let i = 0; i < 16; i++) s += (i > 0 && i % 4 === 0 ? '-' : '') + alphabet[randomInt(alphabet.length)];
  return s;
}
