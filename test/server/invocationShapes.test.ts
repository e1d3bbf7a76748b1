import { describe, expect, it } from 'vitest';
import { INVOCATION_JSON_SHAPES } from '../../src/server/endpoint/invocationShapes.js';

/**
 * Each JSON shape's hand-written `accepts` (the fast path of a well-formed request) must agree
 * with its zod schema: a body it passes is one the schema passes, and a body the schema refuses is
 * refused by it too (and then worded by zod). Checked on valid bodies and on a wrong value at every place.
 */
const values: unknown[] = [
  null,
  undefined,
  0,
  1.5,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  '',
  'x',
  true,
  [],
  [1, 'a'],
  [[1]],
  [{}],
  [{ a: 1 }, [1, 2]],
  [{ a: 1 }, null],
  [null],
  ['a', 'b'],
  ['a', 1],
  [1, 2],
  [Number.POSITIVE_INFINITY],
  [[1, 2], 'x'],
  {},
  { a: 1 },
  { a: [1, 2], b: [3, 4] },
];

/** Bodies of every shape, each with every value put in each of its places. */
function bodies(): unknown[] {
  const out: unknown[] = [...values];
  for (const v of values) {
    for (const key of ['instances', 'inputs', 'dataframe_records', 'record_ids']) {
      out.push({ [key]: v }, { [key]: v, params: {} }, { [key]: [{ a: 1 }], params: v }, { [key]: ['a', 1], params: v });
    }
    out.push(
      { dataframe_split: v },
      { dataframe_split: { columns: v, data: [[1]] } },
      { dataframe_split: { columns: ['a'], data: v } },
      { dataframe_split: { columns: ['a'], data: [[1]], index: v } },
      { dataframe_split: { columns: ['a'], data: [[1]] }, params: v },
      { columns: v, data: [[1]] },
      { columns: ['a'], data: v },
      { columns: ['a'], data: [[1]], index: v },
    );
  }
  return out;
}

describe('invocation JSON shapes: the fast check agrees with the schema', () => {
  for (const [name, shape] of Object.entries(INVOCATION_JSON_SHAPES)) {
    it(name, () => {
      let accepted = 0;
      let refused = 0;
      for (const body of bodies()) {
        const zod = shape.schema.safeParse(body).success;
        expect({ body, accepts: shape.accepts(body) }).toEqual({ body, accepts: zod });
        if (zod) accepted++;
        else refused++;
      }
      // The corpus exercises both outcomes for every shape.
      expect(accepted).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    });
  }
});
