import { describe, expect, it } from 'vitest';
import { fmt } from '../../src/profile/html/format.js';

describe("the HTML report's number format", () => {
  it('writes integers with thousands separators and decimals to their significant digits, as toLocaleString does', () => {
    expect(fmt(69570)).toBe('69,570');
    expect(fmt(-1234567)).toBe('-1,234,567');
    expect(fmt(0)).toBe('0');
    expect(fmt(12345.678)).toBe('12,350');
    expect(fmt(0.123456789)).toBe('0.1235');
    expect(fmt(0.123456789, 6)).toBe('0.123457');
    expect(fmt(2.5e-4)).toBe('2.50e-4');
    expect(fmt(3.2e7 + 0.5)).toBe('3.20e+7');
    expect(fmt(null)).toBe('–');
    expect(fmt(Number.NaN)).toBe('NaN');
    expect(fmt('text')).toBe('text');
  });

  it('gives the text of toLocaleString for every magnitude (the formatters are built once)', () => {
    const old = (v: number, digits: number): string => {
      if (Number.isInteger(v)) return v.toLocaleString('en-US');
      const a = Math.abs(v);
      if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
      return Number(v.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
    };
    for (let e = -5; e <= 9; e++)
      for (const m of [1, -1.5, 2.5, 9.99999, 123.456]) {
        const v = m * 10 ** e;
        for (const d of [2, 4, 6]) expect(fmt(v, d)).toBe(old(v, d));
      }
  });
});
