import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SluiceError } from '../../core/errors.js';

/** A project's configuration file, at its root. */
export const CONFIG_FILE = 'sluice.yaml';

/**
 * The nearest folder at or above `start` holding a sluice.yaml. Its own small module: commands
 * that only ask whether they run in a project (`sluice flow run`) do not load the project reader
 * and its schemas.
 */
export function findProjectRoot(start = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, CONFIG_FILE))) return dir;
    const up = dirname(dir);
    if (up === dir) {
      throw new SluiceError('PROJECT_NOT_FOUND', `no ${CONFIG_FILE} in ${resolve(start)} or any folder above it`, {
        hint: 'run `sluice init` to create a project, or pass --project DIR',
      });
    }
    dir = up;
  }
}
