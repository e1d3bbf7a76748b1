import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { SluiceError, isSluiceError } from '../core/errors.js';
import { DEFAULT_MISSING, INFINITY_TOKENS, isFloatingSqlType, presentOrNullSql, type MissingPolicy } from '../core/missing.js';
import { RESERVED_COLUMN_NAME } from '../core/reservedColumnName.js';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from './Engine.js';
import { detectCsvDelimiter, scanCsv } from './csvScan.js';
import { scanJsonLines } from './scanJsonLines.js';
import { quoteIdent, quoteLiteral } from './sql.js';
import { recognisedSql, recogniseTypes, type RecogniseOptions } from './recogniseTypes.js';

export type TableFormat = 'csv' | 'parquet' | 'jsonl';

export interface ReadTableOptions {
  /** Name of the table created in the engine. */
  name: string;
  /** Detected from the extension when absent. */
  format?: TableFormat;
  /** CSV delimiter; detected from the header when absent. */
  delimiter?: string;
  /**
   * `table` copies the data into the engine (fast repeated queries); `view` reads the file on
   * every query (constant memory, for files larger than memory). Default: table.
   */
  materialize?: 'table' | 'view';
  /** Name used for the file in messages. */
  displayName?: string;
  /** What counts as missing (src/core/missing.ts); pandas' defaults when absent. */
  missing?: MissingPolicy;
  /**
   * Types from data (src/engine/recogniseTypes.ts): text columns whose every value is a boolean or
   * a date in a known format are typed so. Default: on, with no day/month order stated. `false`
   * leaves text as text: prediction reads a batch so and converts it to the model's input types.
   */
  recognise?: RecogniseOptions | false;
}

export interface TableInfo {
  name: string;
  file: string;
  format: TableFormat;
  columns: ColumnSchema[];
  rows: number;
}

/** Picks the format from the file name: `.csv`/`.tsv`/`.txt`, `.parquet`/`.pq`, `.jsonl`/`.ndjson`/`.json`. */
export function detectFormat(path: string): TableFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt' || ext === '') return 'csv';
  throw new SluiceError('FORMAT_UNKNOWN', `cannot tell the format of ${basename(path)} from its extension "${ext}"`, {
    location: { file: path },
    hint: 'use .csv, .tsv, .parquet or .jsonl, or pass --format',
  });
}

/** DuckDB's default CSV buffer: 16 times its default longest line (`max_line_size`, 2 MB). */
const DUCKDB_CSV_BUFFER = 32 * 1024 * 1024;
/** The buffer of smaller CSV files: the longest line DuckDB reads by default, so every line fits one. */
const SMALL_CSV_BUFFER = 2 * 1024 * 1024;

/**
 * Loads a data file into the engine as table `options.name`, validating it. CSV is scanned for
 * structure (see {@link scanCsv}) while DuckDB reads it, and its types detected by DuckDB; a value that
 * breaks a type detected from the first rows triggers a full-file type detection instead of an
 * error. Every problem with the file is a SluiceError naming the file, line and column.
 */
export async function readTable(engine: Engine, path: string, options: ReadTableOptions): Promise<TableInfo> {
  const file = options.displayName ?? path;
  const format = options.format ?? detectFormat(path);
  const size = await assertReadable(path, file);
  const kind = options.materialize === 'view' ? 'VIEW' : 'TABLE';
  const target = quoteIdent(options.name);
  const lit = quoteLiteral(path);

  const missing = options.missing ?? DEFAULT_MISSING;
  if (format === 'csv') {
    const forced = options.delimiter ?? (extname(path).toLowerCase() === '.tsv' ? '\t' : undefined);
    const delimiter = forced ?? (await detectCsvDelimiter(path, { displayName: file }));
    const nulls = missing.tokens.map(quoteLiteral).join(', ');
    // The sniffer types numbers and ISO dates and timestamps; booleans and other dates are typed
    // from every value by recogniseTypes, not from the sniffer's sample (a column of `no`s is text).
    // DuckDB parses a CSV in buffers of 32 MB by default, one thread a buffer: a smaller file is
    // parsed by one thread. Below that, buffers of the longest line allowed (2 MB) let its
    // threads share the file (diabetes, 3.8 MB: 58-63 ms wall instead of 74-84); the same rows,
    // in the same order.
    const buffers = size < DUCKDB_CSV_BUFFER ? `, buffer_size=${SMALL_CSV_BUFFER}` : '';
    const base = `${lit}, delim=${quoteLiteral(delimiter)}, header=true, quote='"', escape='"', strict_mode=false, null_padding=false, auto_detect=true, nullstr=[${nulls}], auto_type_candidates=['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR'], dateformat='%Y-%m-%d'${buffers}`;
    // Our structure check (JavaScript, this thread) runs while DuckDB parses the file (its own
    // threads): a file it finds at fault is that error, whatever DuckDB made of the file. It
    // also says whether any value can spell an infinity (read's last step waits for that).
    const scanning = scanCsv(path, { delimiter, displayName: file });
    const infinityText = () => scanning.then((s) => s.mayHoldInfinity).catch(() => true);
    const read = async () => {
      try {
        await createNormalized(engine, kind, target, `read_csv(${base}, sample_size=20480)`, missing, false, infinityText);
        if (kind === 'VIEW') await engine.exec(`SELECT count(*) FROM ${target}`);
      } catch (e) {
        if (!isSluiceError(e) || e.code !== 'DATA_TYPE_MISMATCH') throw withFile(e, file);
        // A late value broke a type guessed from the first rows: detect types from every row.
        await createNormalized(engine, kind, target, `read_csv(${base}, sample_size=-1)`, missing, false, infinityText).catch((e2) => {
          throw withFile(e2, file);
        });
      }
    };
    const [scan, parse] = await Promise.allSettled([scanning, read()]);
    if (scan.status === 'rejected') {
      if (parse.status === 'fulfilled') await engine.exec(`DROP ${kind} IF EXISTS ${target}`);
      throw scan.reason;
    }
    if (parse.status === 'rejected') throw parse.reason;
  } else if (format === 'parquet') {
    await assertParquet(path, file);
    await createNormalized(engine, kind, target, `read_parquet(${lit})`, missing, true).catch((e) => {
      throw new SluiceError('PARQUET_INVALID', `${file} could not be read as Parquet: ${messageOf(e)}`, {
        location: { file },
        hint: 'check that the file was fully written; a CSV file needs a .csv extension',
        cause: e,
      });
    });
  } else {
    await createNormalized(engine, kind, target, `read_json(${lit}, format='newline_delimited', sample_size=-1)`, missing, true).catch(async (e) => {
      await scanJsonLines(path, file); // throws a precise error when the file is at fault
      throw withFile(e, file);
    });
  }

  const columns =
    options.recognise === false ? await engine.describe(options.name) : await applyRecognised(engine, kind, options.name, options.recognise ?? {});
  // `__proto__` is the one name a JavaScript object cannot hold as its own key by assignment:
  // the steps' fitted values and the record path keep columns in plain objects, where such a
  // column's values would be lost without a word. Refused here, before any step sees it.
  const proto = columns.find((c) => c.name === RESERVED_COLUMN_NAME);
  if (proto) {
    await engine.exec(`DROP ${kind} IF EXISTS ${target}`);
    throw new SluiceError('DATA_COLUMN_NAME', `${file} has a column named "__proto__", which Sluice cannot keep safely`, {
      location: { file, field: proto.name },
      hint: 'rename the column in the file (for example to "proto")',
    });
  }
  const rows = await engine.count(options.name);
  if (rows === 0) {
    throw new SluiceError('DATA_NO_ROWS', `${file} has no rows`, { location: { file }, hint: 'check that the export wrote its rows' });
  }
  return { name: options.name, file, format, columns, rows };
}

/**
 * Creates the relation from a reader call with the missing-value rules applied: floating NaN
 * and ±Infinity become NULL, and (for formats whose reader has no null tokens) text values that
 * are missing tokens become NULL. CSV readers get the tokens as `nullstr`, which also lets a
 * numeric column holding `NA` be typed numeric, as pandas types it.
 */
async function createNormalized(
  engine: Engine,
  kind: string,
  target: string,
  source: string,
  missing: MissingPolicy,
  textTokens: boolean,
  infinityText: () => Promise<boolean> = async () => true,
): Promise<void> {
  // A CSV read into a table is created as read and its floating NaN and ±Infinity set to NULL in
  // place (only the rows holding one are written): describing read_csv first, to write the
  // replacements into the CREATE, ran DuckDB's sniffer on its sample twice.
  const inPlace = kind === 'TABLE' && !textTokens;
  if (inPlace) await engine.exec(`CREATE OR REPLACE TABLE ${target} AS SELECT * FROM ${source}`);
  const columns = await engine.describe(`SELECT * FROM ${inPlace ? target : source}`);
  if (inPlace) {
    const floats = columns.filter((c) => isFloatingSqlType(c.sqlType)).map((c) => quoteIdent(c.name));
    if (floats.length > 0)
      await engine.exec(
        `UPDATE ${target} SET ${floats.map((q) => `${q} = ${presentOrNullSql(q, true)}`).join(', ')} WHERE ${floats.map((q) => `NOT isfinite(${q})`).join(' OR ')}`,
      );
  }
  const tokens = missing.tokens.map(quoteLiteral).join(', ');
  const replacements = (numeric: ReadonlySet<string>): string[] => {
    const replace: string[] = [];
    for (const c of columns) {
      const q = quoteIdent(c.name);
      if (isFloatingSqlType(c.sqlType)) replace.push(`${presentOrNullSql(q, true)} AS ${q}`);
      else if (numeric.has(c.name)) replace.push(`${presentOrNullSql(`TRY_CAST(${q} AS DOUBLE)`, true)} AS ${q}`);
      else if (textTokens && c.sqlType === 'VARCHAR' && tokens) replace.push(`CASE WHEN ${q} IN (${tokens}) THEN NULL ELSE ${q} END AS ${q}`);
    }
    return replace;
  };
  const select = (replace: string[], from: string) => (replace.length ? `SELECT * REPLACE (${replace.join(', ')}) FROM ${from}` : `SELECT * FROM ${from}`);
  if (!inPlace) await engine.exec(`CREATE OR REPLACE ${kind} ${target} AS ${select(replacements(new Set()), source)}`);
  if (textTokens) return;
  // Text columns that are numbers written with infinities are found on the created relation
  // (a table is not parsed again) and retyped; most files have none, at the cost of one IN test
  // per text value, or none when the file holds no spelling of an infinity (`infinityText`).
  if (!(await infinityText())) return;
  const numeric = await numbersWithInfinity(
    engine,
    target,
    columns.filter((c) => c.sqlType === 'VARCHAR').map((c) => c.name),
  );
  if (numeric.size === 0) return;
  if (kind === 'TABLE') {
    const retype = [...numeric].map((n) => `${presentOrNullSql(`TRY_CAST(${quoteIdent(n)} AS DOUBLE)`, true)} AS ${quoteIdent(n)}`);
    await engine.exec(`CREATE OR REPLACE TABLE ${target} AS ${select(retype, target)}`);
  } else await engine.exec(`CREATE OR REPLACE VIEW ${target} AS ${select(replacements(numeric), source)}`);
}

/** A number as pandas' float parser reads it (no infinity: those are {@link INFINITY_TOKENS}). */
const NUMBER_RE = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$';

/**
 * The text columns of a CSV that are numbers written with ±Infinity (`inf`, `-Infinity`...):
 * every present value is a number or an infinity spelling, and one at least is infinite. DuckDB's
 * sniffer leaves them text; pandas reads them as floats, and so does Sluice, the infinite values
 * missing by the infinity policy. A column with any other text keeps `inf` as text.
 */
async function numbersWithInfinity(engine: Engine, relation: string, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const inf = INFINITY_TOKENS.map(quoteLiteral).join(', ');
  // Whether any column holds an infinity spelling at all (one test per row that stops at the
  // first column holding one; most files have none), then which columns do, then, for those
  // only, whether every other present value is a number (a regular expression per value).
  const [any = {}] = await engine.query(`SELECT count(*) AS n FROM ${relation} WHERE ${names.map((n) => `${quoteIdent(n)} IN (${inf})`).join(' OR ')}`);
  if (Number(any.n ?? 0) === 0) return new Set();
  const [counts = {}] = await engine.query(
    `SELECT ${names.map((n, i) => `count(*) FILTER (WHERE ${quoteIdent(n)} IN (${inf})) AS i${i}`).join(', ')} FROM ${relation}`,
  );
  const withInf = names.filter((_, i) => Number(counts[`i${i}`] ?? 0) > 0);
  if (withInf.length === 0) return new Set();
  const others = withInf.map((n, i) => {
    const q = quoteIdent(n);
    return `count(*) FILTER (WHERE ${q} IS NOT NULL AND ${q} NOT IN (${inf}) AND NOT regexp_full_match(${q}, ${quoteLiteral(NUMBER_RE)})) AS o${i}`;
  });
  const [row = {}] = await engine.query(`SELECT ${others.join(', ')} FROM ${relation}`);
  return new Set(withInf.filter((_, i) => Number(row[`o${i}`] ?? 0) === 0));
}

/** Retypes the text columns {@link recogniseTypes} recognises; the columns, dates with their format. */
async function applyRecognised(engine: Engine, kind: string, name: string, options: RecogniseOptions): Promise<ColumnSchema[]> {
  const columns = await engine.describe(name);
  const target = quoteIdent(name);
  const found = await recogniseTypes(
    engine,
    target,
    columns.filter((c) => c.sqlType === 'VARCHAR').map((c) => c.name),
    options,
  );
  if (found.size === 0) return columns;
  const replace = [...found].map(([c, r]) => `${recognisedSql(quoteIdent(c), r)} AS ${quoteIdent(c)}`).join(', ');
  if (kind === 'TABLE') await engine.exec(`CREATE OR REPLACE TABLE ${target} AS SELECT * REPLACE (${replace}) FROM ${target}`);
  else {
    const inner = engine.tempName(`${name}_text`);
    await engine.exec(`ALTER VIEW ${target} RENAME TO ${quoteIdent(inner)}`);
    await engine.exec(`CREATE OR REPLACE VIEW ${target} AS SELECT * REPLACE (${replace}) FROM ${quoteIdent(inner)}`);
  }
  return (await engine.describe(name)).map((c) => {
    const r = found.get(c.name);
    return r?.type === 'date' ? { ...c, format: r.format.id } : c;
  });
}

/** The file's size in bytes, once it is known to be a readable, non-empty file. */
async function assertReadable(path: string, file: string): Promise<number> {
  const s = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new SluiceError('FILE_NOT_FOUND', `cannot open ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, {
      location: { file },
      hint: 'check the path; relative paths are resolved from the current directory',
      httpStatus: 404,
    });
  });
  if (s.isDirectory()) {
    throw new SluiceError('FILE_IS_DIRECTORY', `${file} is a directory, not a data file`, { location: { file }, hint: 'pass a file path' });
  }
  if (s.size === 0) {
    throw new SluiceError('CSV_EMPTY', `${file} is empty`, {
      location: { file, line: 1, column: 1 },
      hint: 'the file has no content; check that the upload or export finished',
    });
  }
  return s.size;
}

async function assertParquet(path: string, file: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if (head.toString('latin1') !== 'PAR1') {
      throw new SluiceError('PARQUET_INVALID', `${file} is not a Parquet file (it does not start with PAR1)`, {
        location: { file, line: 1, column: 1 },
        hint: 'check the file; CSV data needs a .csv extension, JSON lines .jsonl',
      });
    }
  } finally {
    await fh.close();
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function withFile(e: unknown, file: string): SluiceError {
  if (isSluiceError(e)) {
    if (e.location && !e.location.file) e.location.file = file;
    if (!e.location) return new SluiceError(e.code, `${file}: ${e.message}`, { location: { file }, hint: e.hint, cause: e });
    return e;
  }
  return new SluiceError('DATA_PARSE', `${file}: ${messageOf(e)}`, { location: { file }, cause: e });
}
