import { missingPolicy } from '../core/missing.js';
import { Engine } from '../engine/Engine.js';
import { readTable } from '../engine/readTable.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import { writeTable } from '../engine/writeTable.js';
import { SluiceError } from '../core/errors.js';

export interface HoldoutSplit {
  /** The rows models are trained on (raw, as they arrived), Parquet. */
  train: string;
  /** The rows held out to compare models (raw), Parquet. */
  holdout: string;
  rows: { train: number; holdout: number };
  /** Columns left out of the training rows (`o.drop` that the file has). */
  dropped: string[];
}

/**
 * Splits a raw data file into training rows and held-out rows, before any recipe runs, so that
 * two models with different fitted recipes (a candidate and the champion) can be scored on the
 * very same unseen rows, each through its own recipe. The split is a seeded hash of the row
 * position: the same file and seed always give the same split. Both parts are written
 * atomically (temporary name, then rename).
 *
 * @example
 * const s = await splitHoldoutFile('batch.csv', { fraction: 0.2, seed: 0, train: 'train.parquet', holdout: 'holdout.parquet' });
 */
export async function splitHoldoutFile(
  file: string,
  o: { fraction: number; seed: number; train: string; holdout: string; drop?: (columns: string[]) => string[]; missingTokens?: readonly string[] },
): Promise<HoldoutSplit> {
  if (!(o.fraction > 0 && o.fraction < 1)) {
    throw new SluiceError('TRAIN_BAD_HOLDOUT', `the holdout fraction must be between 0 and 1 (exclusive), got ${o.fraction}`, {
      location: { field: 'model.holdout' },
      hint: 'use for example 0.2',
    });
  }
  const engine = await Engine.open({ memoryLimit: process.env.SLUICE_MEMORY_LIMIT ?? '1GB' });
  try {
    const input = engine.tempName('split_input');
    // The project's missing tokens apply; text stays text, so training types it from the data and
    // records how dates are written, as it would from the raw file.
    const info = await readTable(engine, file, { name: input, missing: missingPolicy(o.missingTokens), recognise: false });
    const cols = info.columns.map((c) => quoteIdent(c.name)).join(', ');
    // Columns the caller leaves out of training (unknown to the flow); the held-out rows keep every column.
    const dropped = new Set(o.drop?.(info.columns.map((c) => c.name)) ?? []);
    const trainCols = info.columns
      .filter((c) => !dropped.has(c.name))
      .map((c) => quoteIdent(c.name))
      .join(', ');
    const tagged = engine.tempName('split_tagged');
    // hash() of (position, seed) is uniform; a million buckets give the fraction to 1e-6.
    await engine.exec(
      `CREATE TEMP TABLE ${quoteIdent(tagged)} AS SELECT *, (hash(row_number() OVER (), ${quoteLiteral(String(o.seed))}) % 1000000) < ${Math.round(o.fraction * 1e6)} AS __holdout FROM ${quoteIdent(input)}`,
    );
    const holdout = await writeTable(engine, `SELECT ${cols} FROM ${quoteIdent(tagged)} WHERE __holdout`, o.holdout);
    const train = await writeTable(engine, `SELECT ${trainCols} FROM ${quoteIdent(tagged)} WHERE NOT __holdout`, o.train);
    if (holdout === 0 || train === 0) {
      throw new SluiceError('TRAIN_TOO_FEW_ROWS', `${file} has ${info.rows} rows: too few to hold out ${Math.round(o.fraction * 100)}% and still train`, {
        location: { file },
        hint: 'send a larger batch, or change model.holdout',
        retryable: false,
      });
    }
    return { train: o.train, holdout: o.holdout, rows: { train, holdout }, dropped: [...dropped] };
  } finally {
    engine.close();
  }
}
