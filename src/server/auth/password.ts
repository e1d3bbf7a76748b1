import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SluiceError } from '../../core/errors.js';

/** Longest password accepted: scrypt would take any length, but a megabyte "password" is an attack, not a secret. */
export const MAX_PASSWORD_LENGTH = 1024;

/** scrypt cost parameters, kept in every stored hash so they can be raised without breaking old ones. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's recommended minimum for scrypt (N=2^15, r=8, p=1): about 32 MiB and ~0.1 s per check. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 32768, r: 8, p: 1 };
const KEY_LENGTH = 32;
/** Memory one check may take (128·N·r bytes): 256 MiB, eight times the default. */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

function scryptAsync(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r * params.p + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** Refuses passwords that are empty or absurdly long, with a message a person can act on. */
export function checkPasswordInput(password: unknown): string {
  if (typeof password !== 'string' || password.length === 0) {
    throw new SluiceError('PASSWORD_MISSING', 'no password given', { hint: 'type a password (at least 8 characters)', location: { field: 'password' } });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new SluiceError('PASSWORD_TOO_LONG', `the password is ${password.length} characters; at most ${MAX_PASSWORD_LENGTH} are accepted`, {
      hint: 'use a shorter password',
      location: { field: 'password' },
    });
  }
  return password;
}

/**
 * Hashes a password for `passwordHash` in sluice.yaml: `scrypt$N$r$p$salt$hash` (salt and hash
 * base64url, 16 random bytes of salt, 32 bytes of key).
 *
 * @example
 * await hashPassword('correct horse battery staple') // 'scrypt$32768$8$1$3q...$Zk...'
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  checkPasswordInput(password);
  if (password.length < 8) {
    throw new SluiceError('PASSWORD_TOO_SHORT', 'the password is shorter than 8 characters', {
      hint: 'choose a longer password; a few random words are easy to type and hard to guess',
      location: { field: 'password' },
    });
  }
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** A stored hash taken apart; undefined when it is not one this module wrote (or parameters are out of bounds). */
export function parsePasswordHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  // Bounds keep a mistyped or hostile config from making each login allocate gigabytes.
  const powerOfTwo = Number.isInteger(N) && N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return undefined;
  if (128 * N * r > MAX_SCRYPT_MEMORY) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8 || key.length < 16) return undefined;
  return { params: { N, r, p }, salt, key };
}

/** Whether `stored` is a password hash Sluice can check. */
export function isPasswordHash(stored: string): boolean {
  return parsePasswordHash(stored) !== undefined;
}

const DUMMY = `scrypt$${DEFAULT_SCRYPT.N}$${DEFAULT_SCRYPT.r}$${DEFAULT_SCRYPT.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

/**
 * Checks a password against a stored hash in constant time. With no stored hash (unknown user,
 * or a user without a password) it still does the same work, so timing does not tell which names exist.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = parsePasswordHash(stored ?? DUMMY) ?? parsePasswordHash(DUMMY)!;
  const key = await scryptAsync(password.slice(0, MAX_PASSWORD_LENGTH), parsed.salt, parsed.params);
  const same = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  return same && stored !== undefined && parsePasswordHash(stored) !== undefined && password.length <= MAX_PASSWORD_LENGTH;
}
