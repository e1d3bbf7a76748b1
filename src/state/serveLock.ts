import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** What `.sluice/serve.lock` says about the `sluice serve` that holds the project. */
export interface ServeLock {
  pid: number;
  hostname: string;
  startedAt: string;
  address?: string;
}

const FILE = 'serve.lock';

/** Where a project's serve lock is: `<stateDir>/serve.lock`. */
export function serveLockPath(stateDir: string): string {
  return join(stateDir, FILE);
}

/**
 * Records that this process serves the project (`sluice serve`), so commands that must not run
 * beside a server (`sluice restore`) can refuse. Written under a temporary name and renamed.
 * The returned function removes the lock, only if it is still this process's.
 *
 * @example
 * const release = holdServeLock(project.paths.stateDir, { address });
 * process.once('exit', release);
 */
export function holdServeLock(stateDir: string, info: { address?: string } = {}): () => void {
  const path = serveLockPath(stateDir);
  const lock: ServeLock = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), ...info };
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(lock)}\n`);
  renameSync(tmp, path);
  return () => {
    if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/**
 * The `sluice serve` running on this project, if any: the lock names a process of this machine
 * that is alive and (where /proc shows it) runs Sluice. A lock left by a server that was killed
 * (-9, power loss) names a dead process, or one whose pid was reused by another program, and
 * is ignored. Reads only.
 */
export function runningServer(stateDir: string): ServeLock | undefined {
  const lock = readLock(serveLockPath(stateDir));
  if (!lock || lock.hostname !== hostname() || lock.pid === process.pid) return undefined;
  try {
    process.kill(lock.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined; // ESRCH: no such process
  }
  const cmdline = readText(`/proc/${lock.pid}/cmdline`);
  if (cmdline !== undefined && !/sluice/i.test(cmdline)) return undefined;
  return lock;
}

function readLock(path: string): ServeLock | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<ServeLock>;
    return typeof v.pid === 'number' && typeof v.hostname === 'string' ? (v as ServeLock) : undefined;
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
