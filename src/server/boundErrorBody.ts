import { MAX_QUOTED } from '../core/quoteValue.js';

/** The largest error body the server sends (bytes of JSON). */
export const MAX_ERROR_BODY = 16 * 1024;

/**
 * Cuts an error's JSON (`{code, message, hint, location, details}`) to at most `max` bytes, so a
 * client's megabyte value, or thousands of record errors, can never come back amplified: the
 * listed `details.errors` are halved until it fits (`details.shown` says how many remain), then
 * `details` is dropped, then every string is cut to 200 characters. `code` is never cut.
 *
 * @example
 * reply.code(400).send({ error: boundErrorBody(err.toJSON()) });
 */
export function boundErrorBody(json: Record<string, unknown>, max = MAX_ERROR_BODY): Record<string, unknown> {
  if (size(json) <= max) return json;
  let out: Record<string, unknown> = { ...json };
  const details = out.details as { errors?: unknown[] } | undefined;
  if (details && typeof details === 'object' && Array.isArray(details.errors)) {
    let errors = details.errors;
    while (errors.length > 1 && size(out) > max) {
      errors = errors.slice(0, Math.floor(errors.length / 2));
      out = { ...out, details: { ...details, errors, shown: errors.length } };
    }
  }
  if (size(out) > max) out = { ...out, details: { cut: `the details were longer than ${max} bytes and are left out` } };
  if (size(out) > max) out = cutStrings(out) as Record<string, unknown>;
  if (size(out) > max) out = { code: json.code, message: cut(String(json.message ?? '')) };
  return out;
}

function size(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v));
}

function cut(s: string): string {
  return s.length <= MAX_QUOTED ? s : `${s.slice(0, MAX_QUOTED)}… (${s.length} characters)`;
}

function cutStrings(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return cut(v);
  if (depth > 8 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.slice(0, 20).map((x) => cutStrings(x, depth + 1));
  return Object.fromEntries(
    Object.entries(v)
      .slice(0, 50)
      .map(([k, x]) => [cut(k), cutStrings(x, depth + 1)]),
  );
}
