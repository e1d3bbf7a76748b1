/**
 * Typed errors a machine can read and a person can act on.
 *
 * Every error Sluice raises on user input is a {@link SluiceError}: a stable `code`, a message
 * that says what is wrong, a `location` that says where (file, line, column, field, step), a
 * `hint` that says how to fix it, and the HTTP status the server answers with. The CLI prints
 * them with {@link formatError}; nothing user-caused ever reaches the user as a stack trace.
 */

/** Where in the user's input an error applies. Lines and columns are 1-based. */
export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
  /** A column of a data set, or a key of a spec. */
  field?: string;
  /** A flow step or pipeline state, by index (0-based) or name. */
  step?: string | number;
  /** A record of a request, 0-based. */
  record?: number;
}

export interface SluiceErrorOptions {
  hint?: string;
  location?: SourceLocation;
  httpStatus?: number;
  retryable?: boolean;
  details?: unknown;
  cause?: unknown;
}

export class SluiceError extends Error {
  override readonly name = 'SluiceError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.httpStatus = options.httpStatus ?? 400;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  /** A plain object for JSON responses and logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.location) out.location = this.location;
    if (this.hint) out.hint = this.hint;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

export function isSluiceError(e: unknown): e is SluiceError {
  return e instanceof SluiceError;
}

/** Renders `file:line:column` (plus field and step) for messages. */
export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  const parts: string[] = [];
  if (loc.file) {
    let p = loc.file;
    if (loc.line !== undefined) p += `:${loc.line}`;
    if (loc.line !== undefined && loc.column !== undefined) p += `:${loc.column}`;
    parts.push(p);
  } else if (loc.line !== undefined) {
    parts.push(`line ${loc.line}${loc.column !== undefined ? `, column ${loc.column}` : ''}`);
  }
  if (loc.step !== undefined) parts.push(typeof loc.step === 'number' ? `step ${loc.step + 1}` : `step ${loc.step}`);
  if (loc.record !== undefined) parts.push(`record ${loc.record}`);
  if (loc.field !== undefined) parts.push(`field "${loc.field}"`);
  return parts.join(', ');
}

/**
 * Human-readable rendering for the terminal:
 *
 * ```
 * error[CSV_RAGGED_ROW]: row has 2 fields, the header has 3
 *   at data.csv:3:4
 *   hint: check for a missing delimiter or an unquoted delimiter inside a value
 * ```
 */
export function formatError(e: unknown): string {
  if (isSluiceError(e)) {
    const lines = [`error[${e.code}]: ${e.message}`];
    const where = formatLocation(e.location);
    if (where) lines.push(`  at ${where}`);
    if (e.hint) lines.push(`  hint: ${e.hint}`);
    return lines.join('\n');
  }
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  // Failures of the disk or of a state file are not bugs: say what they are and what to do.
  if (typeof code === 'string' && STORAGE_HINTS[code]) return `error[${code}]: ${msg}\n  hint: ${STORAGE_HINTS[code]}`;
  return `error[INTERNAL]: ${msg}\n  hint: this is a bug in Sluice; please report it with the command you ran`;
}

const DAMAGED = 'a state database (.sluice/sluice.db) is damaged: restore it with "sluice restore BACKUP_DIR" (docs/operations.md)';
const FULL = 'the disk is full: free space on the disk that holds .sluice/, then run the command again (docs/operations.md#disk-space)';
/** Hints for errors of the disk and of SQLite files, by their code. */
const STORAGE_HINTS: Record<string, string> = {
  SQLITE_CORRUPT: DAMAGED,
  SQLITE_NOTADB: DAMAGED,
  SQLITE_FULL: FULL,
  ENOSPC: FULL,
  EDQUOT: 'the disk quota is exhausted: free space, then run the command again (docs/operations.md#disk-space)',
  SQLITE_IOERR: 'the disk reported an I/O error while writing state: check the disk and free space (docs/operations.md)',
  SQLITE_READONLY: 'the state database is read-only: check the permissions of .sluice/ and its files',
};

/** Wraps any thrown value into a SluiceError, keeping SluiceErrors as they are. */
export function toSluiceError(e: unknown, code = 'INTERNAL', status = 500): SluiceError {
  if (isSluiceError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new SluiceError(code, msg, { httpStatus: status, cause: e });
}
