import { z } from 'zod';
import { defineStep } from '../step.js';
import { addSql, assertNew, columnList, common, isMissing, plain } from './common.js';
import { presentSql } from './numeric.js';

const schema = () =>
  z
    .object({
      kind: z.literal('missing_indicator'),
      columns: columnList,
      suffix: z.string().min(1).default('_missing').describe('Appended to each column name to name its indicator.'),
      ...common,
    })
    .strict();

/** Adds 0/1 columns marking missing values, so a model can still see them after imputation. */
export const missingIndicator = defineStep({
  kind: 'missing_indicator',
  schema,
  doc: {
    title: 'Add missing indicators',
    family: 'missing',
    description:
      'Adds an integer column `<col>_missing` per listed column: 1 where the value is missing (NULL, or NaN in a float column), else 0. Put it before impute so a model can still tell filled values apart (scikit-learn MissingIndicator).',
    example: 'kind: missing_indicator\ncolumns: [time_in_hospital, race]',
  },
  inputs: (s) => s.columns,
  outputs: (s, _f, ctx) => {
    const added = s.columns.map((c) => `${c}${s.suffix}`);
    added.forEach((n) => {
      assertNew(ctx, n);
    });
    return [...plain(ctx.columns), ...added.map((name) => ({ name, type: 'integer' as const }))];
  },
  sql: (s, _f, ctx, input) =>
    addSql(
      input,
      s.columns.map((c) => [`${c}${s.suffix}`, `(CASE WHEN ${presentSql(ctx, c)} THEN 0 ELSE 1 END)::BIGINT`]),
    ),
  record: (s) => (row) => {
    const out = { ...row };
    for (const c of s.columns) out[`${c}${s.suffix}`] = isMissing(row[c]) ? 1 : 0;
    return out;
  },
});
