import { SluiceError } from '../core/errors.js';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { uniqueNamer } from '../engine/uniqueNamer.js';
import type { RowGroups } from './rowGroups.js';
import { REPORT_SAMPLE_SEED } from './sampledRowSql.js';

export { REPORT_SAMPLE_SEED };

/**
 * Above this many rows, the report's per-row parts that estimate rather than count (the
 * correlations, the model frame of the quick model and prediction power, the anomalies' rows)
 * read a uniform random sample of about this many rows. Counts and column statistics (rows, missing,
 * distinct, min, max, mean, quantiles, histograms), duplicates and the target's breakdown always
 * read every row. At 1M rows of the diabetes data the sampled correlations differ from every
 * row's by at most 0.0054 (docs/benchmarks.md, "Target 2 at scale").
 */
export const REPORT_SAMPLE_ROWS = 250_000;

/** What a report's sample is, as report.json states it (`correlations.sample`). */
export interface ReportSample {
  /** The temporary table holding the sample. */
  relation: string;
  /** Rows in the sample. */
  rows: number;
  /** Rows of the data it was drawn from. */
  of: number;
  method: 'bernoulli';
  /** The chance each row had of being in the sample (size / rows). */
  probability: number;
  seed: number;
}

/**
 * Draws the report's sample from `view` when it has more than `size` rows, for a relation that
 * is a view (a table's rows are sampled by their row numbers in {@link sampleFromGroups}, on
 * every thread): DuckDB's Bernoulli
 * sampling (each row kept independently with probability size / rows, so about `size` rows, in
 * the data's order) with a fixed seed, into a temporary table the caller drops. With a seed
 * DuckDB runs the sampler on one thread, so the same data gives the same sample; it costs about
 * a copy of the data (reservoir sampling of the same size cost 1.6 to 3.5 times more, measured
 * at 1M and 10M rows). Undefined (nothing drawn) at or below `size` rows: the report is then
 * computed on every row, as before. `Infinity` never samples; any other size must be a positive
 * whole number.
 */
export async function takeReportSample(engine: Engine, view: string, rows: number, size: number = REPORT_SAMPLE_ROWS): Promise<ReportSample | undefined> {
  if (!samples(rows, size)) return undefined;
  const relation = engine.tempName('sample');
  const probability = size / rows;
  await engine.exec(
    `CREATE TEMP TABLE ${quoteIdent(relation)} AS SELECT * FROM ${quoteIdent(view)} USING SAMPLE ${100 * probability} PERCENT (bernoulli, ${REPORT_SAMPLE_SEED})`,
  );
  return { relation, rows: await engine.count(relation), of: rows, method: 'bernoulli', probability, seed: REPORT_SAMPLE_SEED };
}

/**
 * Whether a report of `rows` rows is computed partly on a sample of `size` rows: when it has
 * more. Refuses a size that is not a positive whole number (`Infinity`: never).
 */
export function samples(rows: number, size: number): boolean {
  if (size !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(size) && size >= 1))
    throw new SluiceError('REPORT_SAMPLE_SIZE', `the report's sample size must be a positive whole number of rows (or Infinity for none), not ${size}`, {
      hint: "give a whole number of rows such as 250000, or 'all' to read every row (sluice report --sample-rows, sluice.yaml reportSampleRows)",
    });
  return rows > size;
}

/**
 * The report's sample from a table's row groups (src/profile/rowGroups.ts, grouped with this
 * size): the sampled rows, in the table's order, into a temporary table the caller drops. The
 * same rows as a filter of the table by `sampledRowSql` would keep.
 */
export async function sampleFromGroups(engine: Engine, groups: RowGroups, schema: readonly ColumnSchema[], rows: number, size: number): Promise<ReportSample> {
  const relation = engine.tempName('sample');
  const names = schema.map((c) => quoteIdent(c.name)).join(', ');
  const id = quoteIdent(uniqueNamer([...schema.map((c) => c.name), groups.count, groups.sampled])('__row'));
  await engine.exec(
    `CREATE TEMP TABLE ${quoteIdent(relation)} AS SELECT ${names} FROM (SELECT ${names}, unnest(${quoteIdent(groups.sampled)}) AS ${id} FROM ${quoteIdent(groups.table)} WHERE len(${quoteIdent(groups.sampled)}) > 0) ORDER BY ${id}`,
  );
  return { relation, rows: await engine.count(relation), of: rows, method: 'bernoulli', probability: size / rows, seed: REPORT_SAMPLE_SEED };
}

/**
 * The sample size a setting names: a whole number of rows, or `'all'` (every row, never
 * sampled: `Infinity`). sluice.yaml `reportSampleRows` and `sluice report --sample-rows` both
 * come through here; undefined keeps {@link REPORT_SAMPLE_ROWS}.
 */
export function sampleRowsSetting(setting: number | 'all' | undefined): number | undefined {
  return setting === 'all' ? Number.POSITIVE_INFINITY : setting;
}

/** The note report.json and report.html carry when the report was computed partly on a sample. */
export function sampleNote(s: ReportSample): string {
  return `Correlations, the quick model, prediction power and anomalies were computed on a uniform random sample of ${s.rows.toLocaleString('en-US')} of the ${s.of.toLocaleString('en-US')} rows (Bernoulli sampling, each row kept with probability ${Number(s.probability.toPrecision(4))}, seed ${s.seed}); row counts, missing values, column statistics, duplicates and the target's breakdown use every row.`;
}
