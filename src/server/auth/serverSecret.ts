import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../core/errors.js';

/** The file, under the state folder, holding the key that signs session cookies and CSRF tokens. */
export const SECRET_FILE = 'secret';

/**
 * The server's signing secret from `<stateDir>/secret`, created (mode 0600, 32 random bytes as
 * hex) on first use. Kept on disk so sessions survive a restart and every process of the
 * project signs alike; deleting the file logs everybody out.
 *
 * @example
 * const secret = loadServerSecret(project.paths.stateDir);
 */
export function loadServerSecret(stateDir: string): Buffer {
  const path = join(stateDir, SECRET_FILE);
  mkdirSync(stateDir, { recursive: true });
  try {
    // 'wx' fails when the file exists, so two processes starting together keep one secret.
    writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SluiceError('SECRET_UNWRITABLE', `cannot create the server secret ${path}: ${(e as Error).message}`, {
        hint: 'check that the state folder is writable by the user running sluice',
        location: { file: path },
      });
    }
  }
  // A secret others can read lets them forge sessions: tighten it rather than serve with it open.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64,}$/i.test(text)) {
    throw new SluiceError('SECRET_INVALID', `${path} does not hold a secret Sluice wrote (64 or more hex digits)`, {
      hint: 'delete the file; a new one is created on the next start (everybody will have to log in again)',
      location: { file: path },
    });
  }
  return Buffer.from(text, 'hex');
}
