import type { ScryptParams } from '../../src/server/auth/password.js';

/** Cheap scrypt parameters for tests (the hash format and the code path are the real ones). */
export const FAST: ScryptParams = { N: 1024, r: 8, p: 1 };
