/**
 * The configuration as the Settings page may show it: never a password hash, a secret, a token,
 * or a credential inside a URL, and never the value of an environment variable (only the names
 * that sluice.yaml itself holds). Webhook URLs carry their secret in the path (Slack), so only
 * their origin is kept.
 */
export function redactConfig(value: unknown, path: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v, i) => redactConfig(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'passwordHash') {
        out.password = v ? '(set, hidden)' : '(not set)';
        continue;
      }
      out[k] = isSecretKey(k) && v !== undefined && v !== null ? '(hidden)' : redactConfig(v, [...path, k]);
    }
    return out;
  }
  if (typeof value === 'string') return redactUrl(value, path[0] === 'webhooks');
  return value;
}

/** Keys that name a secret (but not `...Env`: those hold the name of a variable, not its value). */
function isSecretKey(k: string): boolean {
  return !/Env$/.test(k) && /(password|passwd|secret|token|hash|apikey|api_key|credential)/i.test(k);
}

function redactUrl(s: string, originOnly: boolean): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return s;
  }
  const hadCredentials = u.username !== '' || u.password !== '';
  u.username = '';
  u.password = '';
  const hidden = originOnly && (u.pathname.length > 1 || u.search !== '');
  const kept = originOnly ? `${u.protocol}//${u.host}` : `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  return `${kept}${hidden ? '/… (hidden)' : ''}${!originOnly && u.search ? '?… (hidden)' : ''}${hadCredentials ? ' (credentials hidden)' : ''}`;
}

/** Flattens nested settings into `a.b.c = value` rows for a table. */
export function flattenSettings(value: unknown, prefix = ''): Array<[string, string]> {
  if (Array.isArray(value)) {
    if (value.length === 0) return [[prefix, '(none)']];
    return value.flatMap((v, i) => flattenSettings(v, `${prefix}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return [[prefix, '(none)']];
    return entries.flatMap(([k, v]) => flattenSettings(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, value === undefined || value === null ? '—' : String(value)]];
}
