import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { uniqueNamer } from '../engine/uniqueNamer.js';
import type { Cell } from './reportSchema.js';
import { jsonCell } from './sqlNumbers.js';

export interface DuplicatesResult {
  /** Rows that repeat an earlier row (pandas `df.duplicated().sum()`; missing equals missing). */
  duplicateRows: number;
  top: Array<{ count: number; row: Record<string, Cell> }>;
}

/**
 * Exact duplicate rows in one grouping pass: every group of identical rows with its size; the
 * duplicate count is the sum of (size - 1), and the largest groups are kept as examples (equal
 * sizes in the order of the rows' values, column by column, missing last).
 */
export async function computeDuplicates(engine: Engine, view: string, columns: string[], limit = 10): Promise<DuplicatesResult> {
  if (columns.length === 0) return { duplicateRows: 0, top: [] };
  const v = quoteIdent(view);
  const cols = columns.map(quoteIdent).join(', ');
  const groups = engine.tempName('dups');
  const n = uniqueNamer(columns)('__n');
  await engine.exec(
    `CREATE OR REPLACE TEMP TABLE ${quoteIdent(groups)} AS SELECT ${cols}, count(*) AS ${quoteIdent(n)} FROM ${v} GROUP BY ALL HAVING count(*) > 1`,
  );
  try {
    return await duplicatesOfGroups(engine, groups, columns, n, limit);
  } finally {
    await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(groups)}`);
  }
}

/**
 * The duplicates from a table of groups of identical rows (`columns` and their size in column
 * `count`; groups of one row may be there too, they count for nothing): what
 * {@link computeDuplicates} gives from the rows themselves.
 */
export async function duplicatesOfGroups(engine: Engine, groups: string, columns: string[], count: string, limit = 10): Promise<DuplicatesResult> {
  const g = quoteIdent(groups);
  const n = quoteIdent(count);
  const [sum] = await engine.query<{ d: number | null }>(`SELECT sum(${n} - 1) AS d FROM ${g} WHERE ${n} > 1`);
  // Equal sizes are ordered by the rows' values: which groups are shown must not depend on
  // DuckDB's threads (the diabetes data's 84 duplicated groups are all pairs).
  const rows = await engine.query(
    `SELECT ${columns.map(quoteIdent).join(', ')}, ${n} FROM ${g} WHERE ${n} > 1 ORDER BY ${n} DESC, ${columns.map((c) => `${quoteIdent(c)} ASC NULLS LAST`).join(', ')} LIMIT ${limit}`,
  );
  const top = rows.map((r) => {
    const row: Record<string, Cell> = {};
    for (const c of columns) row[c] = jsonCell(r[c]);
    return { count: Number(r[count]), row };
  });
  return { duplicateRows: Number(sum?.d ?? 0), top };
}
