import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, statfs } from 'node:fs/promises';
import { SluiceError } from '../../core/errors.js';

/** How much of an input file may be read, and for how long. */
export interface ReadLimits {
  maxBytes: number;
  timeoutMs: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxBytes: 10 * 1024 ** 3, timeoutMs: 10 * 60_000 };

/** Kernel file systems whose "files" are not data: process state, devices, kernel settings (statfs magic numbers). */
const PSEUDO_FS = new Set([
  0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x64626720 /* debugfs */, 0x74726163 /* tracefs */, 0x73636673 /* securityfs */, 0x63677270 /* cgroup2 */,
  0x27e0eb /* cgroup */, 0x1cd1 /* devpts */, 0xcafe4a11 /* bpf */, 0x62656570 /* configfs */, 0xde5e81e4 /* efivarfs */, 0x6165676c /* pstore */,
]);
const PSEUDO_PREFIXES = ['/proc/', '/sys/', '/dev/'];

/** What a file system entry is, in words, for refusals. */
export function kindOf(s: Stats): string {
  if (s.isFile()) return 'a regular file';
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

const refuse = (code: string, message: string, file: string, hint: string, httpStatus = 400) =>
  new SluiceError(code, message, { httpStatus, location: { file }, hint });

/**
 * Why an entry is not a data file, or undefined when it is one: anything but a regular file
 * (devices, FIFOs, sockets, folders), and the files of kernel file systems (/proc, /sys), which
 * look regular but hold the state of processes. `real` is a path with symbolic links resolved.
 */
export async function notDataFile(real: string, s: Stats): Promise<string | undefined> {
  if (!s.isFile()) return kindOf(s);
  const pseudo = PSEUDO_PREFIXES.some((p) => real.startsWith(p)) || PSEUDO_FS.has(Number((await statfs(real).catch(() => ({ type: 0 }))).type));
  return pseudo ? 'on a kernel file system (process or device state)' : undefined;
}

/**
 * The sha256 of a data file, read within bounds: only regular files of ordinary file systems
 * (see {@link notDataFile}; a FIFO is opened without blocking and refused), at most
 * `maxBytes`, within `timeoutMs`. The descriptor read is the one checked, so a file swapped
 * between the check and the read is not read. Errors name the file and never quote its content.
 *
 * @example
 * await sha256File('inbox/batch.csv')                        // 'e3b0c442...'
 * await sha256File('/dev/zero')                              // SluiceError INPUT_NOT_A_FILE, at once
 */
export async function sha256File(path: string, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<string> {
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever; O_NOFOLLOW: the path given is the file read.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw refuse('FILE_NOT_FOUND', `no file ${path}`, path, 'check the path');
    if (code === 'ELOOP')
      throw refuse('INPUT_NOT_A_FILE', `${path} is a symbolic link; the file it points to must be given`, path, 'give the path of the file itself');
    if (code === 'EACCES' || code === 'EPERM')
      throw refuse('INPUT_UNREADABLE', `${path} cannot be read by the server (${code})`, path, 'check the file permissions', 403);
    throw e;
  }
  try {
    const s = await fh.stat();
    const problem = await notDataFile(path, s);
    if (problem) throw refuse('INPUT_NOT_A_FILE', `${path} is ${problem}, not a data file`, path, 'give a data file (CSV, Parquet, JSON lines)');
    if (s.size > limits.maxBytes) {
      throw refuse(
        'INPUT_TOO_LARGE',
        `${path} has ${s.size} bytes; the limit is ${limits.maxBytes}`,
        path,
        'raise inputLimits.maxBytes in sluice.yaml, or split the file',
        413,
      );
    }
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    const deadline = Date.now() + limits.timeoutMs;
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      // A file still growing is not complete yet: refuse past the limit rather than read on.
      if (total > limits.maxBytes)
        throw refuse(
          'INPUT_TOO_LARGE',
          `${path} grew past the limit of ${limits.maxBytes} bytes while being read`,
          path,
          'wait until the file is complete, or raise inputLimits.maxBytes',
          413,
        );
      h.update(buf.subarray(0, bytesRead));
      if (Date.now() > deadline)
        throw refuse(
          'INPUT_READ_TIMEOUT',
          `reading ${path} took longer than ${limits.timeoutMs} ms`,
          path,
          'check the storage the file is on, or raise inputLimits.readTimeout',
          408,
        );
    }
    return h.digest('hex');
  } finally {
    await fh.close();
  }
}
