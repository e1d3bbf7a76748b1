import { SluiceError } from '../core/errors.js';
import { logicalToDuckType, type ColumnSchema } from '../core/types.js';
import { quoteIdent } from '../engine/sql.js';
import type { FittedFlow } from './fittedFlow.js';
import type { FlowMode, SideRelation, StepContext } from './step.js';
import { stepDef } from './steps/index.js';

/**
 * The raw columns a fitted flow needs: those a step reads (other than only to drop them) or
 * that reach the output. The target is not needed at prediction time.
 */
export function requiredInputs(fitted: FittedFlow, mode: FlowMode): ColumnSchema[] {
  const used = new Set<string>();
  for (const s of fitted.steps) {
    if (s.kind === 'drop_columns') continue;
    const def = stepDef(s.kind)!;
    for (const c of def.inputs(s.spec, { columns: s.input, target: fitted.target, mode, index: 0 })) used.add(c);
    if (s.kind === 'record_id' && !s.spec.columns) s.input.forEach((c) => c.name !== fitted.target && used.add(c.name));
  }
  for (const c of fitted.output) used.add(c.name);
  return fitted.input.filter((c) => used.has(c.name) && !(mode === 'serve' && c.name === fitted.target));
}

/**
 * Compiles a fitted flow into one SELECT over `relation`: a chain of CTEs, one per step,
 * after a first one that conforms the input to the fit-time types (missing optional columns
 * become typed NULLs; at prediction time the target is a NULL column, so steps that touch it
 * still bind, and it is left out of the result). Steps that remove rows run in `train` mode
 * only. The whole chain streams in DuckDB: `COPY (planSql(...)) TO file` runs in bounded memory.
 */
export function planSql(fitted: FittedFlow, relation: string, present: ColumnSchema[], mode: FlowMode, file?: string, sides?: ReadonlyMap<string, SideRelation>): string {
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
    return `TRY_CAST(${quoteIdent(c.name)} AS ${logicalToDuckType(c.type)}) AS ${quoteIdent(c.name)}`;
  });
  const extra = present.filter((c) => !fitted.input.some((x) => x.name === c.name)).map((c) => quoteIdent(c.name));
  const ctes = [`s0 AS (SELECT ${[...conform, ...extra].join(', ')} FROM ${quoteIdent(relation)})`];
  let prev = 's0';
  fitted.steps.forEach((s, index) => {
    const def = stepDef(s.kind)!;
    if (mode === 'serve' && def.rowsOnly) return;
    const ctx: StepContext = { columns: s.input, target: fitted.target, mode, index, sides };
    const name = `s${index + 1}`;
    ctes.push(`${name} AS (${def.sql(s.spec, s.fitted, ctx, prev)})`);
    prev = name;
  });
  const out = fitted.output.filter((c) => !(mode === 'serve' && c.name === fitted.target)).map((c) => quoteIdent(c.name));
  return `WITH ${ctes.join(',\n')}\nSELECT ${out.join(', ')} FROM ${prev}`;
}
