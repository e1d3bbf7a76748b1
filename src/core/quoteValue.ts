/** The longest stretch of a client's value an error message repeats. */
export const MAX_QUOTED = 200;

/**
 * A value for an error message: JSON-quoted and cut to {@link MAX_QUOTED} characters, with how
 * long it really was, so an error never echoes a megabyte a client sent (or a file's content).
 *
 * @example
 * quoteValue('abc')              // '"abc"'
 * quoteValue('x'.repeat(5000))   // '"xxx…" (5000 characters)'
 * quoteValue(Infinity)           // 'a number out of range'
 */
export function quoteValue(value: unknown, max = MAX_QUOTED): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : 'a number out of range';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    // Cycles, BigInts: describe rather than serialise.
    text = String(value);
  }
  if (text.length <= max) return text;
  if (typeof value === 'string') return `${text.slice(0, max)}…" (${value.length} characters)`;
  return `${text.slice(0, max)}… (${text.length} characters as JSON)`;
}
