import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/**
 * The one way Sluice hashes a file: SHA-256 over its bytes, streamed so a batch larger than memory
 * costs none. Lineage, backups, the feature store's batch ids and the model registry all use it,
 * so the same file gives the same hash wherever it is recorded.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 (hex) and size of a file (backup manifests, training lineage). */
export async function fileFingerprint(path: string): Promise<{ sha256: string; bytes: number }> {
  return { sha256: await sha256File(path), bytes: (await stat(path)).size };
}
