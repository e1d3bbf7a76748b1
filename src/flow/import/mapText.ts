import type { MapContext } from './mapNode.js';
import { cols, num, str } from './params.js';

/** Search and edit: find and replace substring, split, extract with a regex. */
export function mapSearchAndEdit(ctx: MapContext): void {
  const p = ctx.params;
  const columns = cols(p);
  switch (ctx.action) {
    case 'Find and replace substring': {
      const pattern = str(p, 'pattern');
      if (columns.length === 0 || !pattern) return ctx.unsupported();
      inPlace(ctx);
      return ctx.add({ kind: 'find_replace', columns, pattern, replacement: str(p, 'replacement') ?? '' });
    }
    case 'Split string by delimiter': {
      const delimiter = str(p, 'delimiter');
      if (columns.length !== 1 || !delimiter) return ctx.unsupported();
      const max = num(p, 'max_number_of_splits');
      const output = str(p, 'output_column');
      return ctx.add({ kind: 'split_column', column: columns[0], delimiter, ...(max ? { max_splits: max } : {}), ...(output ? { output } : {}) });
    }
    case 'Extract using regex': {
      const pattern = str(p, 'pattern');
      const output = str(p, 'output_column');
      if (columns.length !== 1 || !pattern) return ctx.unsupported();
      return ctx.add({ kind: 'regex_extract', column: columns[0], pattern, ...(output ? { output } : {}) });
    }
    default:
      return ctx.unsupported();
  }
}

const CASES: Record<string, string> = { 'Lower case': 'lower', 'Upper case': 'upper', 'Title case': 'title' };
const STRIPS: Record<string, string> = { 'Strip left and right': 'both', 'Strip characters from left': 'left', 'Strip characters from right': 'right' };

/** Format string: convert case, strip characters. */
export function mapFormatString(ctx: MapContext): void {
  const columns = cols(ctx.params);
  const action = ctx.action ?? '';
  if (columns.length === 0) return ctx.unsupported();
  if (CASES[action]) {
    inPlace(ctx);
    return ctx.add({ kind: 'change_case', columns, case: CASES[action] });
  }
  if (STRIPS[action]) {
    inPlace(ctx);
    const characters = str(ctx.params, 'characters');
    const side = STRIPS[action];
    return ctx.add({ kind: 'trim', columns, ...(side !== 'both' ? { side } : {}), ...(characters ? { characters } : {}) });
  }
  return ctx.unsupported();
}

/** Sluice's text steps edit columns in place; Data Wrangler could write a new column instead. */
function inPlace(ctx: MapContext): void {
  const output = str(ctx.params, 'output_column');
  if (output) ctx.note('warning', `Data Wrangler wrote the result to a new column "${output}"; the Sluice step edits the input column in place (add a duplicate_column step before it to keep the original)`);
}
