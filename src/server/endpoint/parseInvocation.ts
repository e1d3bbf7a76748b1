import { SluiceError } from '../../core/errors.js';
import { checkJsonDepth } from '../../core/jsonDepth.js';
import { RESERVED_COLUMN_NAME } from '../../core/reservedColumnName.js';
import { mayHoldReservedKey, refuseReservedKeys, reservedKeyError } from '../../core/refuseReservedKeys.js';
import { MAX_QUOTED, quoteValue } from '../../core/quoteValue.js';
import type { ColumnSchema } from '../../core/types.js';
import { DEFAULT_MISSING, type MissingPolicy } from '../../core/missing.js';
import { BAD_VALUE, valueCoercer } from '../../core/coerceValue.js';
import { parseCsv } from './parseCsv.js';
import { INVOCATION_JSON_SHAPES, invocationJsonShape, type InvocationJsonShape } from './invocationShapes.js';
import { flattenIssues, issuePath, jsonPath, kindOf, plainIssues } from '../../core/zodIssues.js';
import { addWarning } from './recordWarnings.js';
import type { RecordError } from './Predictor.js';

/** The request shapes `POST /invocations` accepts. */
export type InvocationFormat = 'csv' | 'jsonlines' | 'instances' | 'inputs' | 'dataframe_split' | 'dataframe_records' | 'record_ids';

export interface ParsedInvocation {
  format: InvocationFormat;
  /** One object per record with exactly the predictor's input columns, typed (empty for `record_ids`). */
  records: Record<string, unknown>[];
  /** For `{"record_ids": [...]}`: the ids whose features the online store holds. */
  ids?: string[];
  /** MLflow's `params` (inference parameters), when the request has them. Sluice models take none. */
  params?: Record<string, unknown>;
}

/** At most this many record errors are listed in a 400 response. */
const MAX_ERRORS = 100;

const JSON_SHAPES =
  'use {"inputs": ...}, {"instances": ...}, {"dataframe_split": {"columns": [...], "data": [[...]]}}, {"dataframe_records": [...]} or {"record_ids": [...]}';

/** The JSON Lines content types (SageMaker: application/jsonlines). */
const JSON_LINES = new Set(['application/jsonlines', 'application/jsonl', 'application/x-jsonlines', 'application/json-lines']);

/**
 * Turns a request body into typed records for a predictor with `inputs`, or throws a 400
 * SluiceError naming the record (0-based) and the field. All bad values of the request are listed
 * in `details.errors` (up to 100), so a client fixes them in one round trip.
 *
 * - `text/csv`: a header row is recognized when most of its cells are input names (or forced
 *   with `text/csv; header=present|absent`); without one, the fields are the inputs in order.
 * - `application/json`: MLflow's scoring protocol: `dataframe_split`, `dataframe_records`,
 *   `instances` and `inputs` (TF Serving: a list of objects or of arrays in input order, or a dict
 *   of columns), each with optional `params`; MLflow 1.x bodies (`format=pandas-split`: `{"columns",
 *   "data"}`; `format=pandas-records`: `[{...}]`); and `record_ids`.
 * - `application/jsonlines`: one record per line, an object, an array in input order, or
 *   SageMaker's `{"features": [...]}`.
 * Extra columns are ignored (the raw file may carry the target and ids); missing ones are errors.
 * A key or column named `__proto__`, anywhere, is refused (JSON_RESERVED_KEY, with the record
 * and the field), as the data readers refuse such a column: see refuseReservedKeys.ts.
 * Values are read with `missing`, the model's missing tokens (recorded in its fitted flow).
 */
export function parseInvocation(
  contentType: string | undefined,
  body: string,
  inputs: readonly ColumnSchema[],
  maxRecords = 100_000,
  missing: MissingPolicy = DEFAULT_MISSING,
): ParsedInvocation {
  if (isBlank(body)) {
    throw new SluiceError('INVOCATION_EMPTY_BODY', 'the request body is empty', {
      hint: `send records as text/csv or application/json (${JSON_SHAPES})`,
    });
  }
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let parsed: ParsedInvocation;
  if (type === 'text/csv') parsed = fromCsv(body, inputs, headerParam(contentType), missing);
  else if (JSON_LINES.has(type)) parsed = fromJsonLines(body, inputs, missing);
  else parsed = fromJson(body, inputs, formatParam(contentType), missing);
  const count = parsed.ids?.length ?? parsed.records.length;
  if (count === 0) {
    throw new SluiceError('INVOCATION_NO_RECORDS', 'the request holds no records', { hint: 'send at least one record' });
  }
  if (count > maxRecords) {
    throw new SluiceError('INVOCATION_TOO_MANY_RECORDS', `the request holds ${count} records; the limit is ${maxRecords}`, {
      hint: 'split the batch into several requests, or use `sluice predict` for files',
      httpStatus: 413,
    });
  }
  return parsed;
}

/** Only whitespace (without copying a large body as `trim()` would). */
function isBlank(body: string): boolean {
  return !/\S/.test(body);
}

/** MLflow 1.x's `application/json; format=pandas-split|pandas-records`. */
function formatParam(contentType: string | undefined): 'pandas-split' | 'pandas-records' | undefined {
  const m = /;\s*format\s*=\s*"?(pandas-split|pandas-records)"?/i.exec(contentType ?? '');
  return m ? (m[1]!.toLowerCase() as 'pandas-split' | 'pandas-records') : undefined;
}

function headerParam(contentType: string | undefined): boolean | undefined {
  const m = /;\s*header\s*=\s*"?(present|absent)"?/i.exec(contentType ?? '');
  return m ? m[1]!.toLowerCase() === 'present' : undefined;
}

/** The state of parsing one request: the missing-value rules it is read with, and its errors. */
class Errors {
  constructor(readonly missing: MissingPolicy) {}
  readonly list: RecordError[] = [];
  total = 0;
  add(e: RecordError): void {
    this.total++;
    if (this.list.length < MAX_ERRORS) this.list.push(e);
  }
  throwIfAny(): void {
    const first = this.list[0];
    if (!first) return;
    const more = this.total > 1 ? ` (and ${this.total - 1} more error${this.total > 2 ? 's' : ''})` : '';
    throw new SluiceError(first.code, `${first.message}${more}`, {
      location: { record: first.record, ...(first.field !== undefined ? { field: first.field } : {}) },
      ...(first.hint !== undefined ? { hint: first.hint } : {}),
      details: { errors: this.list, total: this.total },
    });
  }
}

function typeHint(type: string): string {
  switch (type) {
    case 'integer':
      return 'a whole number such as 3';
    case 'float':
      return 'a number such as 2.5';
    case 'boolean':
      return 'true or false';
    case 'date':
    case 'timestamp':
      return 'an ISO date such as 2024-01-31';
    default:
      return 'a string';
  }
}

/**
 * One value into its column's type (`coerce`: the column's {@link valueCoercer}). A value that cannot be the type is read as missing (the
 * fitted flow imputes it, the trees route it), as batch prediction does, and a warning on the
 * record says so; the record is still scored.
 */
function coerceInto(out: Record<string, unknown>, col: ColumnSchema, coerce: (raw: unknown) => unknown, raw: unknown, record: number): void {
  // JSON.parse reads a number beyond ±1.8e308 (1e400) as Infinity: say so instead of reading it as missing silently.
  const outOfRange = isOutOfRange(raw);
  const v = outOfRange ? BAD_VALUE : coerce(raw);
  if (v === BAD_VALUE) {
    const shown = outOfRange ? 'a number out of range' : quoteValue(raw);
    out[col.name] = null;
    addWarning(out, {
      field: col.name,
      value: outOfRange ? shown : typeof raw === 'string' ? cutValue(raw) : shown,
      action: 'read as missing',
      message: outOfRange
        ? `record ${record}: "${col.name}" is a number out of range (beyond ±${Number.MAX_VALUE.toExponential(1)}); read as missing`
        : `record ${record}: "${col.name}" is ${shown}, not ${col.type === 'integer' ? 'an' : 'a'} ${col.type} (${typeHint(col.type)}); read as missing`,
    });
  } else out[col.name] = v;
}

/** Each input's {@link valueCoercer}, built once per request. */
function coercers(inputs: readonly ColumnSchema[], missing: MissingPolicy): Array<(raw: unknown) => unknown> {
  return inputs.map((c) => valueCoercer(c.type, missing, c.format));
}

/** A JSON number that overflowed, or numeric text that does (`"1e400"` in a CSV cell). */
function isOutOfRange(raw: unknown): boolean {
  if (typeof raw === 'number') return raw === Infinity || raw === -Infinity;
  // Numeric text overflows only with an exponent or past 308 digits: most cells skip the pattern.
  if (typeof raw !== 'string' || (raw.length < 309 && !raw.includes('e') && !raw.includes('E'))) return false;
  return raw.length < 400 && /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw) && !Number.isFinite(Number(raw));
}

/** A client's value as a warning repeats it: at most 200 characters. */
function cutValue(raw: string): string {
  return raw.length <= MAX_QUOTED ? raw : `${raw.slice(0, MAX_QUOTED)}… (${raw.length} characters)`;
}

/**
 * A record with every input's key (null) in input order. Records start as copies of it, so
 * reading a value replaces one rather than adding a key through a computed name (a
 * megamorphic store that changes the object's shape, most of a record's cost). A request with
 * a bad record is refused whole, so no half-filled copy is ever returned.
 */
function recordTemplate(inputs: readonly ColumnSchema[]): Record<string, unknown> {
  const t: Record<string, unknown> = {};
  for (const c of inputs) t[c.name] = null;
  return t;
}

/** Rows of values in the order of `columns` (CSV rows, dataframe_split, instances as arrays). */
function fromRows(
  rows: readonly unknown[],
  columns: readonly string[],
  inputs: readonly ColumnSchema[],
  firstRecordLine: number | undefined,
  errors: Errors,
): Record<string, unknown>[] {
  const index = inputs.map((c) => columns.indexOf(c.name));
  const missing = inputs.filter((_, i) => index[i] === -1).map((c) => c.name);
  if (missing.length > 0) {
    for (const m of missing) {
      errors.add({
        record: 0,
        field: m,
        code: 'INVOCATION_MISSING_COLUMN',
        message: `column "${m}" is missing`,
        hint: `the model needs the columns ${inputs.map((c) => c.name).join(', ')}`,
      });
    }
    errors.throwIfAny();
  }
  const records: Record<string, unknown>[] = new Array(rows.length);
  const template = recordTemplate(inputs);
  const coerce = coercers(inputs, errors.missing);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const out: Record<string, unknown> = { ...template };
    if (!Array.isArray(row) || row.length !== columns.length) {
      errors.add({
        record: r,
        code: 'INVOCATION_BAD_ROW',
        message: `record ${r}${firstRecordLine !== undefined ? ` (line ${firstRecordLine + r})` : ''} has ${Array.isArray(row) ? `${row.length} values` : `a ${typeof row}`}, expected ${columns.length} values`,
        hint: `give the values of ${columns.join(', ')} in this order`,
      });
    } else {
      for (let i = 0; i < inputs.length; i++) coerceInto(out, inputs[i]!, coerce[i]!, row[index[i]!], r);
    }
    records[r] = out;
  }
  errors.throwIfAny();
  return records;
}

function fromObjects(items: readonly unknown[], inputs: readonly ColumnSchema[], errors: Errors): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = new Array(items.length);
  const template = recordTemplate(inputs);
  const coerce = coercers(inputs, errors.missing);
  for (let r = 0; r < items.length; r++) {
    const item = items[r];
    const out: Record<string, unknown> = { ...template };
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      errors.add({
        record: r,
        code: 'INVOCATION_BAD_ROW',
        message: `record ${r} is ${item === null ? 'null' : Array.isArray(item) ? 'an array' : `a ${typeof item}`}, not an object`,
        hint: 'give each record as {"column": value, ...}',
      });
    } else {
      const obj = item as Record<string, unknown>;
      for (let i = 0; i < inputs.length; i++) {
        const col = inputs[i]!;
        if (!Object.hasOwn(obj, col.name)) {
          errors.add({
            record: r,
            field: col.name,
            code: 'INVOCATION_MISSING_COLUMN',
            message: `record ${r} has no "${col.name}"`,
            hint: `give "${col.name}" (null when unknown)`,
          });
        } else coerceInto(out, col, coerce[i]!, obj[col.name], r);
      }
    }
    records[r] = out;
  }
  errors.throwIfAny();
  return records;
}

function fromCsv(body: string, inputs: readonly ColumnSchema[], header: boolean | undefined, missing: MissingPolicy): ParsedInvocation {
  const rows = parseCsv(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  const errors = new Errors(missing);
  const first = rows[0] ?? [];
  const names = new Set(inputs.map((c) => c.name));
  const hasHeader = header ?? first.filter((cell) => names.has(cell.trim())).length * 2 >= Math.max(1, Math.min(first.length, inputs.length));
  if (hasHeader) {
    const reserved = first.findIndex((c) => c.trim() === RESERVED_COLUMN_NAME);
    if (reserved >= 0)
      throw reservedKeyError(`column ${reserved + 1}`, {
        what: 'the CSV header',
        column: true,
        location: { line: 1, column: reserved + 1, field: RESERVED_COLUMN_NAME },
      });
    return {
      format: 'csv',
      records: fromRows(
        rows.slice(1),
        first.map((c) => c.trim()),
        inputs,
        2,
        errors,
      ),
    };
  }
  return {
    format: 'csv',
    records: fromRows(
      rows,
      inputs.map((c) => c.name),
      inputs,
      1,
      errors,
    ),
  };
}

function jsonError(body: string, e: unknown): SluiceError {
  const msg = e instanceof Error ? e.message : String(e);
  const pos = /position (\d+)/.exec(msg);
  let location: { line: number; column: number } | undefined;
  if (pos) {
    const p = Number(pos[1]);
    const before = body.slice(0, p);
    const line = before.split('\n').length;
    location = { line, column: p - before.lastIndexOf('\n') };
  }
  return new SluiceError('INVOCATION_BAD_JSON', `the body is not valid JSON: ${msg}`, {
    ...(location ? { location } : {}),
    hint: 'check the JSON syntax (quotes, commas, brackets), or send text/csv with the matching Content-Type',
  });
}

/**
 * Where a `__proto__` key of a JSON body is: inside a record (the first index on its path:
 * `instances[3].__proto__`, `[3].gender.__proto__`), that record and the field within it;
 * elsewhere (`params`, a dict of columns, the top level), its JSON path.
 */
function inRecord(path: ReadonlyArray<string | number>): { record?: number; field: string } {
  const at = path.findIndex((p) => typeof p === 'number');
  return at < 0 ? { field: jsonPath(path) } : { record: path[at] as number, field: jsonPath(path.slice(at + 1)) };
}

const shapeError = (msg: string): SluiceError => new SluiceError('INVOCATION_BAD_SHAPE', msg, { hint: JSON_SHAPES });

function fromJson(
  body: string,
  inputs: readonly ColumnSchema[],
  format: 'pandas-split' | 'pandas-records' | undefined,
  missing: MissingPolicy,
): ParsedInvocation {
  checkJsonDepth(body);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw jsonError(body, e);
  }
  // One scan of the text; the document is walked only when it may hold a key "__proto__".
  refuseReservedKeys(doc, body, { locate: inRecord });
  const errors = new Errors(missing);
  const shape = invocationJsonShape(doc, format);
  if (!shape) {
    const keys = doc !== null && typeof doc === 'object' ? Object.keys(doc) : undefined;
    throw shapeError(
      keys
        ? `the JSON body has ${
            keys.length
              ? `keys ${keys
                  .slice(0, 5)
                  .map((k) => quoteValue(k))
                  .join(', ')}`
              : 'no keys'
          } but none of "inputs", "instances", "dataframe_split", "dataframe_records", "record_ids"`
        : `the JSON body is ${kindOf(doc)}, not an object with "inputs", "instances", "dataframe_split", "dataframe_records" or "record_ids"`,
    );
  }
  // The shape's schema has checked what is read below: the casts name what it guarantees.
  const v = validated(shape, doc, errors);
  const withParams = (p: ParsedInvocation): ParsedInvocation => (v.params ? { ...p, params: v.params as Record<string, unknown> } : p);
  const S = INVOCATION_JSON_SHAPES;
  switch (shape) {
    case S.pandasRecords:
      return { format: 'dataframe_records', records: fromObjects(v as unknown as unknown[], inputs, errors) };
    case S.pandasSplit:
    case S.dataframeSplit: {
      const split = (shape === S.pandasSplit ? v : v.dataframe_split) as { columns: string[]; data: unknown[][] };
      const reserved = split.columns.indexOf(RESERVED_COLUMN_NAME);
      if (reserved >= 0) {
        const at = jsonPath([...(shape === S.pandasSplit ? [] : ['dataframe_split']), 'columns', reserved]);
        throw reservedKeyError(at, { column: true });
      }
      return withParams({ format: 'dataframe_split', records: fromRows(split.data, split.columns, inputs, undefined, errors) });
    }
    case S.recordIds:
      return { format: 'record_ids', records: [], ids: (v.record_ids as Array<string | number>).map(String) };
    case S.dataframeRecords:
      return withParams({ format: 'dataframe_records', records: fromObjects(v.dataframe_records as unknown[], inputs, errors) });
    default: {
      const key = shape.format as 'instances' | 'inputs';
      const items = v[key] as unknown[] | Record<string, unknown>;
      if (!Array.isArray(items)) return withParams({ format: key, records: fromColumns(items, key, inputs, errors) });
      // Arrays are positional, in the order of the model's inputs (TensorFlow Serving's convention).
      if (items.length > 0 && Array.isArray(items[0]))
        return withParams({
          format: key,
          records: fromRows(
            items,
            inputs.map((c) => c.name),
            inputs,
            undefined,
            errors,
          ),
        });
      return withParams({ format: key, records: fromObjects(items, inputs, errors) });
    }
  }
}

/**
 * `doc` validated by its shape's schema, or a 400 listing every problem: inside a record,
 * `record N` and the field (`INVOCATION_BAD_ROW`; `INVOCATION_BAD_TYPE` for an id); elsewhere
 * the JSON path and what it must be (`INVOCATION_BAD_SHAPE`).
 */
function validated(shape: InvocationJsonShape, doc: unknown, errors: Errors): Record<string, unknown> {
  // The schema's hand-written twin passes a well-formed body without zod (the readers below only
  // read the keys the schema knows, so the body itself stands for the schema's copy of it).
  if (shape.accepts(doc)) return doc as Record<string, unknown>;
  const r = shape.schema.safeParse(doc, { error: plainIssues, reportInput: true });
  if (r.success) return r.data as Record<string, unknown>;
  const at = shape.recordsAt;
  const ids = shape.format === 'record_ids';
  const shapeProblems: Array<{ field?: string; message: string }> = [];
  for (const issue of flattenIssues(r.error.issues)) {
    const record = issue.path[at.length];
    if (typeof record === 'number' && at.every((p, i) => issue.path[i] === p)) {
      const field = jsonPath(issue.path.slice(at.length + 1));
      errors.add({
        record,
        ...(field || ids ? { field: field || 'record_ids' } : {}),
        code: ids ? 'INVOCATION_BAD_TYPE' : 'INVOCATION_BAD_ROW',
        message: `record ${record}${field ? ` ${quoteValue(field)}` : ''} ${issue.message}`,
        hint: ids ? 'give each record id as a string or a number' : `send ${shape.expected}`,
      });
    } else {
      const path = issuePath(issue);
      shapeProblems.push({
        ...(path ? { field: path } : {}),
        message: path ? `${shape.what}: ${quoteValue(path)} ${issue.message}` : `${shape.what} ${issue.message}`,
      });
    }
  }
  // A problem outside the records is said first, located by its JSON path (no record to name).
  const first = shapeProblems[0];
  if (first) {
    const total = shapeProblems.length + errors.total;
    throw new SluiceError('INVOCATION_BAD_SHAPE', `${first.message}${total > 1 ? ` (and ${total - 1} more error${total > 2 ? 's' : ''})` : ''}`, {
      ...(first.field ? { location: { field: first.field } } : {}),
      hint: `send ${shape.expected}`,
      ...(total > 1 ? { details: { problems: shapeProblems.slice(0, 20), errors: errors.list, total } } : {}),
    });
  }
  errors.throwIfAny();
  return {};
}

/**
 * A dict of columns (TF Serving's columnar `inputs`, MLflow's `instances` dict): every value a
 * list of the same length, one record per position; all single values: one record.
 */
function fromColumns(cols: Record<string, unknown>, key: string, inputs: readonly ColumnSchema[], errors: Errors): Record<string, unknown>[] {
  const names = Object.keys(cols);
  const values = names.map((n) => cols[n]);
  if (values.every((v) => !Array.isArray(v))) return fromObjects([cols], inputs, errors);
  const scalar = names.find((_, i) => !Array.isArray(values[i]));
  if (scalar !== undefined)
    throw shapeError(`"${key}" mixes lists and single values (${quoteValue(scalar)} is not a list): give every column as a list of the same length`);
  const lengths = values.map((v) => (v as unknown[]).length);
  const odd = lengths.findIndex((n) => n !== lengths[0]);
  if (odd > 0)
    throw shapeError(
      `"${key}": column ${quoteValue(names[0])} has ${lengths[0]} values but ${quoteValue(names[odd])} has ${lengths[odd]}; every column needs one value per record`,
    );
  const rows = Array.from({ length: lengths[0] ?? 0 }, (_, r) => values.map((v) => (v as unknown[])[r]));
  return fromRows(rows, names, inputs, undefined, errors);
}

/** One JSON value per line: an object, an array in input order, or `{"features": [...]}` (SageMaker). */
function fromJsonLines(body: string, inputs: readonly ColumnSchema[], missing: MissingPolicy): ParsedInvocation {
  const items: unknown[] = [];
  const lines = body.split(/\r?\n/);
  // One scan of the whole body; lines are walked only when it may hold a key "__proto__".
  const suspect = mayHoldReservedKey(body);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    checkJsonDepth(line, undefined, `line ${i + 1}`);
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new SluiceError('INVOCATION_BAD_JSON', `line ${i + 1} is not valid JSON: ${(e as Error).message}`, {
        location: { line: i + 1, record: items.length },
        hint: 'give one JSON object or array per line',
      });
    }
    if (suspect) {
      const line = i + 1;
      const record = items.length;
      refuseReservedKeys(v, undefined, { what: `line ${line}`, locate: (path) => ({ line, record, field: jsonPath(path) }) });
    }
    const features =
      v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 ? (v as { features?: unknown }).features : undefined;
    items.push(Array.isArray(features) ? features : v);
  }
  const errors = new Errors(missing);
  const arrays = items.filter(Array.isArray).length;
  if (arrays > 0 && arrays < items.length) {
    const first = items.findIndex((x) => Array.isArray(x) !== Array.isArray(items[0]));
    throw shapeError(
      `JSON Lines record ${first} is ${Array.isArray(items[first]) ? 'an array' : 'not an array'} unlike record 0: give every line as an object, or every line as an array in input order`,
    );
  }
  if (arrays > 0)
    return {
      format: 'jsonlines',
      records: fromRows(
        items,
        inputs.map((c) => c.name),
        inputs,
        undefined,
        errors,
      ),
    };
  return { format: 'jsonlines', records: fromObjects(items, inputs, errors) };
}
