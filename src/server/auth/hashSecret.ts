import { createHash } from 'node:crypto';

/** SHA-256 (hex) of a random secret (session id, API token): what the database keeps instead of the secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
