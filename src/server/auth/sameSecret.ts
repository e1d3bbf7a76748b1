import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether a presented shared secret equals the expected one, in constant time whatever either
 * holds: both are hashed first, so secrets of different lengths in bytes (non-ASCII characters,
 * a header Node decoded as latin1) compare as unequal instead of throwing.
 *
 * @example
 * sameSecret(req.headers['x-sluice-secret'], process.env.HOOK_SECRET!) // false for 'é' vs 'e'
 */
export function sameSecret(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  return timingSafeEqual(digest(presented), digest(expected));
}
