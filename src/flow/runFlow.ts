import { stat } from 'node:fs/promises';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { readTable } from '../engine/readTable.js';
import { writeTable } from '../engine/writeTable.js';
import { quoteIdent } from '../engine/sql.js';
import { fitFlow, type FitOptions } from './fitFlow.js';
import type { FlowSpec } from './flowSchema.js';
import type { FittedFlow } from './fittedFlow.js';
import { planSql } from './planSql.js';

/** Files above this size are read as views (streamed) instead of copied into memory. */
const STREAM_ABOVE_BYTES = 256 * 1024 * 1024;

export interface RunFlowOptions extends FitOptions {
  input: string;
  /** Where to write the result (.csv or .parquet); the result view is left in the engine either way. */
  output?: string;
  /** Fit this flow on the input... */
  flow?: FlowSpec;
  /** ...or apply an already fitted flow (no refit). */
  fitted?: FittedFlow;
}

export interface RunFlowResult {
  fitted: FittedFlow;
  /** The view holding the transformed batch. */
  relation: string;
  rows: number;
  columns: ColumnSchema[];
}

/**
 * Runs a flow on a data file: fit-and-apply with a flow, or apply-only with a fitted flow.
 * Large files are streamed; the output is written atomically.
 */
export async function runFlow(engine: Engine, options: RunFlowOptions): Promise<RunFlowResult> {
  const size = (await stat(options.input).catch(() => ({ size: 0 }))).size;
  const input = engine.tempName('input');
  const info = await readTable(engine, options.input, { name: input, materialize: size > STREAM_ABOVE_BYTES ? 'view' : 'table' });
  let fitted: FittedFlow;
  let relation: string;
  if (options.fitted) {
    fitted = options.fitted;
    relation = engine.tempName('applied');
    await engine.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(relation)} AS ${planSql(fitted, input, info.columns, 'train', options.input)}`);
  } else if (options.flow) {
    ({ fitted, relation } = await fitFlow(engine, options.flow, input, { file: options.input, onStep: options.onStep }));
  } else {
    throw new Error('runFlow needs a flow or a fitted flow');
  }
  if (options.output) await writeTable(engine, relation, options.output);
  const rows = await engine.count(relation);
  return { fitted, relation, rows, columns: await engine.describe(relation) };
}
