/**
 * Where to go after login: only a path on this server. Anything else (another origin, `//host`,
 * `/\host`, a scheme, control characters) falls back to `fallback`, so a crafted login link
 * cannot send someone to a look-alike site (no open redirect).
 *
 * @example
 * safeNext('/executions/ex-1?tab=report') // '/executions/ex-1?tab=report'
 * safeNext('//evil.example/')            // '/'
 * safeNext('/..//evil.example/')         // '/'
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2000) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // Browsers drop tabs and newlines and treat backslashes as slashes: refuse them outright.
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  try {
    const base = 'http://sluice.invalid';
    const u = new URL(next, base);
    if (u.origin !== base) return fallback;
    // Dot segments can turn a path into a protocol-relative URL: '/..//evil.example' is '//evil.example'.
    if (u.pathname.startsWith('//')) return fallback;
    if (u.pathname === '/login' || u.pathname === '/logout') return fallback;
    return u.pathname + u.search + u.hash;
  } catch {
    return fallback;
  }
}
