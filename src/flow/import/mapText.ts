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
      const parts = num(p, 'max_number_of_splits');
      if (columns.length !== 1 || !delimiter) return ctx.unsupported();
      // Data Wrangler makes one list column; Sluice makes one named column per part, so the number
      // of parts must be known. Without a maximum it is not, and a person has to choose.
      if (!parts || parts < 1 || !Number.isInteger(parts)) {
        return ctx.placeholder('data-wrangler', JSON.stringify({ operator: ctx.node.operator, parameters: ctx.node.parameters }, null, 2), `"Split string by delimiter" made a list column of any length; Sluice's split_column needs one named output per part: replace the placeholder with a split_column step listing them`);
      }
      const column = columns[0]!;
      const outputs = Array.from({ length: parts }, (_, i) => `${column}_${i}`);
      ctx.note('info', `the parts become columns ${outputs.join(', ')} (Data Wrangler made one list column)`);
      return ctx.add({ kind: 'split_column', column, delimiter, outputs });
    }
    case 'Extract using regex': {
      const pattern = str(p, 'pattern');
      if (columns.length !== 1 || !pattern) return ctx.unsupported();
      const column = columns[0]!;
      const given = str(p, 'output_column');
      const output = given ?? `${column}_extracted`;
      if (!given) ctx.note('info', `the extracted text goes to a new column "${output}"`);
      // Data Wrangler extracts the whole match; regex_extract takes one capture group, so the
      // pattern is wrapped in one and its own groups become non-capturing.
      return ctx.add({ kind: 'regex_extract', column, pattern: `(${nonCapturing(pattern)})`, output });
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
    return ctx.add({ kind: 'change_case', columns, to: CASES[action] });
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

/** Turns every capturing group `(...)` of a regular expression into `(?:...)`. */
export function nonCapturing(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '(' && pattern[i + 1] !== '?') out += '(?:';
    else out += c;
  }
  return out;
}
