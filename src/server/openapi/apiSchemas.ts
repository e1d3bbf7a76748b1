import { z } from 'zod';
import { EVENT_TYPES } from '../../pipeline/events.js';

/**
 * Response bodies shared by several routes, in zod (see routeContract.ts): the OpenAPI document
 * shows them and the tests check every answer against them.
 */

/** Path parameter `:id` of an execution. */
export const executionIdParams = z.object({ id: z.string().min(1).max(200).meta({ description: 'Execution id' }) });

export const recordedErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  retryable: z.boolean().optional(),
});

/** An execution as the API shows it (without its pipeline definition). */
export const executionSchema = z.object({
  id: z.string(),
  pipeline: z.string().meta({ description: "The pipeline's name" }),
  input: z.record(z.string(), z.unknown()).meta({ description: 'What started it: file, sha256, and the fields of the trigger' }),
  file: z.string().nullable(),
  sha256: z.string().nullable(),
  duplicateOf: z.string().nullable().meta({ description: 'The earlier execution of the same content, for a skipped duplicate' }),
  status: z.enum(['running', 'waiting', 'succeeded', 'failed', 'skipped']),
  outcome: z.string().nullable(),
  error: recordedErrorSchema.nullable(),
  current: z.array(z.string()).meta({ description: 'The states it is in now' }),
  createdAt: z.string(),
  updatedAt: z.string(),
  wakeAt: z.number().nullable().meta({ description: 'When a timer wakes it (epoch ms)' }),
  lastSeq: z.number().int(),
});

export const executionEventSchema = z.object({
  executionId: z.string(),
  seq: z.number().int().min(1),
  at: z.string(),
  type: z.enum(EVENT_TYPES),
  step: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});

/** A decision as recorded (POST approve/reject/decide). */
export const approvalOutcomeSchema = z.object({
  executionId: z.string(),
  step: z.string(),
  decision: z.enum(['approved', 'rejected']),
  by: z.string(),
  at: z.string(),
  via: z.enum(['token', 'approver', 'timeout']),
  comment: z.string().optional(),
  reason: z.string().optional(),
  ip: z.string().optional(),
  timedOut: z.boolean(),
});

/** A page for people. */
export const htmlPage = z.string().meta({ description: 'An HTML page (no script, nothing external)' });
export const HTML = { 'text/html': htmlPage };

/** A JSON object whose fields depend on the data (records, configurations). */
export const jsonObject = z.record(z.string(), z.unknown());
