import { join } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import { missingPolicy } from '../../core/missing.js';
import type { ColumnSchema } from '../../core/types.js';
import type { Engine } from '../../engine/Engine.js';
import { readTable } from '../../engine/readTable.js';
import { quoteLiteral } from '../../engine/sql.js';
import { writeTable } from '../../engine/writeTable.js';
import { applyFitted } from '../applyFitted.js';
import { fittedMissing, type FittedFlow } from '../fittedFlow.js';
import { readInputs } from '../loadInputs.js';
import { applyInputs, type RunFlowOptions } from '../runFlow.js';
import type { DistributionOptions } from './columnSummaries.js';
import { assertPartitionable, fitPartitioned } from './fitPartitioned.js';
import { assertOutsideBatch, listPartitions, type PartitionFile } from './listPartitions.js';

/** {@link runFlow}'s options for the flow and how it reads, with a folder as input and as output. */
export interface RunPartitionedOptions extends Pick<RunFlowOptions, 'flow' | 'fitted' | 'sources' | 'projectMissingTokens' | 'dateOrder'> {
  /** A folder of Parquet files, or a pattern (`batch/part-*.parquet`). */
  input: string;
  /** The folder for the results: one Parquet file per partition, under the partition's name. */
  output?: string;
  distribution?: DistributionOptions;
  /** Called as each partition is written. */
  onPartition?: (done: PartitionResult, index: number, of: number) => void;
}

export interface PartitionResult {
  file: string;
  output?: string;
  rowsIn: number;
  rows: number;
}

/** Two partitions' columns differ: which file, which column, how. */
function schemaDifference(first: PartitionFile, a: ColumnSchema[], other: PartitionFile, b: ColumnSchema[]): { message: string; column?: string } | undefined {
  for (const c of a) {
    const d = b.find((x) => x.name === c.name);
    if (!d) return { message: `${other.file} has no column "${c.name}" (${first.file} has it)`, column: c.name };
    if (d.type !== c.type) return { message: `column "${c.name}" is ${d.type} in ${other.file} but ${c.type} in ${first.file}`, column: c.name };
  }
  const extra = b.find((x) => !a.some((c) => c.name === x.name));
  if (extra) return { message: `${other.file} has a column "${extra.name}" that ${first.file} lacks`, column: extra.name };
  if (a.map((c) => c.name).join('\u0000') !== b.map((c) => c.name).join('\u0000'))
    return { message: `${other.file} has the columns of ${first.file} in another order` };
  return undefined;
}

/**
 * Text columns are typed from their values file by file (booleans, dates: src/engine/recogniseTypes.ts),
 * so one text column can read as two types in two partitions: said, when the files store it alike.
 */
async function typedFromText(engine: Engine, a: string, b: string, column: string | undefined): Promise<string> {
  if (!column) return '';
  const stored = async (file: string) => (await engine.describe(`SELECT * FROM read_parquet(${quoteLiteral(file)})`)).find((c) => c.name === column)?.sqlType;
  const [x, y] = [await stored(a), await stored(b)];
  return x !== undefined && x === y ? ` (both files store it as ${x}: its values read as another type in one of them)` : '';
}

/**
 * Runs a flow on a partitioned batch: fits it once from mergeable summaries of every partition
 * (or takes a fitted flow), then applies it partition by partition, writing one Parquet file per
 * partition atomically (temporary name, then rename). Each partition is read as a view and
 * streamed through the flow into its file, so memory stays bounded by DuckDB's limit whatever
 * the batch's size; a run that stops leaves every written file whole and no partial one.
 */
export async function runPartitioned(engine: Engine, options: RunPartitionedOptions): Promise<{ fitted: FittedFlow; partitions: PartitionResult[] }> {
  const { folder, partitions } = await listPartitions(options.input);
  if (options.output) assertOutsideBatch(folder, options.output);
  const spec = options.fitted?.flow ?? options.flow;
  if (!spec) throw new Error('runPartitioned needs a flow or a fitted flow');
  assertPartitionable(spec, options.input);
  const missing = options.fitted ? fittedMissing(options.fitted) : missingPolicy(options.flow?.missing_tokens, options.projectMissingTokens);
  const recognise = options.fitted ? false : options.dateOrder ? { dateOrder: options.dateOrder } : {};
  const relations: string[] = [];
  const columns: ColumnSchema[][] = [];
  const rowsIn: number[] = [];
  for (const p of partitions) {
    const name = engine.tempName('partition');
    const info = await readTable(engine, p.file, { name, materialize: 'view', missing, recognise });
    const difference = columns.length ? schemaDifference(partitions[0]!, columns[0]!, p, info.columns) : undefined;
    if (difference) {
      const typed = await typedFromText(engine, partitions[0]!.file, p.file, difference.column);
      throw new SluiceError('FLOW_PARTITION_SCHEMA', `the partitions of ${options.input} differ: ${difference.message}${typed}`, {
        location: { file: p.file, ...(difference.column ? { field: difference.column } : {}) },
        hint: typed
          ? 'write the column typed in the files (BOOLEAN, DATE, TIMESTAMP), or make its text values of one kind in every partition'
          : 'every partition of a batch needs the same columns with the same types: rewrite the odd file, or run it apart',
      });
    }
    relations.push(name);
    columns.push(info.columns);
    rowsIn.push(info.rows);
  }
  const raw = await readInputs(engine, spec.inputs, { ...options.sources, missing });
  const fitted =
    options.fitted ??
    (await fitPartitioned(engine, spec, relations, {
      files: partitions.map((p) => p.file),
      missingTokens: missing.tokens,
      inputColumns: columns[0],
      inputs: raw,
      ...(options.distribution ? { distribution: options.distribution } : {}),
    }));
  const sides = await applyInputs(engine, fitted, raw, undefined);
  const results: PartitionResult[] = [];
  for (const [i, p] of partitions.entries()) {
    const view = await applyFitted(engine, fitted, relations[i]!, columns[i]!, 'train', { file: p.file, sides });
    const output = options.output ? join(options.output, p.name.replace(/\.pq$/i, '.parquet')) : undefined;
    const rows = output ? await writeTable(engine, view, output, { format: 'parquet' }) : await engine.count(view);
    const done: PartitionResult = { file: p.file, ...(output ? { output } : {}), rowsIn: rowsIn[i]!, rows };
    results.push(done);
    options.onPartition?.(done, i, partitions.length);
  }
  if (fitted.rows.out < 0) fitted.rows.out = results.reduce((t, r) => t + r.rows, 0);
  return { fitted, partitions: results };
}
