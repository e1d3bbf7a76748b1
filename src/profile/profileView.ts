import { isFloatingSqlType, presentOrNullSql } from '../core/missing.js';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';

/**
 * Creates the view every profile query reads: the relation with floating NaN and ±Infinity turned
 * into NULL (the one definition of missing, src/core/missing.ts), because pandas (the reference
 * every statistic is checked against) counts NaN as missing while DuckDB treats it as a number.
 * Returns the view name, the relation's columns, and whether the relation is a table (not a
 * view): then the profile view gives the same rows in the same order on every read, and the
 * model frame is read from it without a copy (`src/data/frameFromStableView.ts`).
 */
export async function createProfileView(engine: Engine, relation: string): Promise<{ view: string; schema: ColumnSchema[]; stable: boolean }> {
  const schema = await engine.describe(relation);
  const [kinds] = await engine.query<{ tables: number; views: number }>(
    'SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = $1) AS tables, (SELECT count(*) FROM duckdb_views() WHERE view_name = $1) AS views',
    [relation],
  );
  const stable = Number(kinds?.tables ?? 0) > 0 && Number(kinds?.views ?? 0) === 0;
  const view = engine.tempName('profile');
  await engine.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS SELECT ${profileColumnsSql(schema).join(', ') || '*'} FROM ${quoteIdent(relation)}`);
  return { view, schema, stable };
}

/** The profile view's select list over the relation: each column, floating NaN and ±Infinity as NULL. */
export function profileColumnsSql(schema: readonly ColumnSchema[]): string[] {
  return schema.map((c) => {
    const q = quoteIdent(c.name);
    return isFloatingSqlType(c.sqlType) ? `${presentOrNullSql(q, true)} AS ${q}` : q;
  });
}
