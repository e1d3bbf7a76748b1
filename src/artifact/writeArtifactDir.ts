import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';

/**
 * Writes a folder of files as one unit: into a temporary folder beside it, then renamed into
 * place (an older folder of that name is moved aside first and removed after). A reader sees
 * the old folder or the complete new one, never a model next to a flow from another run.
 */
export async function writeArtifactDir(dir: string, files: Record<string, string>): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${tag}`);
  const old = join(parent, `.${basename(dir)}.old-${tag}`);
  try {
    for (const [name, content] of Object.entries(files)) await atomicWriteFile(join(tmp, name), content);
    await rename(dir, old).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}
