import { SluiceError } from '../../core/errors.js';
import { logicalToDuckType, type ColumnSchema } from '../../core/types.js';
import { identList, quoteIdent, sqlValue } from '../../engine/sql.js';
import type { Engine } from '../../engine/Engine.js';
import type { SideRelation, StepContext } from '../step.js';

/** A side input kept in the fitted flow, so batches and records apply the fit-time table. */
export interface Snapshot {
  columns: ColumnSchema[];
  /** Row values in column order; null when the table was too large to keep. */
  rows: unknown[][] | null;
  rowCount: number;
  /**
   * Set when the input is a branch of the flow's own data (where it is taken): nothing is kept,
   * since every batch recomputes the branch from itself.
   */
  branch?: string;
}

/**
 * Side inputs of up to this many rows are kept in the fitted flow (a join is then a lookup at
 * prediction time); larger ones must be given again when the fitted flow is applied.
 */
export const SNAPSHOT_MAX_ROWS = 50_000;

/** The side input a step names, loaded; an error naming the inputs there are otherwise. */
export function sideOf(ctx: StepContext, name: string): SideRelation {
  const side = ctx.sides?.get(name);
  if (!side && !ctx.fitting) {
    throw new SluiceError('FLOW_INPUT_NEEDED', `step ${ctx.index + 1} reads input "${name}", which was not given`, {
      location: { step: ctx.index, field: 'with' },
      hint: `apply the fitted flow with the input: sluice flow run --fitted FITTED --with ${name}=FILE`,
    });
  }
  if (!side) {
    const known = [...(ctx.sides?.keys() ?? [])];
    throw new SluiceError('FLOW_UNKNOWN_INPUT', `step ${ctx.index + 1} reads input "${name}", which the flow does not declare`, {
      location: { step: ctx.index, field: 'with' },
      hint: known.length ? `declared inputs: ${known.join(', ')}` : `declare it under inputs:, e.g. inputs: { ${name}: { file: ${name}.csv } }`,
    });
  }
  return side;
}

/** Reads the listed columns of a side input into a snapshot (rows only when small enough). */
export async function takeSnapshot(engine: Engine, side: SideRelation, columns: string[]): Promise<Snapshot> {
  const cols = side.columns.filter((c) => columns.includes(c.name)).map((c) => ({ name: c.name, type: c.type }));
  if (side.branch !== undefined) return { columns: cols, rows: null, rowCount: 0, branch: side.branch };
  const rowCount = await engine.count(side.relation);
  if (rowCount > SNAPSHOT_MAX_ROWS) return { columns: cols, rows: null, rowCount };
  const result = await engine.queryColumns(`SELECT ${identList(cols.map((c) => c.name))} FROM ${quoteIdent(side.relation)}`);
  const rows = Array.from({ length: rowCount }, (_, i) => result.columns.map((col) => plainValue(col[i])));
  return { columns: cols, rows, rowCount };
}

function plainValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof v === 'bigint') return Number(v);
  return v ?? null;
}

/**
 * The relation a step reads a side input from: while fitting, the live one; afterwards the
 * fit-time snapshot as a VALUES list (so batches and records see the same table), or the live
 * one again when the table was too large to keep.
 */
export function sideSql(ctx: StepContext, name: string, snapshot: Snapshot): string {
  const live = ctx.sides?.get(name);
  if (live && (ctx.fitting || !snapshot.rows)) return `(SELECT ${identList(snapshot.columns.map((c) => c.name))} FROM ${quoteIdent(live.relation)})`;
  if (snapshot.branch !== undefined) {
    throw new SluiceError('FLOW_BRANCH_NEEDED', `step ${ctx.index + 1} reads "${name}", a branch of the flow's own data, which this run does not compute`, {
      location: { step: ctx.index, field: 'with' },
      hint: 'a branch is computed from the batch the flow runs on: run the whole fitted flow on a batch (sluice flow run --fitted)',
    });
  }
  if (!snapshot.rows) {
    throw new SluiceError(
      'FLOW_INPUT_NEEDED',
      `step ${ctx.index + 1} joins input "${name}", which had ${snapshot.rowCount} rows when the flow was fitted, too many to keep in the fitted flow (${SNAPSHOT_MAX_ROWS})`,
      {
        location: { step: ctx.index, field: 'with' },
        hint: `give the input again when applying the fitted flow (sluice flow run --with ${name}=FILE)`,
      },
    );
  }
  const select = snapshot.columns.map((c, j) => `CAST(col${j} AS ${logicalToDuckType(c.type)}) AS ${quoteIdent(c.name)}`).join(', ');
  if (snapshot.rows.length === 0) {
    return `(SELECT ${snapshot.columns.map((c) => `NULL::${logicalToDuckType(c.type)} AS ${quoteIdent(c.name)}`).join(', ')} WHERE false)`;
  }
  const values = snapshot.rows.map((r) => `(${r.map((v) => sqlValue(v)).join(', ')})`).join(', ');
  return `(SELECT ${select} FROM (VALUES ${values}) AS t(${snapshot.columns.map((_, j) => `col${j}`).join(', ')}))`;
}
