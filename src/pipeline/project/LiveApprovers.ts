import { readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { approverSchema, type ApproverConfig } from '../../core/config.js';

const approversSchema = z.array(approverSchema).default([]);

/** What identifies a version of the file without reading it. */
function stampOf(file: string): string | undefined {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * The users of a project (`approvers` in sluice.yaml) as the file says now, not as it said when
 * the server started: each call compares the file's size and modification time (one `stat`) and
 * reads the list again when they changed. So a user removed from sluice.yaml, or demoted to
 * viewer, loses their rights at their next request, and an approval link issued to them stops
 * deciding. A file that does not parse (or is gone) keeps the last good list, and says so once
 * through `onError`.
 *
 * @example
 * const users = new LiveApprovers(project.file, project.config.approvers);
 * users.current().find((a) => a.name === 'Ana')?.role // 'viewer' once sluice.yaml says so
 */
export class LiveApprovers {
  private stamp: string | undefined;
  private list: readonly ApproverConfig[];

  constructor(
    private readonly file: string,
    initial: readonly ApproverConfig[],
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.list = initial;
    this.stamp = stampOf(file);
  }

  current(): readonly ApproverConfig[] {
    const stamp = stampOf(this.file);
    if (stamp === this.stamp) return this.list;
    this.stamp = stamp;
    if (stamp === undefined) {
      this.onError(`${this.file} is gone; the users it listed last are kept`);
      return this.list;
    }
    try {
      const doc = parse(readFileSync(this.file, 'utf8')) as { approvers?: unknown } | null;
      const parsed = approversSchema.safeParse(doc?.approvers ?? undefined);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        this.onError(`${this.file}: approvers.${issue.path.join('.')}: ${issue.message}; the users it listed last are kept`);
        return this.list;
      }
      this.list = parsed.data;
    } catch (e) {
      this.onError(`${this.file} does not parse (${(e as Error).message.split('\n')[0]}); the users it listed last are kept`);
    }
    return this.list;
  }

  /** The user of that name (case-insensitive) as the file says now. */
  find(name: string): ApproverConfig | undefined {
    const lower = name.toLowerCase();
    return this.current().find((a) => a.name.toLowerCase() === lower);
  }
}
