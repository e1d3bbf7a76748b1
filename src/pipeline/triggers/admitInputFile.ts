import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import { quoteValue } from '../../core/quoteValue.js';
import { notDataFile } from './readInputFile.js';

/** Where input files may come from, and what inside those folders is still refused. */
export interface InputRoots {
  /** Folders whose files may be inputs (the inbox, the archive, sluice.yaml `inputRoots`). */
  roots: readonly string[];
  /** Files and folders never read even inside a root: the state folder and sluice.yaml. */
  denied: readonly string[];
  /** Relative paths are relative to this folder (the project's). */
  base: string;
}

/** The input roots of a project: its inbox and archive, the `inputRoots` of sluice.yaml, minus its state folder and sluice.yaml. */
export function projectInputRoots(p: {
  root: string;
  file: string;
  paths: { inbox: string; archive: string; stateDir: string };
  config: { inputRoots: readonly string[] };
}): InputRoots {
  return {
    roots: [p.paths.inbox, p.paths.archive, ...p.config.inputRoots.map((r) => resolve(p.root, r))],
    denied: [p.paths.stateDir, p.file],
    base: p.root,
  };
}

const inside = (path: string, folder: string): boolean => {
  const r = relative(folder, path);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
};

/** A folder with its symbolic links resolved; as written when it does not exist (nothing can be inside it then). */
async function real(folder: string): Promise<string> {
  return realpath(folder).catch(() => resolve(folder));
}

/**
 * Checks that `given` (absolute, or relative to the project) may start an execution, and returns
 * the file to use: its real path, with symbolic links resolved. Refused, with nothing of the
 * file read: a file outside the roots, or a symbolic link (at any level) leading out of them
 * (403 INPUT_OUTSIDE_ROOTS); Sluice's own state (403 INPUT_REFUSED); anything but a regular file
 * of an ordinary file system: devices, FIFOs, sockets, folders, /proc (400 INPUT_NOT_A_FILE);
 * a missing file (400 FILE_NOT_FOUND). Messages quote the path as given, cut to 200 characters.
 *
 * @example
 * await admitInputFile('data/batch.csv', projectInputRoots(project)) // '/srv/p/data/batch.csv'
 * await admitInputFile('/etc/passwd', projectInputRoots(project))    // SluiceError INPUT_OUTSIDE_ROOTS
 */
export async function admitInputFile(given: string, policy: InputRoots): Promise<string> {
  const shown = quoteValue(given);
  const path = isAbsolute(given) ? given : join(policy.base, given);
  // Where the path leads; as written when nothing is there. The roots are checked first, so
  // nobody learns whether a file exists outside them.
  const found = await realpath(path).catch((e: NodeJS.ErrnoException) => e);
  const file = found instanceof Error ? join(await real(dirname(resolve(path))), basename(path)) : found;
  const roots = await Promise.all(policy.roots.map(real));
  if (!roots.some((r) => inside(file, r))) {
    const via = [...roots, ...policy.roots.map((r) => resolve(r))].some((r) => inside(resolve(path), r))
      ? ' (through a symbolic link leading out of them)'
      : '';
    throw new SluiceError('INPUT_OUTSIDE_ROOTS', `${shown} is outside the folders the server takes files from${via}`, {
      httpStatus: 403,
      location: { field: 'file' },
      hint: 'put the file in the inbox, or add its folder to inputRoots in sluice.yaml (docs/configuration.md)',
    });
  }
  const denied = await Promise.all(policy.denied.map(real));
  if (denied.some((d) => inside(file, d))) {
    throw new SluiceError('INPUT_REFUSED', `${shown} is part of Sluice's own state or configuration, not a data file`, {
      httpStatus: 403,
      location: { field: 'file' },
      hint: 'give a data file',
    });
  }
  if (found instanceof Error) {
    if (found.code === 'ENOENT' || found.code === 'ENOTDIR') {
      throw new SluiceError('FILE_NOT_FOUND', `no file ${shown} on the server`, {
        httpStatus: 400,
        location: { field: 'file' },
        hint: 'give a path in the inbox or in a folder of inputRoots (sluice.yaml), absolute or relative to the project',
      });
    }
    throw new SluiceError('INPUT_UNREADABLE', `${shown} cannot be read by the server (${found.code ?? 'error'})`, {
      httpStatus: 403,
      location: { field: 'file' },
      hint: 'check the path and its permissions',
    });
  }
  const problem = await notDataFile(file, await stat(file));
  if (problem) {
    throw new SluiceError('INPUT_NOT_A_FILE', `${shown} is ${problem}, not a data file`, {
      httpStatus: 400,
      location: { field: 'file' },
      hint: 'give a regular data file (CSV, Parquet, JSON lines)',
    });
  }
  return file;
}
