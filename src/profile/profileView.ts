import { isFloatingSqlType, presentOrNullSql } from '../core/missing.js';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';

/**
 * Creates the view every profile query reads: the relation with floating NaN and ±Infinity turned
 * into NULL (the one definition of missing, src/core/missing.ts), because pandas (the reference
 * every statistic is checked against) counts NaN as missing while DuckDB treats it as a number.
 * Returns the view name and the relation's columns.
 */
export async function createProfileView(engine: Engine, relation: string): Promise<{ view: string; schema: ColumnSchema[] }> {
  const schema = await engine.describe(relation);
  const view = engine.tempName('profile');
  const cols = schema.map((c) => {
    const q = quoteIdent(c.name);
    return isFloatingSqlType(c.sqlType) ? `${presentOrNullSql(q, true)} AS ${q}` : q;
  });
  await engine.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS SELECT ${cols.join(', ') || '*'} FROM ${quoteIdent(relation)}`);
  return { view, schema };
}
