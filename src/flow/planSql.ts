import { SluiceError } from '../core/errors.js';
import { logicalToDuckType, type ColumnSchema } from '../core/types.js';
import { quoteIdent } from '../engine/sql.js';
import { conformSql } from './conformSql.js';
import type { FittedFlow } from './fittedFlow.js';
import type { pruneForServing } from './pruneForServing.js';
import type { FlowMode, SideRelation, StepContext, StepDef } from './step.js';
import { stepDef } from './steps/index.js';
import { branchName, inputsBranchedAt } from './branches.js';
import { MAIN_INPUT } from './flowSchema.js';

/**
 * The raw columns a fitted flow reads to produce its output: a backward pass from the output
 * columns (without the target at prediction time) through the steps. A step is live when a
 * column it creates or reads is still needed downstream; a live step's inputs become needed. A
 * column only dropped, or only read by steps whose results nobody uses (a date column a model
 * skipped, a record id's hash inputs when the id is pruned), is not required. In `train` mode the
 * steps that remove rows are always live; at prediction time they do not run.
 *
 * To require only what a model reads, prune the flow's output first ({@link pruneForServing}).
 */
export function requiredInputs(fitted: FittedFlow, mode: FlowMode): ColumnSchema[] {
  const needed = new Set(fitted.output.map((c) => c.name));
  if (mode === 'serve' && fitted.target) needed.delete(fitted.target);
  for (let index = fitted.steps.length - 1; index >= 0; index--) {
    const s = fitted.steps[index]!;
    const as = branchName(s.spec);
    if (as !== undefined && mode === 'train') for (const c of branchReads(fitted, as, s.output, mode)) needed.add(c);
    const def = stepDef(s.kind);
    if (!def) return fitted.input.filter((c) => !(mode === 'serve' && c.name === fitted.target)); // unknown: keep all
    if (mode === 'serve' && notServed(def, s.spec)) continue;
    let reads = def.inputs(s.spec, { columns: s.input, target: fitted.target, mode, index });
    if (s.kind === 'record_id' && !s.spec.columns && s.spec.method !== 'uuid') reads = s.input.map((c) => c.name).filter((c) => c !== fitted.target);
    const before = new Set(s.input.map((c) => c.name));
    const created = s.output.map((c) => c.name).filter((c) => !before.has(c));
    const live = (mode === 'train' && (def.rowsOnly || def.batch !== undefined)) || created.some((c) => needed.has(c)) || reads.some((c) => needed.has(c));
    if (live) for (const c of reads) needed.add(c);
  }
  if (mode === 'train') for (const c of branchReads(fitted, MAIN_INPUT, fitted.input, mode)) needed.add(c);
  return fitted.input.filter((c) => needed.has(c.name) && !(mode === 'serve' && c.name === fitted.target));
}

/** The columns of the table at a branch point that the flow's branches read there. */
function branchReads(fitted: FittedFlow, point: string, columns: ColumnSchema[], mode: FlowMode): string[] {
  // A step that reads the point itself reads all of it (a join keeps every column).
  if (fitted.flow.steps.some((s) => s.with === point)) return columns.map((c) => c.name);
  return inputsBranchedAt(fitted.flow, point).flatMap((name) => {
    const own = fitted.inputs?.[name];
    return own ? requiredInputs(own, mode).map((c) => c.name) : columns.map((c) => c.name);
  });
}

/**
 * Compiles a fitted flow into one SELECT over `relation`: a chain of CTEs, one per step,
 * after a first one that conforms the input to the fit-time types (missing optional columns
 * become typed NULLs; at prediction time the target is a NULL column, so steps that touch it
 * still bind, and it is left out of the result). Steps that remove rows run in `train` mode
 * only. The whole chain streams in DuckDB: `COPY (planSql(...)) TO file` runs in bounded memory.
 */
export function planSql(
  fitted: FittedFlow,
  relation: string,
  present: ColumnSchema[],
  mode: FlowMode,
  file?: string,
  sides?: ReadonlyMap<string, SideRelation>,
  /** The index of `fitted.steps[0]` in the whole flow, when `fitted` is a part of it (src/flow/applyFitted.ts). */
  firstIndex = 0,
  /** Prefixed to the names of the CTEs, when this SELECT is nested in another (a branch's own steps). */
  prefix = '',
): string {
  const have = new Map(present.map((c) => [c.name, c]));
  const required = new Set(requiredInputs(fitted, mode).map((c) => c.name));
  const conform = fitted.input.map((c) => {
    const got = mode === 'serve' && c.name === fitted.target ? undefined : have.get(c.name);
    if (!got) {
      if (required.has(c.name)) {
        throw new SluiceError('FLOW_MISSING_COLUMN', `the data has no column "${c.name}", which the flow needs`, {
          location: { file, field: c.name },
          hint: `the flow was fitted on columns ${fitted.input.map((x) => x.name).join(', ')}`,
        });
      }
      return `NULL::${logicalToDuckType(c.type)} AS ${quoteIdent(c.name)}`;
    }
    if (got.type === c.type) return quoteIdent(c.name);
    return `${conformSql(quoteIdent(c.name), got.type, c)} AS ${quoteIdent(c.name)}`;
  });
  const extra = present.filter((c) => !fitted.input.some((x) => x.name === c.name)).map((c) => quoteIdent(c.name));
  const ctes = [`${prefix}s0 AS (SELECT ${[...conform, ...extra].join(', ')} FROM ${quoteIdent(relation)})`];
  let prev = `${prefix}s0`;
  // Branches of the flow's own data, taken where they start (a step's `as:`), each a CTE when a
  // later step reads it (the caller may give them already, as views: src/flow/applyFitted.ts).
  const tables = new Map(sides ?? []);
  const points = new Map<string, SideRelation>();
  if (firstIndex === 0)
    points.set(MAIN_INPUT, { relation: prev, columns: [...fitted.input, ...present.filter((c) => !fitted.input.some((x) => x.name === c.name))] });
  const branch = (name: string): void => {
    if (tables.has(name) || mode === 'serve') return;
    const point = points.get(name);
    if (point) tables.set(name, { ...point, branch: name });
    const from = fitted.flow.inputs?.[name]?.branch;
    const at = from === undefined ? undefined : points.get(from);
    const own = fitted.inputs?.[name];
    if (at === undefined || own === undefined) return;
    const cte = `${prefix}b${tables.size + 1}`;
    ctes.push(`${cte} AS (${planSql(own, at.relation, at.columns, mode, file, undefined, 0, `${cte}_`)})`);
    tables.set(name, { relation: cte, columns: own.output, branch: from });
  };
  fitted.steps.forEach((s, i) => {
    const def = stepDef(s.kind)!;
    if (mode === 'serve' && notServed(def, s.spec)) return;
    const index = firstIndex + i;
    if (typeof s.spec.with === 'string') branch(s.spec.with);
    const ctx: StepContext = { columns: s.input, target: fitted.target, mode, index, sides: tables };
    const name = `${prefix}s${index + 1}`;
    ctes.push(`${name} AS (${def.sql(s.spec, s.fitted, ctx, prev)})`);
    prev = name;
    const as = branchName(s.spec);
    if (as !== undefined) points.set(as, { relation: name, columns: s.output });
  });
  const out = fitted.output.filter((c) => !(mode === 'serve' && c.name === fitted.target)).map((c) => quoteIdent(c.name));
  return `WITH ${ctes.join(',\n')}\nSELECT ${out.join(', ')} FROM ${prev}`;
}

/** Steps that do not run at prediction time: row steps, and steps declared `serve: skip`. */
export function notServed(def: StepDef<{ kind: string }, unknown>, spec: { kind: string }): boolean {
  return def.rowsOnly === true || def.skipAtServing?.(spec) === true;
}
