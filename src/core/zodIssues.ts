import type { z } from 'zod';
import { quoteValue } from './quoteValue.js';

/**
 * How a JSON value reads in an error message.
 *
 * @example
 * kindOf([1]) // 'a list'
 * kindOf(undefined) // 'missing'
 */
export function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * The JSON path of a zod issue, an unknown key included: `Records[0].s3.bucket.name`,
 * `dataframe_split.columns[2]`, `[3]` for the fourth item of a top-level list.
 */
export function issuePath(issue: z.core.$ZodIssue): string {
  return jsonPath(issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path);
}

/** A path as `a.b[2].c`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/**
 * The issues to report: a union none of whose options fits is reported by the one option whose
 * type fits the value (all its issues inside it: `instances[1]` is not a record), with the
 * union's path in front; otherwise by the union's own message.
 */
export function flattenIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const fitting = issue.errors.filter((option) => option.length > 0 && option.every((i) => i.path.length > 0));
    if (fitting.length !== 1) return [issue];
    return flattenIssues(fitting[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue));
  });
}

/** A value as a message shows it: a string, number or boolean quoted, else its kind. */
function shown(v: unknown): string {
  return v !== null && typeof v !== 'object' ? quoteValue(v) : kindOf(v);
}

const EXPECTED: Record<string, string> = {
  array: 'a list',
  object: 'an object',
  record: 'an object',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

/**
 * Zod's messages in the words of Sluice's errors, to pass as `safeParse(value, { error:
 * plainIssues, reportInput: true })`: `is missing`, `is 7, not a string`, `is a list, not an object`, `is "Bogus", not
 * "Notification" or "SubscriptionConfirmation"`, `is empty`. The value a client sent is quoted and
 * cut ({@link quoteValue}). A schema's own `error` wins over these.
 */
export const plainIssues = (iss: z.core.$ZodRawIssue): string | undefined => {
  if (iss.code === 'invalid_type') return iss.input === undefined ? 'is missing' : `is ${shown(iss.input)}, not ${EXPECTED[iss.expected] ?? iss.expected}`;
  if (iss.code === 'invalid_union' && 'discriminator' in iss && typeof iss.discriminator === 'string') {
    // A discriminated union's key (`Type` of an SNS message): the issue holds the whole object.
    const got = iss.input !== null && typeof iss.input === 'object' ? (iss.input as Record<string, unknown>)[iss.discriminator] : undefined;
    const options = (iss as { options?: unknown[] }).options ?? [];
    return got === undefined ? 'is missing' : `is ${quoteValue(got)}, not ${options.map((o) => quoteValue(o)).join(' or ')}`;
  }
  if (iss.code === 'invalid_value') return `is ${quoteValue(iss.input)}, not ${iss.values.map((v) => quoteValue(v)).join(' or ')}`;
  if (iss.code === 'too_small' && iss.origin === 'string' && Number(iss.minimum) === 1) return 'is empty';
  return undefined;
};

/**
 * A schema's own message for a value of the wrong type, as its `error`: `must be <expected>, not
 * a number`. A missing value keeps {@link plainIssues}' "is missing".
 */
export const must =
  (expected: string) =>
  (iss: { input?: unknown }): string | undefined =>
    iss.input === undefined ? undefined : `must be ${expected}, not ${kindOf(iss.input)}`;

/** As {@link must}, worded for an item: `is a string, not <expected>`. */
export const isNot =
  (expected: string) =>
  (iss: { input?: unknown }): string | undefined =>
    iss.input === undefined ? undefined : `is ${kindOf(iss.input)}, not ${expected}`;
