import { z } from 'zod';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { defineStep } from '../step.js';
import { assertCategorical, catSql, unseenError, unseenErrorSql } from './categories.js';
import { columnList, common, isMissing, ownEntry, replaceSql, retype } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('ordinal_encode'),
      columns: columnList,
      order: z
        .record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1))
        .optional()
        .describe('Per column, its categories in order (code 0 first); columns not listed learn their sorted categories.'),
      unseen: z
        .enum(['error', 'missing', 'value'])
        .default('value')
        .describe('A value not seen at fit time (or not in order): stops with an error, becomes missing, or gets unseen_value.'),
      unseen_value: z.number().int().default(-1).describe('The code of an unseen value with unseen: value.'),
      ...common,
    })
    .strict();

type Spec = z.infer<ReturnType<typeof schema>>;
type Fitted = { categories: Record<string, string[]> };

/** Ordinal encoding: each category becomes its 0-based position in an explicit or learned order. */
export const ordinalEncode = defineStep<Spec, Fitted>({
  kind: 'ordinal_encode',
  schema,
  doc: {
    title: 'Ordinal encode',
    family: 'encode',
    description:
      'Replaces each listed column by integer codes 0, 1, 2, ...: the position of its value in an explicit order, or among the categories seen at fit time sorted by value (as scikit-learn OrdinalEncoder). A missing value stays missing. A value not in the order or not seen at fit time stops the run with an error naming the record and field, becomes missing, or gets unseen_value (default -1). Text, integer and boolean columns only.',
    example: "kind: ordinal_encode\ncolumns: [max_glu_serum, race]\norder: { max_glu_serum: [none, norm, '>200', '>300'] }\nunseen: value",
    learns: 'the sorted categories of each column without an explicit order',
  },
  inputs: (s) => s.columns,
  async fit(s, ctx) {
    const categories: Fitted['categories'] = {};
    for (const c of s.columns) {
      assertCategorical(ctx, c, 'ordinal_encode');
      const explicit = s.order && ownEntry(s.order, c);
      if (explicit) {
        categories[c] = explicit.map(String);
        continue;
      }
      const rows = await ctx.engine.query<{ v: string }>(
        `SELECT ${catSql(c)} AS v FROM ${quoteIdent(ctx.relation)} WHERE ${quoteIdent(c)} IS NOT NULL GROUP BY ${quoteIdent(c)} ORDER BY ${quoteIdent(c)}`,
      );
      categories[c] = rows.map((r) => r.v);
    }
    return { categories };
  },
  outputs: (s, _f, ctx) => retype(ctx.columns, Object.fromEntries(s.columns.map((c) => [c, 'integer' as const]))),
  sql: (s, f, ctx, input) =>
    replaceSql(
      input,
      s.columns.map((c) => {
        const cats = f.categories[c] ?? [];
        const otherwise = s.unseen === 'error' ? unseenErrorSql(ctx, 'ordinal_encode', c) : s.unseen === 'missing' ? 'NULL' : String(s.unseen_value);
        const whens = cats.map((k, i) => `WHEN ${quoteLiteral(k)} THEN ${i}`).join(' ');
        const code = cats.length === 0 ? otherwise : `CASE ${catSql(c)} ${whens} ELSE ${otherwise} END`; // an all-missing column learns no category
        return [c, `CASE WHEN ${quoteIdent(c)} IS NULL THEN NULL ELSE (${code}) END::BIGINT`];
      }),
    ),
  record: (s, f, ctx) => {
    const codes = s.columns.map((c) => ({ column: c, known: f.categories[c] ?? [], map: new Map((f.categories[c] ?? []).map((k, i) => [k, i])) }));
    return (row) => {
      const out = { ...row };
      for (const { column, known, map } of codes) {
        const v = row[column];
        if (isMissing(v)) {
          out[column] = null;
          continue;
        }
        const code = map.get(String(v));
        if (code !== undefined) out[column] = code;
        else if (s.unseen === 'error') throw unseenError(ctx, 'ordinal_encode', column, v, known);
        else out[column] = s.unseen === 'missing' ? null : s.unseen_value;
      }
      return out;
    };
  },
});
