import { SluiceError, isSluiceError } from '../core/errors.js';
import { missingPolicy } from '../core/missing.js';
import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { branchName, inputsBranchedAt } from './branches.js';
import { assertNoReservedColumn } from './assertNoReservedColumn.js';
import { MAIN_INPUT, type FlowSpec, type StepSpec } from './flowSchema.js';
import { dropReason } from './dropReason.js';
import { hashFlow, type FittedFlow, type FittedStep, type FlowNote, type RowsDropped } from './fittedFlow.js';
import type { RawInput } from './loadInputs.js';
import type { SideRelation, StepContext } from './step.js';
import { missingColumn, plain } from './steps/common.js';
import { stepDef } from './steps/index.js';

export interface FitOptions {
  /** The data file, for messages. */
  file?: string;
  /**
   * Count the output rows now (the default). Callers that read the result anyway (e.g. to
   * write it) pass false and fill `fitted.rows.out` themselves, saving a pass over the data.
   */
  countOutput?: boolean;
  /** The missing tokens the data was read with (recorded in the fitted flow; pandas' list when absent). */
  missingTokens?: readonly string[];
  /** The raw columns as the reader typed them, for the `format` of dates written as text (recorded in `input`). */
  inputColumns?: readonly ColumnSchema[];
  /**
   * The rows of `relation`, when the caller has just counted them (readTable does): not counted
   * again, which for a streamed batch would read the whole file once more.
   */
  rowsIn?: number;
  /** Called after each step with its index, the view holding its result, and its columns. */
  onStep?: (index: number, step: StepSpec, view: string, columns: ColumnSchema[]) => void | Promise<void>;
  /** The flow's other inputs, read by `readInputs`; each is fitted with its own steps first. */
  inputs?: RawInput[];
  /** The python3 for `python` steps that sluice.yaml `python:` names (SLUICE_PYTHON wins). */
  python?: string;
  /**
   * The batch is streamed from a file larger than memory should hold: every step stays a view.
   * Otherwise a step that can remove rows is made a table (see {@link fitFlow}).
   */
  streamed?: boolean;
}

/**
 * Fits a flow on a batch and leaves the transformed batch as a view.
 *
 * Phases, per step in order: **check** (the columns it reads exist) -> **fit** (learn
 * parameters from the data entering the step, in SQL) -> **plan** (the step's SELECT over the
 * previous view) -> **bind** (DuckDB resolves the view; its column types become the next
 * step's input). DuckDB runs the chain of views when the result is read, with one exception:
 * a step that can remove rows is counted at once (to say how many it removed), and is then made
 * a temporary table, so that counting it and reading the result later do not both run every step
 * before it (a record_id over the whole batch, say) — unless the batch is `streamed`.
 *
 * @returns the fitted flow and the name of the view holding the result.
 */
export async function fitFlow(engine: Engine, spec: FlowSpec, relation: string, options: FitOptions = {}): Promise<{ fitted: FittedFlow; relation: string }> {
  const formats = new Map((options.inputColumns ?? []).flatMap((c) => (c.format ? [[c.name, c.format] as const] : [])));
  const input = plain(await engine.describe(relation)).map((c) => (formats.has(c.name) && c.type === 'date' ? { ...c, format: formats.get(c.name)! } : c));
  const rowsIn = options.rowsIn ?? (await engine.count(relation));
  let columns: ColumnSchema[] = plain(input);
  let current = relation;
  const steps: FittedStep[] = [];
  const sides = new Map<string, SideRelation>();
  const fittedInputs: Record<string, FittedFlow> = {};
  for (const raw of options.inputs ?? []) {
    const own = spec.inputs?.[raw.name]?.steps ?? [];
    const sub = await fitFlow(engine, { version: 1, name: `${spec.name} input ${raw.name}`, steps: own }, raw.relation, {
      file: raw.source.file ?? raw.source.feature_group,
      ...(options.python ? { python: options.python } : {}),
    });
    fittedInputs[raw.name] = sub.fitted;
    sides.set(raw.name, { relation: sub.relation, columns: sub.fitted.output });
  }
  for (const [name, source] of Object.entries(spec.inputs ?? {})) {
    if (source.branch === undefined && !sides.has(name))
      throw new SluiceError('FLOW_INPUT_NEEDED', `the flow reads input "${name}", which was not given`, {
        location: { file: options.file, field: `inputs.${name}` },
        hint: 'run the flow with `sluice flow run` (it reads the inputs the flow names), or give the input with --with',
      });
  }
  /** A branch point reached: the table there, and the inputs branched from it through their own steps. */
  const openBranches = async (point: string, at: string, cols: ColumnSchema[]): Promise<void> => {
    sides.set(point, { relation: at, columns: cols, branch: point });
    for (const name of inputsBranchedAt(spec, point)) {
      const sub = await fitFlow(engine, { version: 1, name: `${spec.name} branch ${name}`, steps: spec.inputs![name]!.steps }, at, {
        ...(options.file ? { file: options.file } : {}),
        ...(options.python ? { python: options.python } : {}),
        ...(options.streamed ? { streamed: true } : {}),
      }).catch((e: unknown) => {
        if (!isSluiceError(e)) throw e;
        throw new SluiceError(e.code, `input ${name} (a branch from "${point}"), ${e.message}`, {
          location: { ...e.location, field: `inputs.${name}` },
          hint: e.hint,
          httpStatus: e.httpStatus,
          cause: e,
        });
      });
      fittedInputs[name] = sub.fitted;
      sides.set(name, { relation: sub.relation, columns: sub.fitted.output, branch: point });
    }
  };
  await openBranches(MAIN_INPUT, relation, columns);
  const dropped: RowsDropped[] = [];
  const notes: FlowNote[] = [];
  let rowsBefore = rowsIn;

  for (const [index, raw] of (spec.steps as StepSpec[]).entries()) {
    const def = stepDef(raw.kind);
    if (!def) throw new SluiceError('FLOW_UNKNOWN_STEP', `step ${index + 1} has unknown kind "${raw.kind}"`, { location: { step: index } });
    const ctx: StepContext = {
      columns,
      target: spec.target,
      mode: 'train',
      index,
      sides,
      fitting: true,
      ...(options.python ? { python: options.python } : {}),
    };
    try {
      for (const c of def.inputs(raw, ctx)) if (!columns.some((x) => x.name === c)) throw missingColumn(ctx, c);
      let fitted: unknown;
      let next: string;
      let declared: ColumnSchema[];
      if (def.batch) {
        // A step outside SQL (python) runs now on the batch; what it gives is a new table.
        const r = await def.batch(raw, undefined, { ...ctx, engine, relation: current });
        fitted = r.fitted;
        next = r.relation;
        for (const message of r.notes ?? []) notes.push({ step: index, kind: raw.kind, ...(raw.name ? { name: raw.name } : {}), message });
        declared = def.outputs(raw, fitted, ctx);
      } else {
        fitted = def.fit ? await def.fit(raw, { ...ctx, engine, relation: current }) : undefined;
        // The step's own checks (column types, name clashes) speak before DuckDB would.
        declared = def.outputs(raw, fitted, ctx);
        next = engine.tempName('step');
        const kind = def.rowsOnly && !options.streamed ? 'TABLE' : 'VIEW';
        await engine.exec(`CREATE OR REPLACE TEMP ${kind} ${quoteIdent(next)} AS ${def.sql(raw, fitted, ctx, quoteIdent(current))}`);
      }
      const actual = plain(await engine.describe(next));
      assertNoReservedColumn(actual, index, raw.kind);
      assertSameColumns(declared, actual, index, raw.kind);
      steps.push({ kind: raw.kind, spec: raw, fitted, input: columns, output: actual });
      // Every step that can remove rows says how many and why (no row leaves without a word).
      if (def.rowsOnly || def.batch) {
        const after = await engine.count(next);
        if (after < rowsBefore)
          dropped.push({ step: index, kind: raw.kind, ...(raw.name ? { name: raw.name } : {}), rows: rowsBefore - after, reason: dropReason(raw) });
        if (def.batch && after === 0 && rowsBefore > 0)
          notes.push({
            step: index,
            kind: raw.kind,
            ...(raw.name ? { name: raw.name } : {}),
            message: `the code removed every row (${rowsBefore}): the steps after it get none`,
          });
        rowsBefore = after;
      }
      columns = actual;
      current = next;
      const as = branchName(raw);
      if (as !== undefined) await openBranches(as, next, actual);
      await options.onStep?.(index, raw, next, actual);
    } catch (e) {
      throw locate(e, index, raw, options.file);
    }
  }
  assertTargetKept(spec, columns, options.file);
  const rowsOut = options.countOutput === false ? -1 : await engine.count(current);
  const fitted = assembleFittedFlow(spec, {
    rows: { in: rowsIn, out: rowsOut },
    missingTokens: options.missingTokens,
    dropped,
    notes,
    input,
    output: columns,
    steps,
    inputs: fittedInputs,
  });
  return { fitted, relation: current };
}

/** The flow's target must be among its output columns. */
export function assertTargetKept(spec: FlowSpec, columns: readonly ColumnSchema[], file?: string): void {
  if (spec.target && !columns.some((c) => c.name === spec.target)) {
    throw new SluiceError('FLOW_MISSING_TARGET', `the flow's target "${spec.target}" is not among its output columns`, {
      location: { file, field: spec.target },
      hint: `output columns: ${columns.map((c) => c.name).join(', ')}`,
    });
  }
}

/** What a fit learned, as {@link assembleFittedFlow} records it. */
export interface FitParts {
  rows: FittedFlow['rows'];
  /** The missing tokens the batch was read with; absent: the flow's own `missing_tokens`. */
  missingTokens: readonly string[] | undefined;
  dropped: RowsDropped[];
  notes: FlowNote[];
  input: ColumnSchema[];
  output: ColumnSchema[];
  steps: FittedStep[];
  inputs: Record<string, FittedFlow>;
}

/** The fitted flow record of a fit (on one batch, or on a batch's partitions). */
export function assembleFittedFlow(spec: FlowSpec, parts: FitParts): FittedFlow {
  return {
    format: 'sluice.fitted-flow',
    formatVersion: 1,
    name: spec.name,
    target: spec.target,
    flowHash: hashFlow(spec),
    fittedAt: new Date().toISOString(),
    rows: parts.rows,
    missingTokens: [...(parts.missingTokens ?? missingPolicy(spec.missing_tokens).tokens)],
    dropped: parts.dropped,
    ...(parts.notes.length ? { notes: parts.notes } : {}),
    input: parts.input,
    output: parts.output,
    steps: parts.steps,
    flow: spec,
    ...(Object.keys(parts.inputs).length ? { inputs: parts.inputs } : {}),
  };
}

/** A step's declared output must match what DuckDB binds: a mismatch is a bug in the step. */
export function assertSameColumns(declared: ColumnSchema[], actual: ColumnSchema[], index: number, kind: string): void {
  const a = declared.map((c) => `${c.name}:${c.type}`).join(',');
  const b = actual.map((c) => `${c.name}:${c.type}`).join(',');
  if (a !== b) {
    throw new SluiceError('FLOW_INTERNAL', `step ${index + 1} (${kind}) declared columns [${a}] but produced [${b}]`, {
      httpStatus: 500,
      hint: 'this is a bug in the step; please report it with the flow',
    });
  }
}

/** Adds the step (and file) to an error raised while handling it. */
export function locate(e: unknown, index: number, raw: StepSpec, file: string | undefined): SluiceError {
  if (isSluiceError(e)) {
    const loc = { ...e.location, step: e.location?.step ?? index, file: e.location?.file ?? file };
    const prefix = e.message.startsWith(`step ${index + 1}`) ? '' : `step ${index + 1} (${raw.name ?? raw.kind}): `;
    return new SluiceError(e.code, `${prefix}${e.message}`, { location: loc, hint: e.hint, httpStatus: e.httpStatus, details: e.details, cause: e });
  }
  return new SluiceError('FLOW_ERROR', `step ${index + 1} (${raw.name ?? raw.kind}) failed: ${e instanceof Error ? e.message : String(e)}`, {
    location: { step: index, file },
    cause: e,
    httpStatus: 500,
  });
}
