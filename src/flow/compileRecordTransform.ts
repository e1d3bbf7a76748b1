import { SluiceError, isSluiceError } from '../core/errors.js';
import { dateFormat, readDateText } from '../core/dateFormats.js';
import { missingTest } from '../core/missing.js';
import { fittedMissing, type FittedFlow } from './fittedFlow.js';
import { notServed, requiredInputs } from './planSql.js';
import type { Row } from './step.js';
import { coerce, isMissing } from './steps/common.js';
import { stepDef } from './steps/index.js';

export type RecordResult = { ok: true; row: Row } | { ok: false; error: SluiceError };

/**
 * Compiles a fitted flow into a function over raw records, for serving: no database round
 * trip, microseconds per record. Each record gets a result: the transformed row, or an error
 * naming the record and the field. Steps that remove rows do not run; the target is absent.
 *
 * @example
 * const transform = compileRecordTransform(fitted);
 * const [r] = transform([{ age: 55, race: 'caucasian', ... }]);
 * if (r.ok) model.predict(r.row);
 */
export function compileRecordTransform(fitted: FittedFlow): (records: Row[]) => RecordResult[] {
  const required = requiredInputs(fitted, 'serve');
  const requiredNames = new Set(required.map((c) => c.name));
  const inputs = fitted.input.filter((c) => c.name !== fitted.target);
  const missing = fittedMissing(fitted);
  const fns = fitted.steps.flatMap((s, index) => {
    const def = stepDef(s.kind)!;
    if (notServed(def, s.spec)) return [];
    return [{ index, fn: def.record(s.spec, s.fitted, { columns: s.input, target: fitted.target, mode: 'serve', index }) }];
  });
  const output = fitted.output.filter((c) => c.name !== fitted.target).map((c) => c.name);

  // Per input column, what reading it needs (the date format resolved once).
  const cols = inputs.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ? dateFormat(c.format) : undefined,
    required: requiredNames.has(c.name),
  }));
  const isMissingIn = cols.map((c) => missingTest(missing, c.type));

  /** Record i's value `v` of column c, read as the flow's input: the value, or a refusal. */
  const read = (v: unknown, c: (typeof cols)[number], missingValue: (v: unknown) => boolean, i: number): unknown => {
    if (v === undefined) {
      if (c.required) {
        return new SluiceError('RECORD_MISSING_FIELD', `record ${i} has no field "${c.name}"`, {
          location: { record: i, field: c.name },
          hint: `the model needs ${required.map((x) => x.name).join(', ')}`,
        });
      }
      return null;
    }
    // The one definition of missing: `NA`, `nan`, ±Infinity... are missing on records too.
    if (missingValue(v)) return null;
    const format = c.format;
    const cv = format && typeof v === 'string' ? (readDateText(v, format) ?? coerce(v, c.type)) : coerce(v, c.type);
    if (cv === null && !isMissing(v) && !(typeof v === 'string' && v.trim() === '')) {
      return new SluiceError('RECORD_TYPE', `record ${i}: field "${c.name}" should be ${c.type}, got ${JSON.stringify(v)}`, {
        location: { record: i, field: c.name },
        hint: `send a ${c.type} value or null`,
      });
    }
    return cv;
  };

  const target = fitted.target;
  // Each row starts as a copy of a template holding every key in the order the reads write
  // them, so the writes below only replace values: adding 17 keys one by one through a
  // computed name (a megamorphic, map-transitioning store) was most of a record's time.
  const rowTemplate: Row = {};
  for (const c of cols) rowTemplate[c.name] = null;
  if (target) rowTemplate[target] = null;
  const outTemplate: Row = {};
  for (const c of output) outTemplate[c] = null;
  // The reads and the output copy with each column's name written into the code (as a JSON
  // string literal): a named property access stays monomorphic, where `row[c.name]` in a loop
  // over the columns (one site, many names) is megamorphic: most of a record's time.
  const readAll = new Function(
    'record',
    'row',
    'i',
    'read',
    'cols',
    'isMissingIn',
    'SluiceError',
    `let v;\n${cols
      .map((c, k) => {
        const key = JSON.stringify(c.name);
        return `v = read(record[${key}], cols[${k}], isMissingIn[${k}], i);\nif (v instanceof SluiceError) return v;\nrow[${key}] = v;`;
      })
      .join('\n')}\nreturn undefined;`,
  ) as (record: Row, row: Row, i: number, r: typeof read, c: typeof cols, m: typeof isMissingIn, e: typeof SluiceError) => SluiceError | undefined;
  const copyOut = new Function(
    'row',
    'out',
    output
      .map((c) => {
        const key = JSON.stringify(c);
        return `out[${key}] = row[${key}] ?? null;`;
      })
      .join('\n'),
  ) as (row: Row, out: Row) => void;
  const one = (record: Row, i: number): RecordResult => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return {
        ok: false,
        error: new SluiceError('RECORD_INVALID', `record ${i} is not an object`, {
          location: { record: i },
          hint: 'send each record as {"column": value, ...}',
        }),
      };
    }
    let row: Row = { ...rowTemplate };
    const refused = readAll(record, row, i, read, cols, isMissingIn, SluiceError);
    if (refused) return { ok: false, error: refused };
    try {
      for (let s = 0; s < fns.length; s++) row = fns[s]!.fn(row);
    } catch (e) {
      const err = isSluiceError(e)
        ? new SluiceError(e.code, `record ${i}: ${e.message}`, { location: { ...e.location, record: i }, hint: e.hint })
        : new SluiceError('RECORD_ERROR', `record ${i}: ${(e as Error).message}`, { location: { record: i } });
      return { ok: false, error: err };
    }
    const out: Row = { ...outTemplate };
    copyOut(row, out);
    return { ok: true, row: out };
  };
  return (records) => records.map(one);
}
