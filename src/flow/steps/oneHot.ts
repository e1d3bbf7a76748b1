import { z } from 'zod';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { assertCategorical, categoryCodec, unseenError, unseenErrorSql } from './categories.js';
import { uniqueNamer } from '../../engine/uniqueNamer.js';
import { columnList, common, isMissing } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('one_hot'),
      columns: columnList,
      top_k: z.number().int().positive().default(20).describe('How many of the most frequent categories get a column (ties broken by value).'),
      other: z.boolean().default(false).describe('Adds `<col>_other`: 1 for a value outside the top k.'),
      unseen: z
        .enum(['other', 'error', 'missing'])
        .default('missing')
        .describe('A value not seen at fit time: counts as other, stops with an error, or gets all zeros (missing).'),
      drop_original: z.boolean().default(true).describe('Remove the encoded column.'),
      ...common,
    })
    .strict()
    .refine((s) => s.unseen !== 'other' || s.other, { message: 'unseen: other needs other: true', path: ['unseen'] });

type Spec = z.infer<ReturnType<typeof schema>>;
/** Per column: the top categories, and every category seen at fit time when it is needed to tell unseen from other. */
type Fitted = { columns: Record<string, { categories: string[]; seen?: string[] }> };

/**
 * The indicator columns of every encoded column: per column, [name, category or null for other].
 * A name is `<col>_<category>` (the catch-all `<col>_other`, or `<col>__other` when a category is
 * itself "other" in any case). DuckDB compares names without case, so a name that equals, in any
 * case, a kept column or an earlier indicator gets the first free suffix `_2`, `_3`, ...: the
 * names are unique and depend only on the fitted categories (in their fitted order) and the
 * step's input columns, so every run and the record path name them alike.
 */
function indicators(s: Spec, f: Fitted, ctx: StepContext): Map<string, Array<[string, string | null]>> {
  const kept = s.drop_original ? ctx.columns.filter((c) => !s.columns.includes(c.name)) : ctx.columns;
  const unique = uniqueNamer(kept.map((c) => c.name));
  const out = new Map<string, Array<[string, string | null]>>();
  for (const column of s.columns) {
    const cats = f.columns[column]?.categories ?? [];
    const list: Array<[string, string | null]> = cats.map((c) => [unique(`${column}_${c}`), c]);
    if (s.other) list.push([unique(cats.some((c) => c.toLowerCase() === 'other') ? `${column}__other` : `${column}_other`), null]);
    out.set(column, list);
  }
  return out;
}

/** One-hot encoding with top-k categories, an optional `other` column and a policy for unseen values. */
export const oneHot = defineStep<Spec, Fitted>({
  kind: 'one_hot',
  schema,
  doc: {
    title: 'One-hot encode',
    family: 'encode',
    description:
      'Replaces each listed column by 0/1 integer columns `<col>_<category>`, one per category among the top_k most frequent at fit time (ties broken by value). A float column is encoded by its values, as Data Wrangler does: a whole number is named with one decimal (`rate_1.0`), any other as Python writes it (`rate_0.25`, `rate_1e-05`), the names pandas get_dummies gives, on both paths alike. With other: true a column `<col>_other` (or `<col>__other` when a category is itself named "other", in any case) marks values outside the top k. Column names compare without case: a name equal (in any case) to another column or to an earlier indicator gets the first free suffix `_2`, `_3`, ... (`Other`, `other`, `OTHER` give `c_Other`, `c_other_2`, `c_OTHER_3`). A missing value gives all zeros. A value not seen at fit time counts as other, stops the run with an error naming the record and field, or gives all zeros (unseen: other, error, missing). Text, integer, boolean and float columns (dates are refused: derive parts with datetime_features).',
    example: 'kind: one_hot\ncolumns: [race, gender]\ntop_k: 3\nother: true\nunseen: other',
    learns: 'the top_k most frequent categories of each column',
  },
  inputs: (s) => s.columns,
  async fit(s, ctx) {
    const columns: Fitted['columns'] = {};
    for (const c of s.columns) {
      assertCategorical(ctx, c, 'one_hot', true);
      const codec = categoryCodec(ctx, c);
      const rows = await ctx.engine.query<{ v: unknown }>(
        `SELECT ${codec.sql} AS v, count(*) AS n FROM ${quoteIdent(ctx.relation)} WHERE ${quoteIdent(c)} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v`,
      );
      const all = rows.map((r) => codec.key(r.v));
      columns[c] = {
        categories: all.slice(0, s.top_k),
        ...((s.unseen === 'error' || (s.unseen === 'missing' && s.other)) && all.length > s.top_k ? { seen: all } : {}),
      };
    }
    return { columns };
  },
  outputs: (s, f, ctx) => {
    const names = [...indicators(s, f, ctx).values()].flatMap((list) => list.map(([n]) => n));
    const kept = s.drop_original ? ctx.columns.filter((c) => !s.columns.includes(c.name)) : ctx.columns;
    return [...kept.map((c) => ({ name: c.name, type: c.type })), ...names.map((name) => ({ name, type: 'integer' as const }))];
  },
  sql: (s, f, ctx, input) => {
    const parts: string[] = [];
    const all = indicators(s, f, ctx);
    for (const c of s.columns) {
      const fc = f.columns[c] ?? { categories: [] };
      const codec = categoryCodec(ctx, c);
      all.get(c)!.forEach(([name, cat], i) => {
        let e =
          cat !== null
            ? `CASE WHEN ${codec.equals(cat)} THEN 1 ELSE 0 END`
            : `CASE WHEN ${quoteIdent(c)} IS NOT NULL AND NOT (${codec.inList(fc.categories)}) ${s.unseen === 'missing' ? `AND ${codec.inList(fc.seen ?? fc.categories)} ` : ''}THEN 1 ELSE 0 END`;
        if (i === 0 && s.unseen === 'error')
          e = `CASE WHEN ${quoteIdent(c)} IS NOT NULL AND NOT (${codec.inList(fc.seen ?? fc.categories)}) THEN ${unseenErrorSql(ctx, 'one_hot', c)} ELSE ${e} END`;
        parts.push(`(${e})::BIGINT AS ${quoteIdent(name)}`);
      });
    }
    const head = s.drop_original ? `SELECT * EXCLUDE (${s.columns.map(quoteIdent).join(', ')})` : 'SELECT *';
    return `${head}${parts.map((p) => `, ${p}`).join('')} FROM ${input}`;
  },
  record: (s, f, ctx) => {
    const all = indicators(s, f, ctx);
    const plans = s.columns.map((c) => {
      const fc = f.columns[c] ?? { categories: [] };
      return {
        column: c,
        fc,
        key: categoryCodec(ctx, c).key,
        cats: new Set(fc.categories),
        seen: fc.seen ? new Set(fc.seen) : undefined,
        indicators: all.get(c)!,
      };
    });
    return (row) => {
      // a dropped original stays on the record: `delete` makes V8 objects slow, and the
      // fitted flow's output schema decides which fields leave the flow
      const out = { ...row };
      for (const p of plans) {
        const v = row[p.column];
        const key = isMissing(v) ? null : p.key(v);
        const known = key !== null && p.cats.has(key);
        const seen = key !== null && (known || (p.seen?.has(key) ?? false));
        if (key !== null && !seen && s.unseen === 'error' && p.indicators.length > 0)
          throw unseenError(ctx, 'one_hot', p.column, v, p.fc.seen ?? p.fc.categories);
        // "other" means outside the top k; unseen values count as other unless unseen is missing
        const isOther = key !== null && !known && (s.unseen !== 'missing' || seen);
        for (const [name, cat] of p.indicators) out[name] = cat === null ? (isOther ? 1 : 0) : key === cat ? 1 : 0;
      }
      return out;
    };
  },
});
