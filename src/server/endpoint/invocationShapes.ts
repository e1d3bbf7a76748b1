import { z } from 'zod';
import { isNot, must } from '../../core/zodIssues.js';
import { quoteValue } from '../../core/quoteValue.js';

/**
 * What `POST /invocations` reads and answers, as zod schemas. A JSON body is validated by the
 * schema of its shape ({@link invocationJsonShape} picks it) before {@link parseInvocation} reads
 * it, and the OpenAPI document shows the union of the same schemas. Records and rows are checked
 * as a whole (an object, a list), not value by value: a body holds up to 100,000 records, and
 * each value is read with its column's type by the parser (the types are the loaded model's,
 * `GET /ping` lists them). CSV and JSON Lines bodies are text, read by their parsers. The JSON
 * answer is checked against {@link invocationAnswer} while the tests run.
 */

const VALUE = {
  type: ['string', 'number', 'boolean', 'null'],
  description:
    'Read with the column\'s type; null, "" and the model\'s missing tokens are missing. A value the type cannot read (text in a number column, a list) is read as missing, with a warning on its prediction',
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isList = (v: unknown): v is unknown[] => Array.isArray(v);

/** A value zod checks as a whole with `test`, documented by `json` (a JSON Schema). */
function whole<T>(test: (v: unknown) => v is T, expected: string, json: Record<string, unknown>) {
  return z.custom<T>(test, { error: isNot(expected) }).meta(json);
}

const record = whole(isObject, 'an object {"column": value, ...}', {
  type: 'object',
  additionalProperties: VALUE,
  description: 'Input column -> value; extra columns are ignored',
});
const row = whole(isList, 'a list of values', { type: 'array', items: VALUE, description: "Values in the order of the model's inputs (GET /ping lists them)" });
const columnsOrRecord = whole(isObject, 'an object', {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'array', items: VALUE }, VALUE] },
  description: 'A dict of columns (input column -> its values, one per record, every list the same length), or one record (input column -> a single value)',
});
const records = (key: string) =>
  z
    .union([z.array(z.union([record, row], { error: isNot('a record (an object, or a list of values in input order)') })), columnsOrRecord], {
      error: must('a list of records or a dict of columns'),
    })
    .meta({ description: `The records: a list of objects, a list of lists in input order, or a dict of columns (TF Serving's columnar "${key}")` });
const params = z
  .record(z.string(), z.unknown(), { error: must('an object of parameter names and values') })
  .optional()
  .meta({ description: 'MLflow inference parameters (Sluice models take none; accepted and ignored)' });
const columnNames = z.array(z.string({ error: isNot('a column name (a string)') }), { error: must('a list of column names') });
const split = z.object(
  { columns: columnNames, data: z.array(row, { error: must('a list of rows [[values], ...]') }), index: z.array(z.unknown()).optional() },
  { error: must('{"columns": [names], "data": [[values], ...]}') },
);
/**
 * Hand-written twins of the schemas above, for the common case: true only for a value the schema
 * accepts (test/server/invocationShapes.test.ts compares them on valid and invalid bodies), so a
 * well-formed request skips zod; anything else is validated by zod, which words the 400.
 */
const isRecordOrRow = (v: unknown): boolean => v !== null && typeof v === 'object';
const everyItem = (xs: unknown[], test: (v: unknown) => boolean): boolean => {
  for (let i = 0; i < xs.length; i++) if (!test(xs[i])) return false;
  return true;
};
const acceptsRecords = (v: unknown): boolean => (isList(v) ? everyItem(v, isRecordOrRow) : isObject(v));
const acceptsParams = (v: unknown): boolean => v === undefined || isObject(v);
const isString = (v: unknown): boolean => typeof v === 'string';
const acceptsSplit = (v: unknown): boolean =>
  isObject(v) &&
  isList(v.columns) &&
  everyItem(v.columns, isString) &&
  isList(v.data) &&
  everyItem(v.data, isList) &&
  (v.index === undefined || isList(v.index));
const isId = (v: unknown): boolean => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

const id = z.union([z.string(), z.number()], {
  error: (iss) => (iss.input === undefined ? undefined : `is ${quoteValue(iss.input)}, not an id (a string or a number)`),
});

/** One JSON shape of the body: its schema, and where its records are (their errors name the record). */
export interface InvocationJsonShape {
  format: 'instances' | 'inputs' | 'dataframe_split' | 'dataframe_records' | 'record_ids';
  /** How a message names the body. */
  what: string;
  /** What the body must look like, for the hint. */
  expected: string;
  schema: z.ZodType;
  /** The path of the list of records (or ids): an error inside one names that record. */
  recordsAt: readonly (string | number)[];
  /** A fast check that is true only when `schema` accepts the value (false: ask the schema, which says why). */
  accepts: (doc: unknown) => boolean;
}

const shape = (s: InvocationJsonShape): InvocationJsonShape => s;
export const INVOCATION_JSON_SHAPES = {
  pandasSplit: shape({
    accepts: acceptsSplit,
    format: 'dataframe_split',
    what: 'the pandas-split body',
    expected: '{"columns": [names], "data": [[values], ...]}',
    recordsAt: ['data'],
    schema: split.meta({ title: 'MLflow 1.x pandas-split', description: 'With Content-Type: application/json; format=pandas-split' }),
  }),
  pandasRecords: shape({
    accepts: (d) => isList(d) && everyItem(d, isObject),
    format: 'dataframe_records',
    what: 'the pandas-records body',
    expected: '[{"column": value, ...}, ...]',
    recordsAt: [],
    schema: z
      .array(record, { error: must('a list of records [{"column": value, ...}] (format=pandas-records)') })
      .meta({ title: 'MLflow 1.x pandas-records', description: 'With Content-Type: application/json; format=pandas-records (or a list without it)' }),
  }),
  instances: shape({
    accepts: (d) => isObject(d) && acceptsRecords(d.instances) && acceptsParams(d.params),
    format: 'instances',
    what: 'the "instances" body',
    expected: '{"instances": [records]} or {"instances": {"column": [values]}}',
    recordsAt: ['instances'],
    schema: z.object({ instances: records('instances'), params }).meta({ title: 'MLflow / TF Serving instances' }),
  }),
  inputs: shape({
    accepts: (d) => isObject(d) && acceptsRecords(d.inputs) && acceptsParams(d.params),
    format: 'inputs',
    what: 'the "inputs" body',
    expected: '{"inputs": [records]} or {"inputs": {"column": [values]}}',
    recordsAt: ['inputs'],
    schema: z.object({ inputs: records('inputs'), params }).meta({ title: 'MLflow / TF Serving inputs' }),
  }),
  dataframeSplit: shape({
    accepts: (d) => isObject(d) && acceptsSplit(d.dataframe_split) && acceptsParams(d.params),
    format: 'dataframe_split',
    what: 'the "dataframe_split" body',
    expected: '{"dataframe_split": {"columns": [names], "data": [[values], ...]}}',
    recordsAt: ['dataframe_split', 'data'],
    schema: z.object({ dataframe_split: split, params }).meta({ title: 'MLflow dataframe_split' }),
  }),
  recordIds: shape({
    accepts: (d) => isObject(d) && isList(d.record_ids) && everyItem(d.record_ids, isId),
    format: 'record_ids',
    what: 'the "record_ids" body',
    expected: '{"record_ids": ["id", ...]}',
    recordsAt: ['record_ids'],
    schema: z
      .object({ record_ids: z.array(id, { error: must('a list of ids') }) })
      .meta({ title: 'Record ids', description: 'Score the features the online store holds for each id' }),
  }),
  dataframeRecords: shape({
    accepts: (d) => isObject(d) && isList(d.dataframe_records) && everyItem(d.dataframe_records, isObject) && acceptsParams(d.params),
    format: 'dataframe_records',
    what: 'the "dataframe_records" body',
    expected: '{"dataframe_records": [{"column": value, ...}, ...]}',
    recordsAt: ['dataframe_records'],
    schema: z.object({ dataframe_records: z.array(record, { error: must('a list of records') }), params }).meta({ title: 'MLflow dataframe_records' }),
  }),
};

/**
 * The shape a parsed JSON body is meant as, by its keys (in this order: MLflow 1.x
 * `format=pandas-split|pandas-records` or a bare list or `{"columns", "data"}`; `instances`,
 * `inputs`, `dataframe_split`, `record_ids`, `dataframe_records`), or undefined when it has none
 * of them. The body is then validated by that shape's schema.
 */
export function invocationJsonShape(doc: unknown, format: 'pandas-split' | 'pandas-records' | undefined): InvocationJsonShape | undefined {
  const s = INVOCATION_JSON_SHAPES;
  if (format === 'pandas-records' || Array.isArray(doc)) return s.pandasRecords;
  if (format === 'pandas-split') return s.pandasSplit;
  if (!isObject(doc)) return undefined;
  if (Array.isArray(doc.columns) && Array.isArray(doc.data) && !('dataframe_split' in doc)) return s.pandasSplit;
  for (const key of ['instances', 'inputs', 'dataframe_split', 'record_ids', 'dataframe_records'] as const) {
    if (key in doc)
      return s[
        (
          {
            instances: 'instances',
            inputs: 'inputs',
            dataframe_split: 'dataframeSplit',
            record_ids: 'recordIds',
            dataframe_records: 'dataframeRecords',
          } as const
        )[key]
      ];
  }
  return undefined;
}

export const invocationJsonBody = z.union([
  INVOCATION_JSON_SHAPES.dataframeSplit.schema,
  INVOCATION_JSON_SHAPES.dataframeRecords.schema,
  INVOCATION_JSON_SHAPES.instances.schema,
  INVOCATION_JSON_SHAPES.inputs.schema,
  INVOCATION_JSON_SHAPES.recordIds.schema,
  INVOCATION_JSON_SHAPES.pandasSplit.schema,
  INVOCATION_JSON_SHAPES.pandasRecords.schema,
]);

export const invocationBodies = {
  'application/json': invocationJsonBody,
  'text/csv': z.string().meta({
    description: 'One record per line; a header row is recognized (or say header=present|absent in the Content-Type)',
    examples: ['age,gender,num_medications\n[70-80),Female,18\n'],
  }),
  'application/jsonlines': z.string().meta({
    description:
      'One record per line: an object, an array in input order, or SageMaker\'s {"features": [...]} (also application/jsonl, application/x-jsonlines)',
  }),
};

export const recordErrorSchema = z.object({
  record: z.number().int().meta({ description: '0-based index of the record in the request' }),
  field: z.string().optional(),
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});

/** One scored record; the keys present are those chosen by SAGEMAKER_INFERENCE_OUTPUT or Accept's `output` parameter (all four by default in JSON). */
export const predictionSchema = z.looseObject({
  predicted_label: z.string().optional(),
  probability: z.number().optional().meta({ description: 'The probability of the predicted label' }),
  probabilities: z.array(z.number()).optional(),
  labels: z.array(z.string()).optional(),
  warnings: z.array(z.unknown()).optional().meta({ description: 'Values of this record read as missing' }),
});

export const invocationAnswer = z.object({
  predictions: z
    .array(z.union([predictionSchema, z.object({ error: recordErrorSchema })]))
    .meta({ description: 'One per record, in order; a record that cannot be scored has {"error"} in its place' }),
  model: z.string(),
  model_version: z.string(),
});

export const invocationAnswers = {
  'text/csv': z.string().meta({ description: 'One line per record, no header, as Autopilot writes it (predicted_label,probability by default)' }),
  'application/jsonlines': z.string().meta({ description: 'One JSON object per record' }),
};

export const pingAnswer = z.object({
  status: z.enum(['ok', 'fallback']).meta({ description: '"fallback" when the champion cannot be loaded and an earlier champion serves (docs/operations.md)' }),
  fallback: z.object({ champion_version: z.string(), reason: z.string() }).optional().meta({ description: 'The champion that failed to load, and why' }),
  model: z.string(),
  model_version: z.string(),
  labels: z.array(z.string()),
  inputs: z
    .array(z.object({ name: z.string(), type: z.string() }))
    .meta({ description: 'The input columns, in the order a headerless CSV row or an array instance gives them' }),
});
