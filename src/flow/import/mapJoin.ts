import type { MapContext } from './mapContext.js';
import { cols, isObj, str } from './params.js';

/** Data Wrangler's join types (Spark's names and the UI's) -> the join step's `how`. */
const HOWS: Record<string, string> = {
  inner: 'inner',
  left: 'left',
  leftouter: 'left',
  left_outer: 'left',
  right: 'right',
  rightouter: 'right',
  right_outer: 'right',
  full: 'full',
  outer: 'full',
  fullouter: 'full',
  full_outer: 'full',
  leftsemi: 'semi',
  left_semi: 'semi',
  semi: 'semi',
  leftanti: 'anti',
  left_anti: 'anti',
  anti: 'anti',
};

/** The key pairs of a join node, whichever shape its version keeps them in. */
function keyPairs(p: Record<string, unknown>): { left: string[]; right: string[] } {
  const left = [...cols(p, 'left_column'), ...cols(p, 'left_columns')];
  const right = [...cols(p, 'right_column'), ...cols(p, 'right_columns')];
  for (const key of ['join_keys', 'keys', 'join_columns']) {
    const list = p[key];
    if (!Array.isArray(list)) continue;
    for (const k of list) {
      if (!isObj(k)) continue;
      const l = str(k, 'left_column') ?? str(k, 'left') ?? str(k, 'left_key');
      const r = str(k, 'right_column') ?? str(k, 'right') ?? str(k, 'right_key');
      if (l && r) {
        left.push(l);
        right.push(r);
      }
    }
  }
  return { left, right };
}

/**
 * `join_tables` / `join_multi_keys` -> a `join` step with the other branch as an input. Data
 * Wrangler keeps both sides' columns and suffixes every clashing name with `_0` (left) and `_1`
 * (right), keys included, so the step pairs the keys with left_on/right_on and those suffixes.
 */
export function mapJoin(ctx: MapContext): void {
  const p = ctx.node.parameters;
  const side = ctx.side;
  if (!side) {
    noSource(ctx);
    return;
  }
  const { left, right } = keyPairs(p);
  const type = (str(p, 'join_type') ?? 'inner').toLowerCase().replace(/[\s-]+/g, '');
  const how = HOWS[type];
  if (!how || left.length === 0 || left.length !== right.length) {
    ctx.unsupported();
    return;
  }
  ctx.add({ kind: 'join', with: side, how, left_on: left, right_on: right, suffixes: ['_0', '_1'] });
  if (how === 'semi' || how === 'anti') ctx.note('info', `a ${how} join keeps the left columns only, as Spark's`);
}

/** `concatenate_datasets` -> a `concatenate` step appending the other branch's rows. */
export function mapConcatenate(ctx: MapContext): void {
  const p = ctx.node.parameters;
  const side = ctx.side;
  if (!side) {
    noSource(ctx);
    return;
  }
  const dedupe = p.remove_duplicates === true || str(p, 'remove_duplicates') === 'true';
  const indicator = str(p, 'indicator_col_name') ?? str(p, 'add_indicator_column');
  if (indicator && indicator !== 'false') {
    ctx.note(
      'warning',
      `Data Wrangler added an indicator column "${indicator}" saying which dataset a row came from; Sluice's concatenate does not (add one with a compute step in each input if you need it)`,
    );
  }
  ctx.add({ kind: 'concatenate', with: side, ...(dedupe ? { drop_duplicates: true } : {}) });
}

/** The node's second input leads neither to a source nor to the flow's own data (a transform without input). */
function noSource(ctx: MapContext): void {
  const code = JSON.stringify({ operator: ctx.node.operator, inputs: ctx.node.inputs.map((i) => i.node_id), parameters: ctx.node.parameters }, null, 2);
  ctx.placeholder(
    'data-wrangler',
    code,
    `its second input leads to no source: declare the data it reads as an input (inputs: NAME: { file: ... }) and join it with a join step`,
  );
}
