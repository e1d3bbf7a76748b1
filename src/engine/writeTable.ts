import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { SluiceError } from '../core/errors.js';
import type { Engine } from './Engine.js';
import { tempPathFor } from './atomicWriteFile.js';
import { quoteIdent, quoteLiteral } from './sql.js';

export type OutputFormat = 'csv' | 'parquet';

export interface WriteTableOptions {
  /** Detected from the extension (`.parquet`/`.pq` or `.csv`) when absent. */
  format?: OutputFormat;
  delimiter?: string;
}

/** Output format from a file name. */
export function outputFormatOf(path: string): OutputFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  throw new SluiceError('FORMAT_UNKNOWN', `cannot tell the output format of ${path} from its extension "${ext}"`, {
    location: { file: path },
    hint: 'write to a .csv or .parquet file',
  });
}

/**
 * Writes a table, view or SELECT query to a CSV or Parquet file atomically: DuckDB writes a
 * temporary file beside the target, which is renamed over it only when complete. A failed or
 * interrupted run leaves the previous file (or no file) and no partial one.
 *
 * @returns the number of rows written.
 */
export async function writeTable(engine: Engine, relationOrQuery: string, path: string, options: WriteTableOptions = {}): Promise<number> {
  const format = options.format ?? outputFormatOf(path);
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const source = /^\s*(select|with|from)\b/i.test(relationOrQuery) ? `(${relationOrQuery})` : quoteIdent(relationOrQuery);
  const opts =
    format === 'parquet'
      ? `FORMAT parquet, COMPRESSION zstd`
      : `FORMAT csv, HEADER true, DELIMITER ${quoteLiteral(options.delimiter ?? (extname(path).toLowerCase() === '.tsv' ? '\t' : ','))}`;
  try {
    const result = await engine.query<{ Count: number }>(`COPY ${source} TO ${quoteLiteral(tmp)} (${opts})`);
    await rename(tmp, path);
    return Number(result[0]?.Count ?? 0);
  } catch (e) {
    await rm(tmp, { force: true, recursive: true });
    throw e;
  }
}
