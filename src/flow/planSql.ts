import { SluiceError } from '../core/errors.js';
import { logicalToDuckType, type ColumnSchema } from '../core/types.js';
import { quoteIdent } from '../engine/sql.js';
import { conformSql } from './conformSql.js';
import type { FittedFlow } from './fittedFlow.js';
import type { pruneForServing } from './pruneForServing.js';
import type { FlowMode, SideRelation, StepContext, StepDef } from './step.js';
import { stepDef } from './steps/index.js';

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
  return fitted.input.filter((c) => needed.has(c.name) && !(mode === 'serve' && c.name === fitted.target));
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
  const ctes = [`s0 AS (SELECT ${[...conform, ...extra].join(', ')} FROM ${quoteIdent(relation)})`];
  let prev = 's0';
  fitted.steps.forEach((s, i) => {
    const def = stepDef(s.kind)!;
    if (mode === 'serve' && notServed(def, s.spec)) return;
    const index = firstIndex + i;
    const ctx: StepContext = { columns: s.input, target: fitted.target, mode, index, sides };
    const name = `s${index + 1}`;
    ctes.push(`${name} AS (${def.sql(s.spec, s.fitted, ctx, prev)})`);
    prev = name;
  });
  const out = fitted.output.filter((c) => !(mode === 'serve' && c.name === fitted.target)).map((c) => quoteIdent(c.name));
  return `WITH ${ctes.join(',\n')}\nSELECT ${out.join(', ')} FROM ${prev}`;
}

/** Steps that do not run at prediction time: row steps, and steps declared `serve: skip`. */
export function notServed(def: StepDef<{ kind: string }, unknown>, spec: { kind: string }): boolean {
  return def.rowsOnly === true || def.skipAtServing?.(spec) === true;
}
