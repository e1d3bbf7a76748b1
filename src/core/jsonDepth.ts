import { SluiceError } from './errors.js';
import { refuseReservedKeys } from './refuseReservedKeys.js';

/**
 * How deeply arrays and objects may nest in a JSON body the server parses (issue 13, point 7).
 * No request Sluice documents needs more than a handful of levels; 400 leaves room for any
 * nested `input` a client sends while staying far below where Node's recursive JSON handling
 * (parse, schema validation, stringify) runs out of stack (several thousand levels).
 */
export const MAX_JSON_DEPTH = 400;

/**
 * Refuses JSON text nested deeper than `max` arrays/objects, before it is parsed: one pass over
 * the text, skipping strings, so a body of 5,000 `[` costs a scan and a 400 instead of deep
 * recursion further on (validation, serialisation) and a 500.
 *
 * @example
 * checkJsonDepth('{"a": [[1]]}');          // fine (depth 3)
 * checkJsonDepth('['.repeat(5000));         // throws JSON_TOO_DEEP (HTTP 400): more than 400 levels
 */
export function checkJsonDepth(text: string, max = MAX_JSON_DEPTH, what = 'the JSON body'): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        throw new SluiceError('JSON_TOO_DEEP', `${what} nests arrays and objects more than ${max} levels deep (at character ${i + 1})`, {
          httpStatus: 400,
          hint: `flatten the document: at most ${max} levels of [ ] and { } are read`,
        });
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/**
 * `JSON.parse` after {@link checkJsonDepth}, refusing a `__proto__` key (JSON_RESERVED_KEY, see
 * refuseReservedKeys.ts); syntax errors are thrown as JSON.parse throws them.
 */
export function parseJsonBounded(text: string, max = MAX_JSON_DEPTH, what?: string): unknown {
  checkJsonDepth(text, max, what);
  const doc = JSON.parse(text) as unknown;
  refuseReservedKeys(doc, text, what ? { what } : {});
  return doc;
}
