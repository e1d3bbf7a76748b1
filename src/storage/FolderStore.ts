import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { fileFingerprint } from '../core/fileHash.js';
import { inside } from '../core/projectLayout.js';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';
import { checkObjectKey } from './objectKey.js';
import type { ObjectStore } from './ObjectStore.js';

/** The object listing a published folder's files; put last, so its presence means the folder is whole. */
export const FOLDER_INDEX = '.sluice-folder.json';

interface FolderIndex {
  format: 'sluice.folder';
  files: Array<{ path: string; bytes: number; sha256: string }>;
}

/**
 * One kind of immutable folder a project writes (model versions, reports, archived inputs, step
 * outputs), kept in an object store and read through a local copy under `root` (the folder
 * src/core/projectLayout.ts names for the kind). Writers write the local folder as before, then
 * {@link publish} it; readers {@link fetch} it, which downloads a missing folder into a
 * temporary one, checks every file against the index's SHA-256 (and the caller's own check,
 * e.g. a model's hashes), and only then renames it into place: a partial or altered folder is
 * never served. With a local store the folder is the store: publish and fetch do nothing.
 *
 * @example
 * const dir = await stores.reports.fetch([executionId]); // <stateDir>/reports/<execution>
 */
export class FolderStore {
  constructor(
    readonly store: ObjectStore,
    /** The local folder of this kind (`.sluice/reports`): the store itself when local, else the verified cache. */
    readonly root: string,
    /** The sluice.yaml setting that chose the store (`stores.reports`), named in errors. */
    readonly setting: string,
  ) {}

  /** Whether the folders live elsewhere than `root` (a bucket). */
  get remote(): boolean {
    return this.store.type !== 'local';
  }

  /** The local folder of `parts` (`<root>/<execution>`); names that would leave `root` are refused. */
  dir(parts: readonly string[]): string {
    return inside(this.root, ...parts);
  }

  /**
   * Uploads the local folder of `parts` (each file one PUT, then the index listing their
   * hashes). Files `skip` names (relative paths) stay local. Publishing again replaces the
   * objects whole; a local store does nothing.
   */
  async publish(parts: readonly string[], options: { skip?: (path: string) => boolean } = {}): Promise<void> {
    if (!this.remote) return;
    await this.guard(this.upload(parts, options));
  }

  private async upload(parts: readonly string[], options: { skip?: (path: string) => boolean }): Promise<void> {
    const dir = this.dir(parts);
    const prefix = this.prefix(parts);
    const index: FolderIndex = { format: 'sluice.folder', files: [] };
    for (const path of await filesUnder(dir)) {
      if (options.skip?.(path)) continue;
      index.files.push({ path, ...(await fileFingerprint(join(dir, path))) });
      await this.store.putFile(join(dir, ...path.split('/')), `${prefix}/${path}`, { keep: true });
    }
    const staged = join(this.store.stagingDir(prefix), `${FOLDER_INDEX}.${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(dirname(staged), { recursive: true });
    await atomicWriteFile(staged, JSON.stringify(index, null, 1));
    await this.store.putFile(staged, `${prefix}/${FOLDER_INDEX}`, { keep: true });
    await rm(staged, { force: true });
  }

  /** Whether the folder of `parts` is whole in the store (its index is there); locally, whether the folder exists. */
  async published(parts: readonly string[]): Promise<boolean> {
    if (!this.remote) return existsSync(this.dir(parts));
    const key = `${this.prefix(parts)}/${FOLDER_INDEX}`;
    return (await this.guard(this.store.list(key))).some((o) => o.key === key);
  }

  /** The names of the published top-level folders (`<execution>`), sorted; locally, the folders under `root`. */
  async names(): Promise<string[]> {
    if (!this.remote) {
      return existsSync(this.root)
        ? (await readdir(this.root, { withFileTypes: true }))
            .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
            .map((e) => e.name)
            .sort()
        : [];
    }
    const suffix = `/${FOLDER_INDEX}`;
    return (await this.guard(this.store.list('')))
      .map((o) => o.key)
      .filter((k) => k.endsWith(suffix) && !k.slice(0, -suffix.length).includes('/'))
      .map((k) => k.slice(0, -suffix.length))
      .sort();
  }

  /** Publishes a local folder the store does not hold yet (an archived input taken on this machine). */
  async ensurePublished(parts: readonly string[]): Promise<void> {
    if (this.remote && existsSync(this.dir(parts)) && !(await this.published(parts))) await this.publish(parts);
  }

  /**
   * The local folder of `parts`, downloaded first when it is missing here and the store holds it.
   * Every file is checked against the index, then `verify` runs on the temporary folder (a model
   * checks its hashes); anything that does not match is refused with OBJECT_TAMPERED and nothing
   * is left in place. A folder the store does not have either is OBJECT_NOT_FOUND (404).
   */
  async fetch(parts: readonly string[], verify?: (dir: string) => Promise<void>): Promise<string> {
    const dir = this.dir(parts);
    if (existsSync(dir) || !this.remote) return dir;
    return this.guard(this.download(parts, dir, verify));
  }

  private async download(parts: readonly string[], dir: string, verify?: (dir: string) => Promise<void>): Promise<string> {
    const prefix = this.prefix(parts);
    const tmp = join(dirname(dir), `.tmp-fetch-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      const indexFile = join(tmp, FOLDER_INDEX);
      await this.store.getFile(`${prefix}/${FOLDER_INDEX}`, indexFile).catch((e: unknown) => {
        throw notFound(e) ? this.missing(parts, prefix) : e;
      });
      const index = this.parseIndex(await readFile(indexFile, 'utf8'), prefix);
      await rm(indexFile);
      for (const f of index.files) {
        const key = `${prefix}/${checkObjectKey(f.path)}`;
        const local = join(tmp, ...f.path.split('/'));
        await this.store.getFile(key, local);
        const got = await fileFingerprint(local);
        if (got.sha256 !== f.sha256 || got.bytes !== f.bytes) {
          throw this.tampered(
            key,
            `its bytes (sha256 ${got.sha256.slice(0, 12)}…, ${got.bytes} bytes) differ from the index (sha256 ${f.sha256.slice(0, 12)}…, ${f.bytes} bytes)`,
          );
        }
      }
      await verify?.(tmp);
      await rename(tmp, dir).catch(async (e: unknown) => {
        // Another reader placed the same folder first: theirs is as good as ours.
        if (!existsSync(dir)) throw e;
        await rm(tmp, { recursive: true, force: true });
      });
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return dir;
  }

  /** The error for a downloaded folder that does not match what was written (its index, or the caller's hashes). */
  tampered(where: string, why: string): SluiceError {
    return new SluiceError('OBJECT_TAMPERED', `${this.store.describe(where)} was changed after it was written: ${why}; it is not used`, {
      hint: `the copy in ${this.setting} is damaged or was altered: restore it from a backup (or publish the folder again from a machine that holds a good copy); nothing was placed under ${this.root}`,
      httpStatus: 502,
      retryable: false,
    });
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  /** A failed store operation names the setting to check (`stores.reports`) besides the object. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (!(e instanceof SluiceError) || e.code !== 'OBJECT_STORE_ERROR') throw e;
      throw new SluiceError(e.code, e.message, {
        location: { field: this.setting },
        hint: `check ${this.setting} in sluice.yaml (its bucket exists, its url reaches the server, the credentials may read and write it)`,
        httpStatus: e.httpStatus,
        retryable: e.retryable,
        cause: e.cause,
      });
    }
  }

  private prefix(parts: readonly string[]): string {
    return checkObjectKey(parts.join('/'));
  }

  private parseIndex(text: string, prefix: string): FolderIndex {
    let index: FolderIndex | undefined;
    try {
      index = JSON.parse(text) as FolderIndex;
    } catch {
      index = undefined;
    }
    if (index?.format !== 'sluice.folder' || !Array.isArray(index.files)) {
      throw this.tampered(`${prefix}/${FOLDER_INDEX}`, 'it is not a folder index');
    }
    return index;
  }

  private missing(parts: readonly string[], prefix: string): SluiceError {
    return new SluiceError('OBJECT_NOT_FOUND', `${parts.join('/')} is neither in ${this.dir(parts)} nor in ${this.store.describe(`${prefix}/`)}`, {
      hint: `it was written by a process whose ${this.setting} differs from this one's, or its upload did not finish: check ${this.setting} in sluice.yaml`,
      httpStatus: 404,
    });
  }
}

/** The files under `dir`, as sorted `/`-separated relative paths (temporary names left out). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.tmp-') || e.name.includes('.tmp-')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Whether an object-store error says the object is not there (S3's NoSuchKey / 404, a missing local file). */
function notFound(e: unknown): boolean {
  const cause = (e as { cause?: { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } }).cause;
  return cause?.name === 'NoSuchKey' || cause?.name === 'NotFound' || cause?.code === 'ENOENT' || cause?.$metadata?.httpStatusCode === 404;
}
