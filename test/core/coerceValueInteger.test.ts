import { describe, expect, it } from 'vitest';
import { BAD_VALUE, coerceValue } from '../../src/core/coerceValue.js';

describe('coerceValue, integer text', () => {
  it('accepts exactly what /^[+-]?\\d+$/ accepts (after trimming), as a safe integer', () => {
    const texts = [
      '1',
      '+1',
      '-1',
      '+',
      '-',
      '  7 ',
      '1.0',
      '1e3',
      '٣',
      '0x10',
      '12a',
      '--1',
      '+-1',
      '00012',
      '99999999999999999999',
      '-0',
      '5\n',
      '1 2',
      '\u00a03',
      '+0',
      '9007199254740993',
    ];
    for (const t of texts) {
      const s = t.trim();
      const expected = s === '' ? null : /^[+-]?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : BAD_VALUE;
      expect(coerceValue(t, 'integer'), JSON.stringify(t)).toBe(expected);
    }
    expect(coerceValue('-12', 'integer')).toBe(-12);
    expect(coerceValue('x', 'integer')).toBe(BAD_VALUE);
  });
});
