import type { DateOrder } from '../core/dateFormats.js';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { writeTable } from '../engine/writeTable.js';
import { fitFlow, type FitOptions } from './fitFlow.js';
import type { FlowSpec } from './flowSchema.js';
import { fittedMissing, type FittedFlow } from './fittedFlow.js';
import { readInputs, type InputOptions, type RawInput } from './loadInputs.js';
import { applyFitted } from './applyFitted.js';
import { fitReading, readBatch, takeEarlyBatch, type BatchReading, type EarlyBatch } from './readBatch.js';
import type { SideRelation } from './step.js';

export interface RunFlowOptions extends FitOptions {
  input: string;
  /** Where to write the result (.csv or .parquet); the result view is left in the engine either way. */
  output?: string;
  /** Fit this flow on the input... */
  flow?: FlowSpec;
  /** ...or apply an already fitted flow (no refit). */
  fitted?: FittedFlow;
  /** Where the flow's other inputs come from (`inputs:`): the flow's folder, files given by name. */
  sources?: InputOptions;
  /** The project's missing tokens (sluice.yaml `missingTokens`); the flow's `missing_tokens` wins. */
  projectMissingTokens?: readonly string[];
  /** The stated day/month order of dates such as `12/06/1998` (sluice.yaml `dateOrder`); without it they stay text. */
  dateOrder?: DateOrder;
  /** The python3 for `python` steps (sluice.yaml `python:`; SLUICE_PYTHON wins). */
  python?: string;
  /** The batch read begun before the flow was loaded (src/flow/readBatch.ts); used when it read the input as this run reads it. */
  early?: EarlyBatch;
}

export interface RunFlowResult {
  fitted: FittedFlow;
  /** The view holding the transformed batch. */
  relation: string;
  /** Rows read from the input file. */
  rowsIn: number;
  rows: number;
  columns: ColumnSchema[];
}

/**
 * Runs a flow on a data file: fit-and-apply with a flow, or apply-only with a fitted flow.
 * Large files are streamed; the output is written atomically.
 */
export async function runFlow(engine: Engine, options: RunFlowOptions): Promise<RunFlowResult> {
  // One definition of missing: the fitted flow's tokens, else the flow's, else the project's.
  // Fitting types text from the data; applying a fitted flow reads text as text and converts it
  // to the fitted input types (dates in their recorded format), so both read a value alike.
  const reading: BatchReading = options.fitted
    ? { missing: fittedMissing(options.fitted), recognise: false }
    : fitReading(options.flow?.missing_tokens, options.projectMissingTokens, options.dateOrder);
  const { missing } = reading;
  const { info, streamed } = (await takeEarlyBatch(engine, options.early, options.input, reading)) ?? (await readBatch(engine, options.input, reading));
  const input = info.name;
  let fitted: FittedFlow;
  let relation: string;
  const raw = await readInputs(engine, (options.fitted?.flow ?? options.flow)?.inputs, { ...options.sources, missing });
  if (options.fitted) {
    fitted = options.fitted;
    const sides = await applyInputs(engine, fitted, raw, options.python);
    relation = await applyFitted(engine, fitted, input, info.columns, 'train', {
      file: options.input,
      sides,
      ...(options.python ? { python: options.python } : {}),
    });
  } else if (options.flow) {
    ({ fitted, relation } = await fitFlow(engine, options.flow, input, {
      file: options.input,
      onStep: options.onStep,
      countOutput: !options.output,
      missingTokens: missing.tokens,
      inputs: raw,
      inputColumns: info.columns,
      rowsIn: info.rows,
      streamed,
      ...(options.python ? { python: options.python } : {}),
    }));
  } else {
    throw new Error('runFlow needs a flow or a fitted flow');
  }
  // Writing reads the result once and reports its row count: no second pass to count it.
  const rows = options.output ? await writeTable(engine, relation, options.output) : await engine.count(relation);
  if (fitted.rows.out < 0) fitted.rows.out = rows;
  return { fitted, relation, rowsIn: info.rows, rows, columns: await engine.describe(relation) };
}

/** The other inputs of a fitted flow, each through its own fitted steps, as views. */
export async function applyInputs(engine: Engine, fitted: FittedFlow, raw: RawInput[], python: string | undefined): Promise<Map<string, SideRelation>> {
  const sides = new Map<string, SideRelation>();
  for (const r of raw) {
    const own = fitted.inputs?.[r.name];
    if (!own) continue;
    const view = await applyFitted(engine, own, r.relation, await engine.describe(r.relation), 'train', {
      ...(r.source.file ? { file: r.source.file } : {}),
      ...(python ? { python } : {}),
    });
    sides.set(r.name, { relation: view, columns: own.output });
  }
  return sides;
}
