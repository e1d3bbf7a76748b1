/** What the endpoint did to one value of a record instead of refusing it. */
export interface RecordWarning {
  field: string;
  /** The value as sent (text). */
  value: string;
  action: 'read as missing';
  message: string;
}

const WARNINGS = Symbol('sluice.recordWarnings');

/**
 * Notes a warning on a parsed record. It rides on the record under a symbol key, invisible to
 * `Object.keys`, JSON and the flow, so the parsers' shapes stay as they are; the route reads it
 * back with {@link warningsOf} and adds it to that record's prediction.
 */
export function addWarning(record: Record<string, unknown>, warning: RecordWarning): void {
  const r = record as Record<symbol, RecordWarning[] | undefined>;
  const list = r[WARNINGS];
  if (list) list.push(warning);
  else Object.defineProperty(record, WARNINGS, { value: [warning], enumerable: false });
}

/** The warnings noted on a parsed record, if any. */
export function warningsOf(record: unknown): RecordWarning[] | undefined {
  return record !== null && typeof record === 'object' ? (record as Record<symbol, RecordWarning[] | undefined>)[WARNINGS] : undefined;
}
