import { open, type FileHandle } from 'node:fs/promises';
import { SluiceError } from '../core/errors.js';

/** What a structural scan of a CSV file found: the dialect and the header, all validated. */
export interface CsvScan {
  delimiter: string;
  header: string[];
  /** Data records (not counting the header or blank lines). */
  rows: number;
  hasBom: boolean;
  bytes: number;
  /**
   * Whether the file holds `nf` or `NF` anywhere: every spelling of ±Infinity does
   * (`INFINITY_TOKENS`), so without them no value of the file is one, and the reader need not
   * look for them in its text columns (a pass over the table: 1.4 CPU-s at 10M rows).
   */
  mayHoldInfinity: boolean;
}

export interface CsvScanOptions {
  /** Force a delimiter instead of detecting it from the header line. */
  delimiter?: string;
  /** Name to use for the file in messages (defaults to the path). */
  displayName?: string;
  /** Told the line each data record starts on, in order (to name lines in messages about rows). */
  onRecord?: (line: number) => void;
  /** Bytes fed at most per call (tests cut a file at every position), and no fast path for runs of ordinary bytes (tests compare both). */
  testing?: { chunk?: number; byteByByte?: boolean };
}

const DELIMITER_CANDIDATES = [',', '\t', ';', '|'];
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const CHUNK = 1 << 20;
/** Bytes read from the start of a file to detect its delimiter. */
const SAMPLE_BYTES = 64 * 1024;
/** A ragged file's error lists this many bad lines. */
const MAX_BAD_LINES = 10;

/**
 * Reads a CSV file once, byte by byte, and proves it well formed before DuckDB parses it:
 * UTF-8 (a BOM is allowed), no binary data, a header with unique names, balanced quotes, and
 * the same number of fields on every row. Every failure is a {@link SluiceError} naming the file,
 * the line and the column where it applies, with a hint.
 *
 * Why our own pass: DuckDB's sniffer is lenient by design (a ragged file silently becomes one
 * wide text column, an unclosed quote swallows the rest of the file), and its errors on small
 * files carry no line numbers. This pass costs about a second per 500 MB.
 */
export async function scanCsv(path: string, options: CsvScanOptions = {}): Promise<CsvScan> {
  const file = options.displayName ?? path;
  const fh = await openCsv(path, file);
  try {
    const size = await nonEmptySize(fh, file);
    const buf = Buffer.allocUnsafe(CHUNK);
    const delimiter = options.delimiter ?? (await sampleDelimiter(fh, buf, size));
    const parser = new CsvStructure(file, delimiter, options.onRecord, options.testing?.byteByByte);
    let position = 0;
    let first = true;
    let infinity = false;
    let last = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, options.testing?.chunk ?? CHUNK, position);
      if (bytesRead === 0) break;
      if (!infinity) {
        // Native substring searches (about a millisecond per megabyte), across chunk boundaries too.
        const chunk = buf.subarray(0, bytesRead);
        infinity = chunk.indexOf('nf') >= 0 || chunk.indexOf('NF') >= 0 || (last === 0x6e && chunk[0] === 0x66) || (last === 0x4e && chunk[0] === 0x46);
        last = chunk[bytesRead - 1]!;
      }
      let start = 0;
      if (first) {
        first = false;
        parser.checkStart(buf.subarray(0, bytesRead));
        if (bytesRead >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          parser.hasBom = true;
          start = 3;
        }
      }
      parser.feed(buf, start, bytesRead);
      position += bytesRead;
    }
    parser.end();
    return { delimiter: parser.delimiterChar, header: parser.header, rows: parser.rows, hasBom: parser.hasBom, bytes: size, mayHoldInfinity: infinity };
  } finally {
    await fh.close();
  }
}

/**
 * The delimiter of a CSV file, detected from its first 64 KB as {@link scanCsv} detects it; an
 * empty or unreadable file is the same error. For reading the file while it is being scanned.
 */
export async function detectCsvDelimiter(path: string, options: { displayName?: string } = {}): Promise<string> {
  const file = options.displayName ?? path;
  const fh = await openCsv(path, file);
  try {
    return await sampleDelimiter(fh, Buffer.allocUnsafe(SAMPLE_BYTES), await nonEmptySize(fh, file));
  } finally {
    await fh.close();
  }
}

async function openCsv(path: string, file: string): Promise<FileHandle> {
  return open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new SluiceError('FILE_NOT_FOUND', `cannot open ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, {
      location: { file },
      hint: 'check the path; relative paths are resolved from the current directory',
      httpStatus: 404,
    });
  });
}

async function nonEmptySize(fh: FileHandle, file: string): Promise<number> {
  const { size } = await fh.stat();
  if (size === 0) {
    throw new SluiceError('CSV_EMPTY', `${file} is empty`, {
      location: { file, line: 1, column: 1 },
      hint: 'the file has no header and no rows; check that the upload or export finished',
    });
  }
  return size;
}

/** The delimiter detected from the file's first {@link SAMPLE_BYTES} (read into `buf`). */
async function sampleDelimiter(fh: FileHandle, buf: Buffer, size: number): Promise<string> {
  const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, SAMPLE_BYTES), 0);
  return detectDelimiter(
    buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, ''),
    bytesRead < size,
  );
}

/** The byte-level state machine behind {@link scanCsv}. */
class CsvStructure {
  hasBom = false;
  header: string[] = [];
  rows = 0;
  private delimiter = -1;
  private line = 1; // physical line of the current byte
  private col = 0; // 1-based column of the current byte on its line (in bytes)
  private recordLine = 1; // line where the current record started
  private fields = 0; // fields completed in the current record
  private fieldStart = true; // at the first byte of a field
  private inQuotes = false;
  private afterQuote = false; // just saw a quote inside a quoted field (closing or escape)
  private quoteLine = 0;
  private quoteCol = 0;
  private recordBytes = 0;
  private headerBytes: number[] = [];
  private headerDone = false;
  private pendingCr = false;
  // UTF-8 validation state
  private utf8Need = 0;
  private utf8Line = 0;
  private utf8Col = 0;
  private bad: Array<{ line: number; count: number }> = [];

  constructor(
    private readonly file: string,
    forced?: string,
    private readonly onRecord?: (line: number) => void,
    private readonly byteByByte = false,
  ) {
    if (forced !== undefined) {
      if (forced.length !== 1) {
        throw new SluiceError('CSV_BAD_DELIMITER', `delimiter must be one character, got ${JSON.stringify(forced)}`, {
          hint: 'use e.g. --delimiter ";" or --delimiter "\\t"',
        });
      }
      this.delimiter = forced.charCodeAt(0);
    }
  }

  get delimiterChar(): string {
    return String.fromCharCode(this.delimiter < 0 ? 0x2c : this.delimiter);
  }

  /** Binary and non-UTF-8 encodings are recognised from the first bytes. */
  checkStart(b: Uint8Array): void {
    if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
      throw new SluiceError('CSV_NOT_UTF8', `${this.file} is UTF-16 encoded; Sluice reads UTF-8`, {
        location: { file: this.file, line: 1, column: 1 },
        hint: 'convert it, e.g. `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`, or export as "CSV UTF-8"',
      });
    }
    const n = Math.min(b.length, 4096);
    let control = 0;
    for (let i = 0; i < n; i++) {
      const c = b[i]!;
      if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f) control++;
    }
    if (control > 0 && control / n > 0.1) {
      throw new SluiceError('CSV_BINARY', `${this.file} looks like binary data, not CSV text (${control} control bytes in the first ${n})`, {
        location: { file: this.file, line: 1, column: 1 },
        hint: 'check that this is the right file; Parquet files need a .parquet extension, JSON lines .jsonl',
      });
    }
  }

  feed(buf: Uint8Array, start: number, end: number): void {
    const d = this.delimiter;
    for (let i = start; i < end; i++) {
      // Fast path for runs of ordinary bytes once the header is read: inside quotes anything but
      // a quote, a line feed or a non-ASCII byte; outside, delimiters and printable ASCII other
      // than a quote opening a field. The run moves the column, the record's size and its field
      // count exactly as the byte-by-byte path below would.
      if (this.headerDone && this.utf8Need === 0 && !this.pendingCr && !this.byteByByte) {
        let j = i;
        if (this.inQuotes) {
          if (!this.afterQuote) {
            while (j < end) {
              const b = buf[j]!;
              if (b === QUOTE || b === LF || b >= 0x80 || b === 0) break;
              j++;
            }
            this.col += j - i;
          }
        } else {
          let fields = this.fields;
          let fieldStart = this.fieldStart;
          while (j < end) {
            const b = buf[j]!;
            if (b === d) {
              fields++;
              fieldStart = true;
            } else if (b >= 0x20 && b < 0x80 && !(b === QUOTE && fieldStart)) fieldStart = false;
            else break;
            j++;
          }
          this.fields = fields;
          this.fieldStart = fieldStart;
          this.col += j - i;
          this.recordBytes += j - i;
        }
        if (j >= end) return;
        i = j;
      }
      const c = buf[i]!;
      this.col++;
      if (!this.headerDone) this.headerBytes.push(c);
      if (this.utf8Need > 0) {
        if ((c & 0xc0) !== 0x80) this.badUtf8();
        this.utf8Need--;
        continue;
      }
      if (c >= 0x80) {
        this.utf8Line = this.line;
        this.utf8Col = this.col;
        if (c >= 0xc2 && c <= 0xdf) this.utf8Need = 1;
        else if (c >= 0xe0 && c <= 0xef) this.utf8Need = 2;
        else if (c >= 0xf0 && c <= 0xf4) this.utf8Need = 3;
        else this.badUtf8();
        this.fieldStart = false;
        this.recordBytes++;
        continue;
      }
      if (c === 0) this.binary();
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === LF) {
          this.col = 0;
          continue; // CRLF: the CR already ended the record
        }
      }
      if (this.inQuotes) {
        if (this.afterQuote) {
          this.afterQuote = false;
          if (c === QUOTE) {
            continue;
          }
          this.inQuotes = false; // the previous quote closed the field
          if (c !== this.delimiter && c !== LF && c !== CR && this.delimiter >= 0) this.junkAfterQuote(c);
          // fall through to unquoted handling of c
        } else {
          if (c === QUOTE) this.afterQuote = true;
          else if (c === LF) this.newLine();
          continue;
        }
      }
      if (c === QUOTE && this.fieldStart) {
        this.inQuotes = true;
        this.quoteLine = this.line;
        this.quoteCol = this.col;
        this.fieldStart = false;
        this.recordBytes++;
        continue;
      }
      if (c === LF || c === CR) {
        this.endRecord();
        if (c === CR) this.pendingCr = true;
        this.newLine();
        continue;
      }
      if (!this.headerDone && this.delimiter < 0) {
        this.recordBytes++;
        this.fieldStart = false;
        continue;
      }
      if (c === this.delimiter) {
        this.fields++;
        this.fieldStart = true;
        this.recordBytes++;
        continue;
      }
      this.fieldStart = false;
      this.recordBytes++;
    }
  }

  end(): void {
    if (this.utf8Need > 0) this.badUtf8();
    if (this.inQuotes && !this.afterQuote) {
      throw new SluiceError('CSV_UNBALANCED_QUOTE', `${this.file}: a quoted value opened on line ${this.quoteLine} is never closed`, {
        location: { file: this.file, line: this.quoteLine, column: this.quoteCol },
        hint: 'close the quote, or escape a quote inside a value by doubling it ("")',
      });
    }
    if (this.inQuotes) this.inQuotes = false;
    this.endRecord();
    if (!this.headerDone) this.finishHeader();
    if (this.bad.length > 0) this.throwRagged(false);
    if (this.rows === 0) {
      throw new SluiceError('CSV_NO_ROWS', `${this.file} has a header but no data rows`, {
        location: { file: this.file, line: this.line, column: 1 },
        hint: 'the file holds only column names; check that the export wrote its rows',
      });
    }
  }

  private newLine(): void {
    this.line++;
    this.col = 0;
  }

  private endRecord(): void {
    if (this.recordBytes === 0 && this.fields === 0) {
      this.recordLine = this.line + 1;
      return; // blank line: skipped, as DuckDB does
    }
    const count = this.fields + 1;
    if (!this.headerDone) {
      this.finishHeader();
    } else {
      if (count !== this.header.length) this.ragged(count);
      this.rows++;
      this.onRecord?.(this.recordLine);
    }
    this.fields = 0;
    this.recordBytes = 0;
    this.fieldStart = true;
    this.recordLine = this.line + 1;
  }

  private finishHeader(): void {
    this.headerDone = true;
    const text = Buffer.from(this.headerBytes).toString('utf8');
    this.headerBytes = [];
    if (this.delimiter < 0) this.delimiter = detectDelimiter(text).charCodeAt(0);
    this.header = splitHeader(text, String.fromCharCode(this.delimiter));
    const seen = new Map<string, number>();
    this.header.forEach((name, i) => {
      const prev = seen.get(name);
      if (prev !== undefined) {
        throw new SluiceError('CSV_DUPLICATE_COLUMN', `${this.file}: column name "${name}" appears twice in the header (columns ${prev + 1} and ${i + 1})`, {
          location: { file: this.file, line: 1, column: i + 1, field: name },
          hint: 'rename one of them; every column needs a unique name',
        });
      }
      seen.set(name, i);
    });
  }

  /** Notes a row whose field count differs from the header's; the 10th stops the scan. */
  private ragged(count: number): void {
    this.bad.push({ line: this.recordLine, count });
    if (this.bad.length >= MAX_BAD_LINES) this.throwRagged(true);
  }

  /** One error listing the first bad lines (up to 10), located at the first. */
  private throwRagged(more: boolean): never {
    const expected = this.header.length;
    const fields = (n: number): string => `${n} field${n === 1 ? '' : 's'}`;
    const first = this.bad[0]!;
    const list = this.bad.map((b) => `line ${b.line} has ${fields(b.count)}`).join(', ');
    const message =
      this.bad.length === 1
        ? `${this.file}: line ${first.line} has ${fields(first.count)}, the header has ${expected}`
        : `${this.file}: ${more ? `the first ${this.bad.length}` : this.bad.length} lines do not have the header's ${expected} fields: ${list}${more ? ' (the scan stopped there)' : ''}`;
    throw new SluiceError('CSV_RAGGED_ROW', message, {
      location: { file: this.file, line: first.line, column: first.count > expected ? expected + 1 : first.count },
      hint:
        first.count > expected
          ? 'a value probably contains an unquoted delimiter; quote it ("a, b")'
          : 'a value is probably missing a delimiter, or the row was cut short',
      details: { badLines: this.bad.map((b) => ({ line: b.line, fields: b.count })), expectedFields: expected },
    });
  }

  private junkAfterQuote(c: number): void {
    throw new SluiceError('CSV_BAD_QUOTE', `${this.file}: unexpected ${JSON.stringify(String.fromCharCode(c))} after the closing quote of a value`, {
      location: { file: this.file, line: this.line, column: this.col },
      hint: 'a quote inside a quoted value must be doubled (""), or the value must end right after its closing quote',
    });
  }

  private badUtf8(): never {
    throw new SluiceError('CSV_NOT_UTF8', `${this.file} is not valid UTF-8 text (line ${this.utf8Line || this.line})`, {
      location: { file: this.file, line: this.utf8Line || this.line, column: this.utf8Col || this.col },
      hint: 'convert the file to UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`',
    });
  }

  private binary(): never {
    throw new SluiceError('CSV_BINARY', `${this.file} contains binary data (a NUL byte) on line ${this.line}`, {
      location: { file: this.file, line: this.line, column: this.col },
      hint: 'check that this is the right file and that it is plain CSV text',
    });
  }
}

/**
 * Picks the delimiter from the first records of the file (header and rows), reading quotes as
 * a CSV parser does for each candidate: a quote opens a value only at the start of a field, so a
 * `|` inside `"a|b"` is not a delimiter when `,` is. The candidate whose split gives the header
 * more than one field and the most rows with the header's field count wins; then fewer quotes
 * out of place; then more fields. `,` when none splits the header.
 *
 * @param truncated the sample ends mid-file: its last record may be cut, so it is not counted.
 */
export function detectDelimiter(sample: string, truncated = false): string {
  let best = ',';
  let bestScore: number[] | undefined;
  for (const d of DELIMITER_CANDIDATES) {
    const { counts, badQuotes } = splitRecords(sample, d, 50);
    if (truncated && counts.length > 2) counts.pop();
    const header = counts[0] ?? 1;
    if (header < 2) continue;
    const consistent = counts.slice(1).filter((n) => n === header).length;
    const score = [consistent, -badQuotes, header];
    if (!bestScore || compareScores(score, bestScore) > 0) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Field counts of the first `max` records of `text` split on `d` (blank lines skipped), and quotes out of place. */
function splitRecords(text: string, d: string, max: number): { counts: number[]; badQuotes: number } {
  const counts: number[] = [];
  let fields = 1;
  let fieldStart = true;
  let inQuotes = false;
  let empty = true;
  let badQuotes = 0;
  for (let i = 0; i < text.length && counts.length < max; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      }
      continue;
    }
    if (ch === '"') {
      if (fieldStart) inQuotes = true;
      else badQuotes++;
      fieldStart = false;
      empty = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (!empty) counts.push(fields);
      fields = 1;
      fieldStart = true;
      empty = true;
    } else if (ch === d) {
      fields++;
      fieldStart = true;
      empty = false;
    } else {
      fieldStart = false;
      empty = false;
    }
  }
  if (!empty && counts.length < max) counts.push(fields);
  return { counts, badQuotes };
}

/** Splits one CSV record (already known to be well formed) into its values. */
export function splitHeader(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"' && cur === '') inQuotes = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}
