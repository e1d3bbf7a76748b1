import type { ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { locate } from './fitFlow.js';
import type { FittedFlow } from './fittedFlow.js';
import { notServed, planSql } from './planSql.js';
import type { FlowMode, SideRelation } from './step.js';
import { stepDef } from './steps/index.js';

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
 * always one view.
 */
export async function applyFitted(
  engine: Engine,
  fitted: FittedFlow,
  relation: string,
  present: ColumnSchema[],
  mode: FlowMode,
  options: ApplyOptions = {},
): Promise<string> {
  const cuts = fitted.steps.flatMap((s, i) => {
    const def = stepDef(s.kind);
    return def?.batch && !(mode === 'serve' && notServed(def, s.spec)) ? [i] : [];
  });
  let current = relation;
  let columns = present;
  let start = 0;
  for (const cut of [...(mode === 'train' ? cuts : []), fitted.steps.length]) {
    if (cut > start || cut === fitted.steps.length || start === 0) {
      const part: FittedFlow = {
        ...fitted,
        steps: fitted.steps.slice(start, cut),
        input: start === 0 ? fitted.input : fitted.steps[start - 1]!.output,
        output: cut === fitted.steps.length ? fitted.output : fitted.steps[cut]!.input,
      };
      const view = engine.tempName('applied');
      await engine.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS ${planSql(part, current, columns, mode, options.file, options.sides, start)}`);
      current = view;
      columns = part.output;
    }
    if (cut === fitted.steps.length) break;
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
        ...(options.sides ? { sides: options.sides } : {}),
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
