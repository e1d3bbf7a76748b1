import type { z } from 'zod';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';

/** A record on the per-record (serving) path: column name to plain value. */
export type Row = Record<string, unknown>;

/** `train`: a batch being fitted or transformed; `serve`: raw records at prediction time. */
export type FlowMode = 'train' | 'serve';

export interface StepContext {
  /** The columns entering the step, with logical types. */
  columns: ColumnSchema[];
  /** The flow's target column, when it names one. */
  target: string | undefined;
  mode: FlowMode;
  /** 0-based index of the step in the flow, for messages. */
  index: number;
  /**
   * The flow's other inputs (`inputs:`), loaded as relations, when the caller has them: always
   * at fit time; at apply time only when given (joins then use their fit-time snapshot).
   */
  sides?: ReadonlyMap<string, SideRelation>;
  /** True while the flow is being fitted (the steps' SQL then reads live side inputs). */
  fitting?: boolean;
  /** The python3 sluice.yaml `python:` names, for `python` steps (SLUICE_PYTHON wins; found on its own when absent). */
  python?: string;
}

/** A side input as a relation of the engine, after its own steps. */
export interface SideRelation {
  relation: string;
  columns: ColumnSchema[];
  /** Set when the table is a branch of the flow's own data: where it is taken (an `as:` name, or `main`). */
  branch?: string;
}

export interface FitContext extends StepContext {
  engine: Engine;
  /** The relation holding the data as it enters this step. */
  relation: string;
}

/** What a step that runs outside DuckDB ({@link StepDef.batch}) gives: its result as a new relation. */
export interface BatchResult<F> {
  relation: string;
  /** What the step learned (when fitting), or the fitted value it was given. */
  fitted: F;
  /** What the user should know about this run (kept in the fitted flow's notes when fitting). */
  notes?: string[];
}

/** Documentation of a step kind, rendered into docs/flows.md. */
export interface StepDoc {
  title: string;
  family: 'columns' | 'types' | 'missing' | 'text' | 'values' | 'rows' | 'encode' | 'numeric' | 'time' | 'ids' | 'expression' | 'combine' | 'code';
  description: string;
  /** A YAML example of the step (one list item, without the leading dash). */
  example: string;
  /** What a step learns at fit time, if anything. */
  learns?: string;
  /** The `inputs:` block the example needs (YAML, paths relative to examples/diabetes/). */
  inputs?: string;
}

/**
 * One kind of flow step. Every step is a small object with one contract, in the manner of
 * vega-lite's dataflow nodes: the columns it reads, the columns it makes, what it learns from
 * data, and how it transforms a batch (SQL) and a single record (JavaScript).
 *
 * The two paths must agree: tests run every documented example through both and compare.
 * The SQL path transforms batches inside DuckDB; the record path serves predictions without a
 * database round trip (DuckDB costs ~1.5 ms per query, the record path microseconds).
 */
export interface StepDef<S extends { kind: string } = { kind: string }, F = unknown> {
  readonly kind: S['kind'];
  readonly schema: z.ZodType<S>;
  readonly doc: StepDoc;
  /** Steps that remove or reorder rows run on training batches only, never on records. */
  readonly rowsOnly?: boolean;
  /**
   * Why this fitted step cannot run on the record path (prediction time), or undefined when it
   * can. Checked when a model is trained, so the refusal comes then and not at the first request.
   */
  servingProblem?(spec: S, fitted: F): string | undefined;
  /** Columns the step reads (they must exist when it runs). */
  inputs(spec: S, ctx: StepContext): string[];
  /** Learns parameters from the data entering the step. Absent when it learns nothing. */
  fit?(spec: S, ctx: FitContext): Promise<F>;
  /** Columns leaving the step. */
  outputs(spec: S, fitted: F, ctx: StepContext): ColumnSchema[];
  /** A SELECT over `input` that applies the step. */
  sql(spec: S, fitted: F, ctx: StepContext, input: string): string;
  /**
   * A step that cannot be one SELECT (`python`: pandas code in a subprocess) transforms the whole
   * batch here instead, into a new relation; `fitted` is undefined when the flow is being fitted.
   * Flows with such a step run on batches step by step (src/flow/applyFitted.ts); its `sql` throws.
   */
  batch?(spec: S, fitted: F | undefined, ctx: FitContext): Promise<BatchResult<F>>;
  /** True when this step does not run at prediction time (`serve: skip`): the serving flow leaves it out. */
  skipAtServing?(spec: S): boolean;
  /** Builds the per-record function; it returns the new record or throws a SluiceError. */
  record(spec: S, fitted: F, ctx: StepContext): (row: Row) => Row;
}

/**
 * What a step file declares: a {@link StepDef} whose schema is a function that builds it. Zod
 * schemas cost time to build (the 42 kinds were most of `sluice flow validate`'s own start-up),
 * and a flow uses a few kinds: each is built when first used.
 */
export type StepDeclaration<S extends { kind: string }, F> = Omit<StepDef<S, F>, 'schema'> & { readonly schema: () => z.ZodType<S> };

/** Declares a step kind with its types checked; its schema is built on first use, once. */
export function defineStep<S extends { kind: string }, F = undefined>(def: StepDeclaration<S, F>): StepDef<S, F> {
  const build = def.schema;
  let schema: z.ZodType<S> | undefined;
  return Object.defineProperty({ ...def }, 'schema', { get: () => (schema ??= build()), enumerable: true, configurable: false }) as unknown as StepDef<S, F>;
}
