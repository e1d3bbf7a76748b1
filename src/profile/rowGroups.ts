import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { uniqueNamer } from '../engine/uniqueNamer.js';
import { profileColumnsSql } from './profileView.js';
import { sampledRowSql } from './sampledRowSql.js';

/**
 * A table's rows grouped once, above the report's sample size (issue 19, target 2 at 10M rows):
 * one `GROUP BY` over every column (as the profile view shows them) gives, in the same pass,
 *
 * - the duplicates (the groups of more than one row, as `computeDuplicates` finds them),
 * - the report's sample: each group keeps the numbers of its rows the sample draws
 *   ({@link sampledRowSql}: a seeded hash of the row number, so DuckDB's threads all sample and
 *   the same table gives the same sample whatever their number), and
 * - when `all`, every distinct row with its count, from which the value counts split by the
 *   target are summed (`createJointCounts` with a weight): the same numbers as from every row,
 *   from fewer rows when rows repeat (the 10M-row diabetes file: 676,507 distinct rows).
 *
 * Without `all` only the groups of more than one row and those holding a sampled row are kept:
 * with few duplicates, a table of every distinct row would be another copy of the data.
 */
export interface RowGroups {
  table: string;
  /** The group's size. */
  count: string;
  /** The group's sampled row numbers (a list; NULL when none). */
  sampled: string;
  /** Whether every distinct row is a group of the table (else only the repeated or sampled ones). */
  all: boolean;
}

/** Rows of the table's start whose distinct share decides {@link repeatsEnough}. */
export const REPEAT_PROBE_ROWS = 100_000;

/**
 * Whether the rows repeat enough for the value counts to be summed from the distinct rows: at
 * most 60% of the first {@link REPEAT_PROBE_ROWS} rows are distinct. Only a choice of the cheaper
 * way to the same numbers: at 1M rows of the diabetes data (47% distinct) the distinct rows
 * cost less than every row, at 10M rows with none repeating they cost 8 CPU-s more.
 */
export async function repeatsEnough(engine: Engine, view: string): Promise<boolean> {
  const [r] = await engine.query<{ d: number; n: number }>(
    `WITH head AS (SELECT * FROM ${quoteIdent(view)} LIMIT ${REPEAT_PROBE_ROWS}) SELECT (SELECT count(*) FROM (SELECT DISTINCT * FROM head)) AS d, (SELECT count(*) FROM head) AS n`,
  );
  const rows = Number(r?.n ?? 0);
  return rows > 0 && Number(r?.d ?? 0) <= 0.6 * rows;
}

/**
 * Groups the rows of `table` (a table: its row numbers are its rows' order) into a temporary
 * table the caller drops: see {@link RowGroups}. `sample` is the report's sample size and the
 * table's rows.
 */
export async function groupRows(
  engine: Engine,
  table: string,
  schema: readonly ColumnSchema[],
  sample: { size: number; rows: number },
  all: boolean,
): Promise<RowGroups> {
  const names = schema.map((c) => c.name);
  const name = uniqueNamer(names);
  const count = name('__n');
  const sampled = name('__sampled');
  const groups = engine.tempName('groups');
  const hit = sampledRowSql('rowid', sample.size, sample.rows);
  const keep = all ? '' : ` HAVING count(*) > 1 OR count(*) FILTER (WHERE ${hit}) > 0`;
  await engine.exec(
    `CREATE TEMP TABLE ${quoteIdent(groups)} AS SELECT ${profileColumnsSql(schema).join(', ')}, count(*) AS ${quoteIdent(count)}, list(rowid) FILTER (WHERE ${hit}) AS ${quoteIdent(sampled)} FROM ${quoteIdent(table)} GROUP BY ALL${keep}`,
  );
  return { table: groups, count, sampled, all };
}
