import { copyFile, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import type { ExecutionRecord, ExecutionStore } from '../pipeline/store/ExecutionStore.js';
import { sleep } from './sleep.js';

/**
 * Copies `file` into the inbox the way a careful producer does (a partial name the watcher
 * ignores, then a rename), and resolves with the execution the watcher starts for it.
 */
export async function dropIntoInbox(store: ExecutionStore, file: string, inbox: string, signal: AbortSignal, timeoutMs = 60_000): Promise<ExecutionRecord> {
  const before = new Set((await store.list({ limit: 1000 })).map((r) => r.id));
  const name = basename(file);
  const partial = join(inbox, `${name}.part`);
  await copyFile(file, partial);
  await rename(partial, join(inbox, name));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rec = (await store.list({ limit: 20 })).find((r) => !before.has(r.id) && r.file !== null && basename(r.file) === name);
    if (rec) return rec;
    await sleep(100, signal);
  }
  throw new SluiceError('DEMO_INBOX_TIMEOUT', `no execution started for ${name} within ${timeoutMs / 1000} s of dropping it into ${inbox}`, {
    hint: 'the inbox watcher did not take the file; run with SLUICE_LOG=info to see why',
  });
}
