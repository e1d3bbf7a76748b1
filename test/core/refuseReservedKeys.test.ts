import { describe, expect, it } from 'vitest';
import { mayHoldReservedKey, refuseReservedKeys, refuseReservedOptionKey, reservedKeyError } from '../../src/core/refuseReservedKeys.js';
import { errorOf } from '../support/errors.js';

describe('refuseReservedKeys', () => {
  it('finds a "__proto__" key in JSON text however its letters are written, and only a key', () => {
    const keys = [
      '{"__proto__": 1}',
      '{"a": {"__proto__"\n :1}}',
      '{"\\u005F\\u005fproto__": 1}',
      '{"__pr\\u006Ft\\u006f__": 1}',
      '[{"\\u005f_\\u0070\\u0072oto__":{}}]',
    ];
    for (const text of keys) {
      expect(mayHoldReservedKey(text), text).toBe(true);
      expect(JSON.parse(text, (k, v) => (k === '__proto__' ? 'seen' : v))).toBeDefined();
      expect(errorOf(() => refuseReservedKeys(JSON.parse(text), text)).code).toBe('JSON_RESERVED_KEY');
    }
    for (const text of ['{"a": "__proto__"}', '["__proto__", 1]', '{"__proto__x": 1}', '{"x__proto__": 1}', '{"constructor": {"prototype": 1}}']) {
      expect(mayHoldReservedKey(text), text).toBe(false);
      refuseReservedKeys(JSON.parse(text), text);
    }
  });

  it("a string holding a key's text is a value; the error names the first path and counts the rest", () => {
    for (const value of ['{"a": "x\\"__proto__\\": 1"}', '{"a": "{\\"__proto__\\": {}}"}', '{"a": "\\u0022__proto__\\u0022: 1"}']) {
      expect(mayHoldReservedKey(value), value).toBe(false);
      expect(JSON.stringify(JSON.parse(value))).toContain('__proto__');
    }
    const text = '{"rows": [{"a": 1}, {"b": {"__proto__": 1}}], "__proto__": 2}';
    const e = errorOf(() => refuseReservedKeys(JSON.parse(text), text, { what: 'lineage.json' }));
    expect(e.message).toBe(
      'lineage.json has a key "__proto__" at rows[1].b.__proto__ (and 1 more), which Sluice refuses rather than drop: a JavaScript object cannot hold it as its own key, so its values would be lost',
    );
    expect(e.location).toEqual({ field: 'rows[1].b.__proto__' });
    expect(e.httpStatus).toBe(400);
    expect(e.hint).toContain('rename the key "__proto__" or leave it out');
    // Without text (a document built from options), the document itself is walked.
    expect(errorOf(() => refuseReservedKeys(Object.fromEntries([['__proto__', 'x']]))).location).toEqual({ field: '__proto__' });
  });

  it('a column name is said as one', () => {
    const e = reservedKeyError('column 3', { what: 'the CSV header', column: true, location: { line: 1, column: 3 } });
    expect(e.message).toMatch(/^the CSV header has a column named "__proto__" at column 3, /);
    expect(e.hint).toContain('rename the column');
  });

  it('a key=value option: only the key "__proto__" itself', () => {
    const e = errorOf(() => refuseReservedOptionKey('tag', '__proto__=care'));
    expect(e.message).toMatch(/^the option --tag "__proto__=care" has a key "__proto__", which Sluice refuses rather than drop: /);
    expect(e.location).toEqual({ field: '--tag' });
    for (const fine of ['team=__proto__', ' __proto__=x', '__proto__x=1']) refuseReservedOptionKey('tag', fine);
  });
});
