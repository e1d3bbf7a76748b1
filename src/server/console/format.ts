/** Small text helpers shared by the console pages (plain strings: the templates escape them). */

/** The last segment of a path, or a dash. */
export function fileName(path: string | null | undefined): string {
  if (!path) return '—';
  return path.split(/[\\/]/).pop() || path;
}

/** An ISO time shown as `2026-11-28 21:04:05 UTC` (the full ISO value goes in a title attribute). */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration between two instants in words: `3 min`, `2 h 5 min`, `4 d`. */
export function since(iso: string, now = Date.now()): string {
  const ms = Math.max(0, now - Date.parse(iso));
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d`;
}

/** A number for a table cell: integers grouped, fractions to 4 significant decimals. */
export function num(v: unknown): string {
  if (typeof v !== 'number') return v === null || v === undefined ? '—' : String(v);
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

/** Any cell value as text (objects as compact JSON, cut at `max` characters). */
export function cell(v: unknown, max = 120): string {
  if (v === null || v === undefined) return '';
  // Integers unformatted: in records they are often ids (30007, not 30,007).
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : num(v);
  const s = typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A query-string value as a string (first of repeated values), or undefined. */
export function qs(q: unknown, key: string): string | undefined {
  const v = (q as Record<string, unknown> | undefined)?.[key];
  const one = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' && one !== '' ? one : undefined;
}

/** Builds `path?k=v&...` from the defined values. */
export function href(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
