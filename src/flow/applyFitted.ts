import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { locate } from './fitFlow.js';
import type { FittedFlow } from './fittedFlow.js';
import { planSql } from './planSql.js';
import type { FlowMode, SideRelation } from './step.js';
import { stepDef } from './steps/index.js';
import { branchName, inputsBranchedAt } from './branches.js';
import { MAIN_INPUT } from './flowSchema.js';

export interface ApplyOptions {
  /** The data file, for messages. */
  file?: string;
  sides?: ReadonlyMap<string, SideRelation>;
  /** The python3 sluice.yaml `python:` names, for python steps (SLUICE_PYTHON wins). */
  python?: string;
}

/**
 * Applies a fitted flow to a batch and returns the relation holding the result.
 *
 * A flow of SQL steps is one view ({@link planSql}): it streams when read. A step that runs
 * outside DuckDB (`python`) splits the chain: the steps before it are one view, the step reads
 * that view and gives a table, and the steps after it are a view over that table, and so on. At
 * prediction time (`serve`) such steps are skipped (`serve: skip`) or refused, so the plan is
 * always one view. On training batches a branch point (a step's `as:`) cuts the chain too: the
 * flow's branches are computed from the view there (src/flow/branches.ts).
 */
export async function applyFitted(
  engine: Engine,
  fitted: FittedFlow,
  relation: string,
  present: ColumnSchema[],
  mode: FlowMode,
  options: ApplyOptions = {},
): Promise<string> {
  const end = fitted.steps.length;
  const cuts = new Set(
    fitted.steps.flatMap((s, i) => {
      const def = stepDef(s.kind);
      return mode === 'train' && def?.batch ? [i] : [];
    }),
  );
  // A branch is taken where a step names its result (as:): the chain is cut after that step, so
  // the branch reads the view there (and its own steps may run outside SQL, python, too).
  const points = new Set(mode === 'train' ? fitted.steps.flatMap((s, i) => (branchName(s.spec) !== undefined && i + 1 < end ? [i + 1] : [])) : []);
  const sides = new Map(options.sides ?? []);
  const openBranches = async (point: string, at: string, cols: ColumnSchema[]): Promise<void> => {
    sides.set(point, { relation: at, columns: cols, branch: point });
    for (const name of inputsBranchedAt(fitted.flow, point)) {
      const own = fitted.inputs?.[name];
      if (!own) continue;
      const view = await applyFitted(engine, own, at, cols, mode, options);
      sides.set(name, { relation: view, columns: own.output, branch: point });
    }
  };
  if (mode === 'train') await openBranches(MAIN_INPUT, relation, present);
  let current = relation;
  let columns = present;
  let start = 0;
  for (const cut of [...new Set([...cuts, ...points])].sort((a, b) => a - b).concat(end)) {
    if (cut > start || cut === end || start === 0) {
      const part: FittedFlow = {
        ...fitted,
        steps: fitted.steps.slice(start, cut),
        input: start === 0 ? fitted.input : fitted.steps[start - 1]!.output,
        output: cut === end ? fitted.output : fitted.steps[cut]!.input,
      };
      const view = engine.tempName('applied');
      await engine.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS ${planSql(part, current, columns, mode, options.file, sides, start)}`);
      current = view;
      columns = part.output;
    }
    if (cut === end) break;
    if (points.has(cut)) await openBranches(branchName(fitted.steps[cut - 1]!.spec)!, current, columns);
    start = cut;
    if (!cuts.has(cut)) continue;
    const s = fitted.steps[cut]!;
    const def = stepDef(s.kind)!;
    try {
      const r = await def.batch!(s.spec, s.fitted, {
        columns: s.input,
        target: fitted.target,
        mode,
        index: cut,
        engine,
        relation: current,
        sides,
        ...(options.python ? { python: options.python } : {}),
      });
      current = r.relation;
    } catch (e) {
      throw locate(e, cut, s.spec, options.file);
    }
    columns = s.output;
    start = cut + 1;
  }
  return current;
}
