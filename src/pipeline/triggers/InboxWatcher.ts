import { copyFile, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import pino, { type Logger } from 'pino';
import { SluiceError, toSluiceError } from '../../core/errors.js';
import { archiveDir } from '../../core/projectLayout.js';
import { diskFullOf } from '../../engine/diskFull.js';
import type { Pipeline } from '../definition/pipelineSchema.js';
import type { Orchestrator } from '../Orchestrator.js';
import { newExecutionId } from '../store/ExecutionStore.js';
import { admitInputFile, type InputRoots } from './admitInputFile.js';
import { kindOf, sha256File } from './readInputFile.js';

export interface InboxWatcherOptions {
  orchestrator: Orchestrator;
  inbox: string;
  archive: string;
  pipeline?: Pipeline | undefined;
  /** A file is taken once its size has not changed for this long. Default 1000 ms. */
  stabilityMs?: number;
  logger?: Logger;
  /**
   * Where a symbolic link in the inbox may lead (the project's input roots): its file is copied
   * into the archive and the link taken away. Links leading elsewhere, and all links when absent,
   * are left in the inbox with an error in the log.
   */
  inputRoots?: InputRoots;
  /**
   * A file that cannot be taken because the disk is full (moving it, or recording its execution:
   * ENOSPC, SQLITE_FULL) is tried again after `firstMs`, doubling up to `maxMs` (sluice.yaml
   * `diskFull`). Default 5 s and 5 min.
   */
  diskFullRetry?: { firstMs: number; maxMs: number };
}

/** Names never taken: hidden files and the partial files of downloaders and editors. */
export function isPartialName(name: string): boolean {
  return name.startsWith('.') || /\.(tmp|part|partial|crdownload|download|swp)$/i.test(name) || name.endsWith('~');
}

/**
 * Watches the inbox folder: a file is taken once completely written (its size stable for
 * `stabilityMs`, which also covers a file renamed into place; partial names are ignored), moved
 * to `archive/<execution id>/<name>`, and an execution is started for it with that id.
 *
 * Moving first and naming the archive folder after the execution makes the hand-over safe: if the
 * process dies between the move and the start, {@link recover} finds the archived file without an
 * execution and starts it; a file is never taken twice because it leaves the inbox first.
 */
export class InboxWatcher {
  private watcher: FSWatcher | undefined;
  private readonly log: Logger;
  private readonly inbox: string;
  private readonly archive: string;
  private readonly taking = new Set<string>();
  private pending = Promise.resolve();
  /** Inbox files to take again once the disk has space; the timer and the next delay. */
  private readonly afterSpace = new Set<string>();
  private spaceTimer: NodeJS.Timeout | undefined;
  private spaceDelay: number | undefined;
  private stopped = false;

  constructor(private readonly opts: InboxWatcherOptions) {
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.inbox = resolve(opts.inbox);
    this.archive = resolve(opts.archive);
  }

  /** Starts executions for archived files whose execution was never recorded (a crash mid-hand-over). */
  async recover(): Promise<string[]> {
    const started: string[] = [];
    await mkdir(this.archive, { recursive: true });
    for (const dir of await readdir(this.archive)) {
      if (!dir.startsWith('ex-') || (await this.opts.orchestrator.store.get(dir))) continue;
      const files = (await readdir(join(this.archive, dir))).filter((f) => !isPartialName(f));
      const file = files[0];
      if (!file) continue;
      await this.startFor(dir, join(this.archive, dir, file));
      started.push(dir);
    }
    return started;
  }

  /** Starts watching; resolves once the files already in the inbox are being taken. */
  async start(): Promise<void> {
    await mkdir(this.inbox, { recursive: true });
    await this.recover();
    const stabilityThreshold = this.opts.stabilityMs ?? 1000;
    this.watcher = watch(this.inbox, {
      depth: 0,
      ignoreInitial: false,
      // A link is reported as itself, never followed out of the inbox: take() decides about it.
      followSymlinks: false,
      ignored: (p: string) => p !== this.inbox && isPartialName(basename(p)),
      awaitWriteFinish: { stabilityThreshold, pollInterval: Math.max(10, Math.min(100, stabilityThreshold / 4)) },
    });
    this.watcher.on('add', (path: string) => {
      // Serialise the hand-overs: each is a rename + a small transaction.
      this.pending = this.pending.then(() => this.take(path));
    });
    this.watcher.on('error', (e) => this.log.error({ err: e }, 'inbox watcher error'));
    await new Promise<void>((r) => this.watcher!.once('ready', () => r()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.spaceTimer);
    this.spaceTimer = undefined;
    await this.watcher?.close();
    await this.pending;
  }

  private async take(path: string): Promise<void> {
    if (this.taking.has(path)) return;
    this.taking.add(path);
    try {
      const s = await lstat(path).catch(() => undefined);
      if (!s) return;
      let source = path;
      if (s.isSymbolicLink()) {
        if (!this.opts.inputRoots)
          throw new SluiceError('INPUT_OUTSIDE_ROOTS', 'a symbolic link in the inbox is not taken', { hint: 'put the file itself in the inbox' });
        source = await admitInputFile(path, this.opts.inputRoots);
      } else if (!s.isFile()) {
        if (!s.isDirectory()) this.log.warn({ file: path }, `left in the inbox: it is ${kindOf(s)}, not a data file`);
        return;
      }
      const limit = this.opts.orchestrator.readLimits?.maxBytes;
      const size = source === path ? s.size : (await lstat(source)).size;
      if (limit !== undefined && size > limit) {
        throw new SluiceError('INPUT_TOO_LARGE', `${path} has ${size} bytes; the limit is ${limit}`, {
          hint: 'raise inputLimits.maxBytes in sluice.yaml, or split the file',
        });
      }
      const id = newExecutionId();
      const dest = join(archiveDir({ archive: this.archive }, id), basename(path));
      await mkdir(archiveDir({ archive: this.archive }, id), { recursive: true });
      if (source === path) await moveFile(path, dest);
      else {
        // The link's file stays where it is (it belongs to another folder): its content is taken, then the link.
        await copyFile(source, `${dest}.part`);
        await rename(`${dest}.part`, dest);
        await rm(path);
      }
      await this.startFor(id, dest);
    } catch (e) {
      const full = diskFullOf(e);
      if (full) {
        this.log.warn(
          { file: path, code: full.code, path: full.path },
          `disk full (${full.code}): ${basename(path)} is kept (in the inbox, or in the archive if it was moved) and its execution starts once there is space`,
        );
        this.retryWhenSpace(path);
        return;
      }
      this.log.error({ file: path, error: toSluiceError(e).message }, 'could not take the file from the inbox');
    } finally {
      this.taking.delete(path);
    }
  }

  /**
   * After a disk-full failure: tries again later, with backoff, both the archived files whose
   * execution could not be recorded ({@link recover}) and the inbox files that could not be moved.
   */
  private retryWhenSpace(path: string): void {
    this.afterSpace.add(path);
    if (this.spaceTimer || this.stopped) return;
    const { firstMs, maxMs } = this.opts.diskFullRetry ?? { firstMs: 5000, maxMs: 300_000 };
    const delay = Math.min(maxMs, this.spaceDelay ?? firstMs);
    this.spaceDelay = Math.min(maxMs, delay * 2);
    this.spaceTimer = setTimeout(() => {
      this.spaceTimer = undefined;
      this.pending = this.pending
        .then(async () => {
          try {
            const started = await this.recover();
            if (started.length > 0) this.log.info({ executions: started }, 'disk has space again: executions started for the files kept in the archive');
          } catch (e) {
            if (!diskFullOf(e)) throw e;
            this.retryWhenSpace(this.archive);
            return;
          }
          const paths = [...this.afterSpace].filter((p) => p !== this.archive);
          this.afterSpace.clear();
          for (const p of paths) await this.take(p); // a file still in the inbox (take() ignores one that left)
          if (this.afterSpace.size === 0) this.spaceDelay = undefined; // none met a full disk again
        })
        .catch((e: unknown) => this.log.error({ error: toSluiceError(e).message }, 'could not start the files kept while the disk was full'));
    }, delay);
    this.spaceTimer.unref?.();
  }

  /** Starts the execution of an archived file, through the orchestrator (which applies the duplicate rule). */
  private async startFor(id: string, file: string): Promise<void> {
    const sha256 = await sha256File(file, this.opts.orchestrator.readLimits);
    const rec = await this.opts.orchestrator.start({ file, sha256, trigger: 'inbox' }, { id, pipeline: this.opts.pipeline });
    this.log.info({ executionId: id, file, status: rec.status, duplicateOf: rec.duplicateOf }, 'file taken from the inbox');
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, `${to}.part`);
    await rename(`${to}.part`, to);
    await rm(from);
  }
}
