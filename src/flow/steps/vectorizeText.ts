import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { defineStep, type FitContext, type StepContext } from '../step.js';
import { uniqueNamer } from '../../engine/uniqueNamer.js';
import { columnName, common, isMissing } from './common.js';
import { assertText } from './findReplace.js';
import { tokenizer, tokenizerFields, tokensSql } from './tokenize.js';

/** Inverse document frequency of a token in `df` of `n` documents, by formula. */
const IDF = {
  smooth: (n: number, df: number) => Math.log((1 + n) / (1 + df)) + 1, // scikit-learn's default
  plain: (n: number, df: number) => Math.log(n / df) + 1, // scikit-learn smooth_idf=False
  spark: (n: number, df: number) => Math.log((n + 1) / (df + 1)), // Spark ML's IDF (Data Wrangler)
} as const;

/** A cap on the vocabulary: every token becomes a column. */
const MAX_VOCABULARY = 10_000;

const documents = z.number().positive();

const schema = () =>
  z
    .object({
      kind: z.literal('vectorize_text'),
      column: columnName,
      ...tokenizerFields,
      max_features: z
        .number()
        .int()
        .min(1, 'max_features must be at least 1: it is the number of token columns the step makes')
        .max(MAX_VOCABULARY, `max_features is at most ${MAX_VOCABULARY}: every token becomes a column`)
        .default(100)
        .describe(`The vocabulary's size: the tokens most frequent over the training rows (ties by token), at most ${MAX_VOCABULARY}.`),
      min_df: documents.default(1).describe('Keep tokens found in at least this many training rows (a number below 1: this fraction of the rows).'),
      max_df: documents
        .default(1)
        .describe('Keep tokens found in at most this fraction of the training rows (a number above 1: this many rows). Default 1: all.'),
      weighting: z
        .enum(['count', 'tfidf'])
        .default('count')
        .describe('count: how often each token occurs; tfidf: the count times the inverse document frequency.'),
      idf: z
        .enum(['smooth', 'plain', 'spark'])
        .default('smooth')
        .describe('With tfidf: smooth ln((1+n)/(1+df))+1 (scikit-learn), plain ln(n/df)+1, spark ln((n+1)/(df+1)) (Spark, Data Wrangler).'),
      norm: z.enum(['none', 'l2']).default('none').describe('l2: divide each row by its Euclidean length (scikit-learn TfidfVectorizer does by default).'),
      prefix: z.string().optional().describe('Output columns are `<prefix><token>`; default `<column>_`.'),
      drop_original: z.boolean().default(false).describe('Remove the text column.'),
      ...common,
    })
    .strict()
    .refine((s) => s.min_df < 1 || Number.isInteger(s.min_df), { message: 'min_df is a whole number of rows, or a fraction below 1', path: ['min_df'] })
    .refine((s) => s.max_df <= 1 || Number.isInteger(s.max_df), { message: 'max_df is a fraction up to 1, or a whole number of rows', path: ['max_df'] });

type Spec = z.infer<ReturnType<typeof schema>>;
/** The training rows with text, the vocabulary in token order, and each token's idf (tfidf only). */
type Fitted = { documents: number; vocabulary: string[]; idf?: number[] };

const TOKENS = '__sluice_tokens';
const NORM = '__sluice_norm';
const COUNTS = '__sluice_counts';

/** Code point order, as Python sorts text (scikit-learn orders its vocabulary so). */
const byCodePoint = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

/** `<prefix><token>` per token; a name equal in any case to a column or an earlier one gets `_2`, `_3`, ... */
function outputNames(s: Spec, f: Fitted, ctx: StepContext): string[] {
  const prefix = s.prefix ?? `${s.column}_`;
  const unique = uniqueNamer((s.drop_original ? ctx.columns.filter((c) => c.name !== s.column) : ctx.columns).map((c) => c.name));
  return f.vocabulary.map((t) => unique(`${prefix}${t}`));
}

/**
 * What a vocabulary is chosen from: the rows with text, and per token its count (tf) and the rows
 * it is found in (df). Both add up over disjoint partitions (src/flow/partitions/).
 */
export interface TokenStats {
  documents: number;
  tokens: Record<string, { tf: number; df: number }>;
}

export async function tokenStats(s: Spec, ctx: FitContext): Promise<TokenStats> {
  assertText(ctx, s.column, 'vectorize_text');
  tokenizer(s, ctx); // checks the pattern before the engine reads it
  const docs = `SELECT ${tokensSql(s, quoteIdent(s.column))} AS toks FROM ${quoteIdent(ctx.relation)} WHERE ${quoteIdent(s.column)} IS NOT NULL`;
  const [{ n }] = (await ctx.engine.query<{ n: number | bigint }>(`SELECT count(*) AS n FROM (${docs})`)) as [{ n: number | bigint }];
  const stats = await ctx.engine.query<{ tok: string; tf: number | bigint; df: number | bigint }>(
    `SELECT tok, count(*) AS tf, count(DISTINCT id) AS df FROM (SELECT id, unnest(toks) AS tok FROM (SELECT row_number() OVER () AS id, toks FROM (${docs}))) GROUP BY tok`,
  );
  return { documents: Number(n), tokens: Object.fromEntries(stats.map((r) => [r.tok, { tf: Number(r.tf), df: Number(r.df) }])) };
}

/** The vocabulary (and idf) from the token statistics of the training rows. */
export function chooseVocabulary(s: Spec, ctx: StepContext, stats: TokenStats): Fitted {
  const documents = stats.documents;
  if (documents === 0)
    throw new SluiceError(
      'FLOW_FIT',
      `step ${ctx.index + 1} (vectorize_text) has no text to learn a vocabulary from: "${s.column}" is missing on every training row`,
      {
        location: { step: ctx.index, field: 'column' },
        hint: 'check the column name and the steps before this one (a filter may have removed every row with text)',
      },
    );
  const all = Object.entries(stats.tokens);
  const low = s.min_df < 1 ? s.min_df * documents : s.min_df;
  const high = s.max_df <= 1 ? s.max_df * documents : s.max_df;
  const kept = all
    .map(([tok, r]) => ({ tok, tf: r.tf, df: r.df }))
    .filter((r) => r.df >= low && r.df <= high)
    .sort((a, b) => b.tf - a.tf || byCodePoint(a.tok, b.tok))
    .slice(0, s.max_features)
    .sort((a, b) => byCodePoint(a.tok, b.tok));
  if (kept.length === 0)
    throw new SluiceError(
      'FLOW_FIT',
      `step ${ctx.index + 1} (vectorize_text) keeps no token: ${all.length} distinct tokens in ${documents} rows, none found in at least ${low} and at most ${high} rows`,
      { location: { step: ctx.index, field: 'min_df' }, hint: 'lower min_df or raise max_df, or check the pattern' },
    );
  return {
    documents,
    vocabulary: kept.map((r) => r.tok),
    ...(s.weighting === 'tfidf' ? { idf: kept.map((r) => IDF[s.idf](documents, r.df)) } : {}),
  };
}

/**
 * Data Wrangler's "Featurize text: Vectorize" (Spark's tokenizer, CountVectorizer and IDF),
 * as scikit-learn's CountVectorizer and TfidfVectorizer compute it: one numeric column per
 * token of a vocabulary learned from the training rows and frozen afterwards.
 */
export const vectorizeText = defineStep<Spec, Fitted>({
  kind: 'vectorize_text',
  schema,
  doc: {
    title: 'Vectorize text (count, TF-IDF)',
    family: 'text',
    description: `Tokenizes a text column (tokens are the matches of \`pattern\`, default runs of non-space characters, lower-cased; with gaps: true the pattern separates tokens) and adds one column \`<prefix><token>\` per token of a vocabulary learned at fit time: the max_features tokens most frequent over the training rows (ties by token) among those found in at least min_df and at most max_df rows. Columns are in token order; a name equal in any case to another column or an earlier token's gets the first free suffix \`_2\`, \`_3\`, ... (with lowercase: false, \`DOG\` and \`dog\` give \`txt_DOG\` and \`txt_dog_2\`). weighting: count gives integer counts; tfidf gives count × idf (float), with the idf learned at fit time; norm: l2 then divides each row by its length (a row with no known token stays all zeros). The vocabulary and idf are frozen: later batches and single records are transformed with them, and a token not in the vocabulary is ignored. A missing text gives missing values. Matches scikit-learn's CountVectorizer and TfidfVectorizer with the same settings (test/flow/steps-vectorize.test.ts). Data Wrangler's "Featurize text: Vectorize".`,
    example: 'kind: vectorize_text\ncolumn: complaint\nmax_features: 50\nmin_df: 2\nweighting: tfidf',
    learns: 'the vocabulary (and each token’s inverse document frequency) from the training rows',
  },
  inputs: (s) => [s.column],
  async fit(s, ctx) {
    return chooseVocabulary(s, ctx, await tokenStats(s, ctx));
  },
  outputs: (s, f, ctx) => {
    assertText(ctx, s.column, 'vectorize_text');
    const type = s.weighting === 'count' ? ('integer' as const) : ('float' as const);
    const kept = s.drop_original ? ctx.columns.filter((c) => c.name !== s.column) : ctx.columns;
    return [...kept.map((c) => ({ name: c.name, type: c.type })), ...outputNames(s, f, ctx).map((name) => ({ name, type }))];
  },
  sql: (s, f, ctx, input) => {
    const names = outputNames(s, f, ctx);
    // each row's tokens counted once (a map token -> count); a column per token looks its count up
    const [toks, counts] = [quoteIdent(TOKENS), quoteIdent(COUNTS)];
    const count = (t: string): string => `(CASE WHEN ${toks} IS NOT NULL THEN coalesce(map_extract_value(${counts}, ${quoteLiteral(t)}), 0) END)`;
    const weights = f.vocabulary.map((t, i) => (f.idf ? `(${count(t)}::DOUBLE * ${f.idf[i]}::DOUBLE)` : `${count(t)}::BIGINT`));
    const drop = [TOKENS, COUNTS, ...(s.drop_original ? [s.column] : [])].map(quoteIdent).join(', ');
    const tokens = `(SELECT *, list_aggregate(${toks}, 'histogram') AS ${counts} FROM (SELECT *, ${tokensSql(s, quoteIdent(s.column))} AS ${toks} FROM ${input}))`;
    if (s.norm === 'none') return `SELECT * EXCLUDE (${drop}), ${weights.map((w, i) => `${w} AS ${quoteIdent(names[i]!)}`).join(', ')} FROM ${tokens}`;
    // l2: the weights first, then each divided by the row's length (0 stays 0, as scikit-learn)
    const raw = names.map((_n, i) => quoteIdent(`__sluice_w${i}`));
    const withWeights = `(SELECT *, ${weights.map((w, i) => `${w} AS ${raw[i]}`).join(', ')} FROM ${tokens})`;
    const withNorm = `(SELECT *, sqrt(${raw.map((w) => `${w} * ${w}`).join(' + ')}) AS ${quoteIdent(NORM)} FROM ${withWeights})`;
    const scaled = raw.map((w, i) => `CASE WHEN ${quoteIdent(NORM)} = 0 THEN 0::DOUBLE ELSE ${w} / ${quoteIdent(NORM)} END AS ${quoteIdent(names[i]!)}`);
    return `SELECT * EXCLUDE (${drop}, ${quoteIdent(NORM)}, ${raw.join(', ')}), ${scaled.join(', ')} FROM ${withNorm}`;
  },
  record: (s, f, ctx) => {
    const names = outputNames(s, f, ctx);
    const tokens = tokenizer(s, ctx);
    const index = new Map(f.vocabulary.map((t, i) => [t, i]));
    return (row) => {
      const out = { ...row };
      const v = row[s.column];
      if (isMissing(v)) {
        for (const n of names) out[n] = null;
        return out;
      }
      const counts = new Array<number>(names.length).fill(0);
      for (const t of tokens(String(v))) {
        const i = index.get(t);
        if (i !== undefined) counts[i]! += 1;
      }
      const weights = f.idf ? counts.map((c, i) => c * f.idf![i]!) : counts;
      let norm = 0;
      if (s.norm === 'l2') for (const w of weights) norm += w * w;
      norm = Math.sqrt(norm);
      names.forEach((n, i) => {
        out[n] = s.norm === 'l2' ? (norm === 0 ? 0 : weights[i]! / norm) : weights[i];
      });
      return out;
    };
  },
});
