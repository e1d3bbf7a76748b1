import { randomBytes } from 'node:crypto';

/**
 * One attempt at ingesting a batch: each run of `ingestBatch` for a batch id (the first, a retry
 * after a crash, or a second worker retrying while the first still runs because its lease
 * expired) writes its own offline files and stages its own online entries under
 * `<batch id>#attempt=<attempt>`. Exactly one attempt commits (the registry's row names it);
 * only its files are listed and only its staged entries are applied, so nothing is written twice.
 */
export function newAttempt(): string {
  return randomBytes(6).toString('hex');
}

const SUFFIX = /^([\s\S]*)#attempt=([0-9a-f]{12})$/;

/** The online store's staging key of an attempt of a batch. */
export function stagedBatchKey(batchId: string, attempt: string): string {
  return `${batchId}#attempt=${attempt}`;
}

/** The batch id and attempt of a staging key; a key without an attempt (staged before attempts existed) has attempt null. */
export function parseStagedKey(key: string): { batchId: string; attempt: string | null } {
  const m = SUFFIX.exec(key);
  return m ? { batchId: m[1]!, attempt: m[2]! } : { batchId: key, attempt: null };
}
