import { describe, expect, it } from 'vitest';
import { coerceValue, valueCoercer } from '../../src/core/coerceValue.js';
import { DEFAULT_MISSING, missingPolicy } from '../../src/core/missing.js';
import { LOGICAL_TYPES } from '../../src/core/types.js';

describe('valueCoercer', () => {
  it('answers as coerceValue for every type, policy and value (missing tokens, numbers as tokens, infinities, bad values, dates)', () => {
    const values: unknown[] = [
      null,
      undefined,
      '',
      ' ',
      'NA',
      ' NA ',
      'nan',
      '-999',
      -999,
      '1',
      ' 7 ',
      '1.5',
      1.5,
      3,
      0,
      1,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      'inf',
      '-Infinity',
      'INF',
      '1e400',
      '1e3',
      '0x10',
      '12a',
      '9007199254740993',
      'true',
      'Yes',
      'f',
      true,
      false,
      '2024-01-31',
      '31/01/2024',
      'not a date',
      'Caucasian',
      '?',
      [1],
      { a: 1 },
    ];
    const policies = [DEFAULT_MISSING, missingPolicy(['?', '-999']), missingPolicy(['NA']), missingPolicy([])];
    let compared = 0;
    for (const policy of policies) {
      for (const type of LOGICAL_TYPES) {
        for (const format of type === 'date' ? [undefined, 'dd/mm/yyyy'] : [undefined]) {
          const coerce = valueCoercer(type, policy, format);
          for (const v of values) {
            expect(coerce(v), `${type} ${format ?? ''} ${JSON.stringify(policy.tokens)} ${String(v)}`).toEqual(coerceValue(v, type, policy, format));
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(4 * 7 * values.length);
    // The date format is read: the same text, another answer with it than without.
    expect(valueCoercer('date', DEFAULT_MISSING, 'dd/mm/yyyy')('31/01/2024')).toBe('2024-01-31');
  });
});
