import type { Condition } from './definition/pipelineSchema.js';
import { resolvePath, type PathScope } from './resolvePath.js';

/** Evaluates one choice condition against the execution (deterministic: reads recorded values only). */
export function evaluateCondition(cond: Condition, scope: PathScope): boolean {
  const v = resolvePath(scope, cond.path);
  if (cond.exists !== undefined) return (v !== undefined && v !== null) === cond.exists;
  if (cond.equals !== undefined) return deepEqual(v, cond.equals);
  if (cond.notEquals !== undefined) return !deepEqual(v, cond.notEquals);
  if (cond.in !== undefined) return cond.in.some((x) => deepEqual(v, x));
  if (cond.greaterThan !== undefined) return typeof v === 'number' && v > cond.greaterThan;
  if (cond.lessThan !== undefined) return typeof v === 'number' && v < cond.lessThan;
  return false;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
