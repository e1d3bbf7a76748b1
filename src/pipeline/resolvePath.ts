/** The values a `$.` path can read: the execution input and the results of earlier states. */
export interface PathScope {
  input: Record<string, unknown>;
  results: Record<string, unknown>;
}

/**
 * Reads `$.input.file` or `$.results.report.verdict` from the execution; `undefined` when any
 * part is missing (a condition with `exists: false` tests exactly that).
 */
export function resolvePath(scope: PathScope, path: string): unknown {
  if (path === '$') return scope;
  let cur: unknown = scope;
  for (const part of path.slice(2).split('.')) {
    // Own properties only: `$.input.constructor` or `__proto__` reads nothing, not Object's internals.
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Replaces every string value starting with `$.` (at any depth) by what it points to. */
export function resolveInput(value: unknown, scope: PathScope): unknown {
  if (typeof value === 'string' && value.startsWith('$.')) return resolvePath(scope, value);
  if (Array.isArray(value)) return value.map((v) => resolveInput(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveInput(v, scope)]));
  }
  return value;
}
