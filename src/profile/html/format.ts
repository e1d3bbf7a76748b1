// One formatter of each kind for the whole report: `toLocaleString` builds a new ICU number
// formatter on every call (about 40 ms of the diabetes report's HTML), these give the same text.
const integers = new Intl.NumberFormat('en-US');
const decimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

/** Number formatting for the HTML report: short, but never hiding magnitude. */
export function fmt(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return integers.format(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return decimals.format(Number(v.toPrecision(digits)));
}

/** A share as a percentage. */
export function pctText(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x > 0 && x < 0.001) return '<0.1%';
  return `${(x * 100).toFixed(digits)}%`;
}
