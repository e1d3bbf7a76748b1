import { z } from 'zod';

/**
 * What `POST /invocations` reads and answers, as zod schemas for the OpenAPI document. The body
 * is read by {@link parseInvocation} (CSV, JSON Lines and the JSON shapes below, each value
 * typed by the model's inputs, every bad record listed in one 400); the JSON answer is checked
 * against {@link invocationAnswer} while the tests run.
 */

const value = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const record = z.record(z.string(), value).meta({ description: 'Input column -> value; extra columns are ignored' });
const row = z.array(value).meta({ description: 'Values in the order of the model\'s inputs (GET /ping lists them)' });
const columns = z.record(z.string(), z.array(value)).meta({ description: 'Input column -> its values, one per record' });
const params = z.record(z.string(), z.unknown()).optional().meta({ description: 'MLflow inference parameters (Sluice models take none; accepted and ignored)' });

export const invocationJsonBody = z.union([
  z.object({ dataframe_split: z.object({ columns: z.array(z.string()), data: z.array(row), index: z.array(z.unknown()).optional() }), params }).meta({ title: 'MLflow dataframe_split' }),
  z.object({ dataframe_records: z.array(record), params }).meta({ title: 'MLflow dataframe_records' }),
  z.object({ instances: z.union([z.array(z.union([record, row])), columns]), params }).meta({ title: 'MLflow / TF Serving instances' }),
  z.object({ inputs: z.union([z.array(z.union([record, row])), columns]), params }).meta({ title: 'MLflow / TF Serving inputs' }),
  z.object({ record_ids: z.array(z.union([z.string(), z.number()])) }).meta({ title: 'Record ids', description: 'Score the features the online store holds for each id' }),
  z.object({ columns: z.array(z.string()), data: z.array(row) }).meta({ title: 'MLflow 1.x pandas-split', description: 'With Content-Type: application/json; format=pandas-split' }),
  z.array(record).meta({ title: 'MLflow 1.x pandas-records', description: 'With Content-Type: application/json; format=pandas-records' }),
]);

export const invocationBodies = {
  'application/json': invocationJsonBody,
  'text/csv': z.string().meta({ description: 'One record per line; a header row is recognized (or say header=present|absent in the Content-Type)', examples: ['age,gender,num_medications\n[70-80),Female,18\n'] }),
  'application/jsonlines': z.string().meta({ description: 'One record per line: an object, an array in input order, or SageMaker\'s {"features": [...]} (also application/jsonl, application/x-jsonlines)' }),
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
  predictions: z.array(z.union([predictionSchema, z.object({ error: recordErrorSchema })])).meta({ description: 'One per record, in order; a record that cannot be scored has {"error"} in its place' }),
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
  inputs: z.array(z.object({ name: z.string(), type: z.string() })).meta({ description: 'The input columns, in the order a headerless CSV row or an array instance gives them' }),
});
