import type { LogicalType } from '../../core/types.js';

/** Marker for a value that does not fit its column's type. */
export const BAD_VALUE: unique symbol = Symbol('bad value');

const INT_RE = /^[+-]?\d+$/;
const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/**
 * Converts one raw input value (a JSON value, or a CSV cell as a string) to its column's logical
 * type. `null`, `undefined` and the empty string are a missing value (`null`): imputing it is
 * the flow's job. Returns {@link BAD_VALUE} when the value cannot be the type.
 */
export function coerceValue(value: unknown, type: LogicalType): unknown {
  if (value === null || value === undefined || value === '') return null;
  switch (type) {
    case 'float': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : BAD_VALUE;
      if (typeof value === 'string') {
        const s = value.trim();
        if (s === '') return null;
        const x = Number(s);
        return Number.isFinite(x) ? x : BAD_VALUE;
      }
      return BAD_VALUE;
    }
    case 'integer': {
      if (typeof value === 'number') return Number.isInteger(value) ? value : BAD_VALUE;
      if (typeof value === 'string') {
        const s = value.trim();
        if (s === '') return null;
        if (!INT_RE.test(s)) return BAD_VALUE;
        const x = Number(s);
        return Number.isSafeInteger(x) ? x : BAD_VALUE;
      }
      return BAD_VALUE;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === 'string') {
        const s = value.trim().toLowerCase();
        if (TRUE.has(s)) return true;
        if (FALSE.has(s)) return false;
      }
      return BAD_VALUE;
    }
    case 'date':
    case 'timestamp': {
      if (typeof value !== 'string') return BAD_VALUE;
      return Number.isNaN(Date.parse(value)) ? BAD_VALUE : value;
    }
    default: {
      // Categories are often coded as numbers (admission_type_id: 1): accept them as text.
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return BAD_VALUE;
    }
  }
}
