import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { SluiceError } from '../core/errors.js';
import { duckTypeToLogical, type ColumnSchema } from '../core/types.js';
import { quoteIdent } from './sql.js';

// Loaded with require: importing this CommonJS package from ESM makes Node lex its ~120 files
// for named exports first, a third of a second of `sluice flow run` (issue 19).
const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
// The C API's vector accessors, for reading DOUBLE and INTEGER columns as typed arrays without a
// JavaScript value per cell (the package node-api itself is built on, at the version it pins).
const bindings = createRequire(import.meta.url)('@duckdb/node-bindings') as typeof import('@duckdb/node-bindings');

/**
 * How {@link Engine.readColumns} returns a column: `double` (the SQL must give DOUBLE) as a
 * Float64Array with NULL as NaN, `int32` (INTEGER) as an Int32Array with NULL as -1, `value` as
 * plain JavaScript values (as {@link Engine.queryColumns}).
 */
export type ColumnReadKind = 'double' | 'int32' | 'value';
export type ReadColumn = Float64Array | Int32Array | unknown[];

export type Row = Record<string, unknown>;
export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

export interface EngineOptions {
  /** Database file; in memory when absent. */
  path?: string;
  /** DuckDB memory limit, e.g. '1GB'. Work beyond it spills to `tempDirectory`. */
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
}

let counter = 0;

/**
 * The data engine: one DuckDB database and connection. This file (with the readers and writers
 * beside it) is the only place that imports `@duckdb/node-api`; the rest of Sluice speaks SQL
 * text and plain JavaScript rows through it.
 *
 * @example
 * const engine = await Engine.open();
 * await readTable(engine, 'data.csv', { name: 'raw' });
 * const rows = await engine.query('SELECT count(*) AS n FROM raw');
 */
export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    /** The spill folder this instance created, removed on close. */
    private readonly ownTempDirectory?: string,
  ) {}

  static async open(options: EngineOptions = {}): Promise<Engine> {
    const config: Record<string, string> = {};
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.threads) config.threads = String(options.threads);
    // DuckDB's default spill folder is `.tmp` in the current directory: keep users' folders
    // clean. One folder per instance: instances sharing a folder delete each other's spill files.
    const ownTemp = options.tempDirectory === undefined;
    const tempDirectory = options.tempDirectory ?? join(tmpdir(), `sluice-duckdb-${process.pid}-${randomBytes(4).toString('hex')}`);
    config.temp_directory = tempDirectory;
    const instance = await duckdb.DuckDBInstance.create(options.path ?? ':memory:', config);
    const conn = await instance.connect();
    return new Engine(instance, conn, ownTemp ? tempDirectory : undefined);
  }

  /** Runs statements for their effect. */
  async exec(sql: string, params?: Params): Promise<void> {
    try {
      await this.conn.run(sql, params);
    } catch (e) {
      throw mapDuckError(e, sql);
    }
  }

  /** Runs a query and returns its rows as plain objects (BIGINTs that fit become numbers). */
  async query<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    try {
      const reader = await this.conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS().map((r) => normalizeRow(r)) as T[];
    } catch (e) {
      throw mapDuckError(e, sql);
    }
  }

  /** Runs a query and returns it column by column (for numeric work on whole columns). */
  async queryColumns(sql: string, params?: Params): Promise<{ names: string[]; columns: unknown[][] }> {
    try {
      const reader = await this.conn.runAndReadAll(sql, params);
      const names = reader.columnNames();
      const columns = reader.getColumnsJS().map((col) => col.map(normalizeValue));
      return { names, columns };
    } catch (e) {
      throw mapDuckError(e, sql);
    }
  }

  /**
   * Runs a query and streams it into typed arrays, column by column (`kinds[i]` for column i):
   * numbers are copied straight from DuckDB's vectors, with no JavaScript value per cell, so
   * millions of rows load in a fraction of a second. A column whose SQL type does not match
   * its kind is an internal error (the caller casts in SQL).
   *
   * @example
   * const [x, code] = await engine.readColumns('SELECT x::DOUBLE, c::INTEGER FROM t', ['double', 'int32']);
   */
  async readColumns(sql: string, kinds: readonly ColumnReadKind[], params?: Params): Promise<ReadColumn[]> {
    try {
      const result = await this.conn.stream(sql, params);
      const types = kinds.map((_, i) => result.columnTypeId(i));
      kinds.forEach((k, i) => {
        const want = k === 'double' ? duckdb.DuckDBTypeId.DOUBLE : k === 'int32' ? duckdb.DuckDBTypeId.INTEGER : undefined;
        if (want !== undefined && types[i] !== want) throw new Error(`readColumns: column ${i} is ${duckdb.DuckDBTypeId[types[i]!]}, not ${k}`);
      });
      const parts: ReadColumn[][] = kinds.map(() => []);
      let rows = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const n = chunk.rowCount;
        kinds.forEach((k, i) => {
          if (k === 'value') {
            parts[i]!.push(chunk.convertColumnValues(i, duckdb.JSDuckDBValueConverter).map(normalizeValue));
            return;
          }
          const vector = bindings.data_chunk_get_vector(chunk.chunk, i);
          const bytes = bindings.vector_get_data(vector, n * (k === 'double' ? 8 : 4));
          const values =
            k === 'double' ? new Float64Array(bytes.buffer, bytes.byteOffset, n).slice() : new Int32Array(bytes.buffer, bytes.byteOffset, n).slice();
          const validity = bindings.vector_get_validity(vector, Math.ceil(n / 64) * 8);
          if (validity) {
            const missing = k === 'double' ? NaN : -1;
            for (let r = 0; r < n; r++) if (((validity[r >> 3]! >> (r & 7)) & 1) === 0) values[r] = missing;
          }
          parts[i]!.push(values);
        });
        rows += n;
      }
      return kinds.map((k, i) => concatParts(k, parts[i]!, rows));
    } catch (e) {
      throw mapDuckError(e, sql);
    }
  }

  /**
   * Runs a query of DOUBLE columns and hands each of DuckDB's chunks to `onChunk` as views of
   * DuckDB's own vectors (no copy; NULL is NaN): for one pass over millions of rows without
   * holding them. The views are valid only during the call.
   */
  async scanDoubleChunks(sql: string, onChunk: (columns: Float64Array[], rows: number) => void, params?: Params): Promise<void> {
    try {
      const result = await this.conn.stream(sql, params);
      const width = result.columnCount;
      for (let i = 0; i < width; i++) {
        const type = result.columnTypeId(i);
        if (type !== duckdb.DuckDBTypeId.DOUBLE) throw new Error(`scanDoubleChunks: column ${i} is ${duckdb.DuckDBTypeId[type]}, not DOUBLE`);
      }
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const n = chunk.rowCount;
        const columns: Float64Array[] = [];
        for (let i = 0; i < width; i++) {
          const vector = bindings.data_chunk_get_vector(chunk.chunk, i);
          const bytes = bindings.vector_get_data(vector, n * 8);
          let values = new Float64Array(bytes.buffer, bytes.byteOffset, n);
          const validity = bindings.vector_get_validity(vector, Math.ceil(n / 64) * 8);
          if (validity) {
            values = values.slice();
            for (let r = 0; r < n; r++) if (((validity[r >> 3]! >> (r & 7)) & 1) === 0) values[r] = NaN;
          }
          columns.push(values);
        }
        onChunk(columns, n);
      }
    } catch (e) {
      throw mapDuckError(e, sql);
    }
  }

  /** The columns of a table, view or query, with Sluice logical types. */
  async describe(relationOrQuery: string): Promise<ColumnSchema[]> {
    const isQuery = /^\s*(select|with|from)\b/i.test(relationOrQuery);
    const sql = `DESCRIBE ${isQuery ? relationOrQuery : `SELECT * FROM ${quoteIdent(relationOrQuery)}`}`;
    const rows = await this.query<{ column_name: string; column_type: string }>(sql);
    return rows.map((r) => ({ name: r.column_name, type: duckTypeToLogical(r.column_type), sqlType: r.column_type }));
  }

  async count(relation: string): Promise<number> {
    const rows = await this.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(relation)}`);
    return Number(rows[0]?.n ?? 0);
  }

  /** A fresh relation name, unique within this process. */
  tempName(prefix = 't'): string {
    counter += 1;
    return `__${prefix}_${counter}`;
  }

  /** Interrupts the running query (used for cancellation). */
  interrupt(): void {
    this.conn.interrupt();
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
    if (this.ownTempDirectory) rmSync(this.ownTempDirectory, { recursive: true, force: true });
  }
}

function concatParts(kind: ColumnReadKind, parts: ReadColumn[], rows: number): ReadColumn {
  if (kind === 'value') return parts.length === 1 ? parts[0]! : (parts as unknown[][]).flat();
  const out = kind === 'double' ? new Float64Array(rows) : new Int32Array(rows);
  let at = 0;
  for (const p of parts as Array<Float64Array | Int32Array>) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function normalizeValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return v;
}

function normalizeRow(r: Record<string, unknown>): Row {
  for (const k of Object.keys(r)) r[k] = normalizeValue(r[k]);
  return r;
}

/**
 * Turns DuckDB's errors into SluiceErrors: line numbers of CSV errors become locations, and
 * binder errors (a missing column) keep their text. Anything unexpected stays an internal error.
 */
export function mapDuckError(e: unknown, sql?: string): SluiceError {
  if (e instanceof SluiceError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n')[0] ?? message;
  const line = /CSV Error on Line: (\d+)/.exec(message);
  const file = /file = (\S+)/.exec(message);
  if (line) {
    const conv = /Could not convert string "([^"]*)" to '(\w+)'/.exec(message);
    const colName = /Error when converting column "([^"]+)"/.exec(message);
    return new SluiceError(conv ? 'DATA_TYPE_MISMATCH' : 'DATA_PARSE', conv ? `value "${conv[1]}" in column "${colName?.[1]}" is not a ${conv[2]}` : first, {
      location: { file: file?.[1], line: Number(line[1]), field: colName?.[1] },
      hint: conv ? 'the column looked numeric in the first rows; fix the value or cast the column to string in the flow' : 'check the file at that line',
      cause: e,
    });
  }
  if (/^(Binder|Parser|Catalog) Error/.test(first)) {
    return new SluiceError('SQL_ERROR', first.replace(/^\w+ Error: /, ''), { cause: e, details: sql ? { sql } : undefined });
  }
  if (/^Conversion Error|^Invalid Input Error|^Out of Range Error/.test(first)) {
    return new SluiceError('DATA_ERROR', first.replace(/^[\w ]+ Error: /, ''), { cause: e, details: sql ? { sql } : undefined });
  }
  if (/^INTERRUPT/.test(first) || /Interrupted/.test(first)) {
    return new SluiceError('CANCELLED', 'the query was cancelled', { cause: e, httpStatus: 499 });
  }
  return new SluiceError('ENGINE_ERROR', first, { cause: e, httpStatus: 500, details: sql ? { sql } : undefined });
}
