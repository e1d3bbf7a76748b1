import { existsSync } from 'node:fs';

/** Error codes that mean the disk (or the quota) is full: the write can succeed later, unchanged. */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** What a disk-full failure says: its code and, when known, the file it was writing. */
export interface DiskFull {
  code: string;
  path: string | undefined;
  message: string;
}

/**
 * The disk-full failure inside `e` (itself or a cause, as activities wrap errors), or undefined.
 *
 * @example
 * const full = diskFullOf(e); // { code: 'ENOSPC', path: '.sluice/models/...', message }
 */
export function diskFullOf(e: unknown): DiskFull | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 6 && cur && typeof cur === 'object'; depth++) {
    const x = cur as { code?: unknown; path?: unknown; message?: unknown; cause?: unknown; location?: { file?: unknown } };
    const message = typeof x.message === 'string' ? x.message : '';
    const code =
      typeof x.code === 'string' && FULL.has(x.code)
        ? x.code
        : /\bENOSPC\b|no space left on device/i.test(message)
          ? 'ENOSPC'
          : /database or disk is full/i.test(message)
            ? 'SQLITE_FULL'
            : undefined;
    if (code) {
      const path = typeof x.path === 'string' ? x.path : typeof x.location?.file === 'string' ? x.location.file : undefined;
      return { code, path, message: message.slice(0, 300) };
    }
    cur = x.cause;
  }
  return undefined;
}

/**
 * The fault-injection seam for the disk-full tests (`test/state/diskFull.test.ts`). With
 * `SLUICE_FAULT_DISK_FULL=<switch file>` in the environment, while that switch file exists,
 * file writes through `atomicWriteFile` fail with ENOSPC (`files`), and with
 * `SLUICE_FAULT_DISK_FULL_SCOPE=all` the execution store's writes fail with SQLITE_FULL too.
 * Unset (always, outside tests), each call is one environment lookup.
 */
export function diskFullFault(path: string, kind: 'file' | 'state' = 'file'): void {
  const sw = process.env.SLUICE_FAULT_DISK_FULL;
  if (!sw || (kind === 'state' && process.env.SLUICE_FAULT_DISK_FULL_SCOPE !== 'all') || !existsSync(sw)) return;
  if (kind === 'state') throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC', errno: -28, syscall: 'write', path });
}
