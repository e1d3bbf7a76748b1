import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SluiceError } from '../core/errors.js';
import { missingPolicy, type MissingPolicy } from '../core/missing.js';
import { LOGICAL_TYPES, type ColumnSchema } from '../core/types.js';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';
import type { FlowSpec, StepSpec } from './flowSchema.js';

const columnSchema = z.object({ name: z.string(), type: z.enum(LOGICAL_TYPES), format: z.string().optional() });

const fittedFlowSchema = z.object({
  format: z.literal('sluice.fitted-flow'),
  formatVersion: z.literal(1),
  name: z.string(),
  target: z.string().optional(),
  flowHash: z.string(),
  fittedAt: z.string(),
  rows: z.object({ in: z.number(), out: z.number() }),
  missingTokens: z.array(z.string()).optional(),
  dropped: z.array(z.object({ step: z.number(), kind: z.string(), name: z.string().optional(), rows: z.number(), reason: z.string() })).optional(),
  notes: z.array(z.object({ step: z.number(), kind: z.string(), name: z.string().optional(), message: z.string() })).optional(),
  input: z.array(columnSchema),
  output: z.array(columnSchema),
  steps: z.array(
    z.object({
      kind: z.string(),
      spec: z.record(z.string(), z.unknown()),
      fitted: z.unknown().optional(),
      input: z.array(columnSchema),
      output: z.array(columnSchema),
    }),
  ),
  flow: z.record(z.string(), z.unknown()),
  inputs: z.record(z.string(), z.unknown()).optional(),
});

/** Rows a step removed from a batch, and why, for `flow run`, the pipeline and the console. */
export interface RowsDropped {
  /** 0-based index of the step. */
  step: number;
  kind: string;
  name?: string;
  rows: number;
  reason: string;
}

/** Something a step said while the flow was fitted (a python step's index not kept, a time zone dropped). */
export interface FlowNote {
  /** 0-based index of the step. */
  step: number;
  kind: string;
  name?: string;
  message: string;
}

/** The missing-value rules a fitted flow was fitted with. */
export function fittedMissing(fitted: Pick<FittedFlow, 'missingTokens'>): MissingPolicy {
  return missingPolicy(fitted.missingTokens);
}

/** One step as fitted: its spec, what it learned, and its columns in and out. */
export interface FittedStep {
  kind: string;
  spec: StepSpec;
  fitted: unknown;
  input: ColumnSchema[];
  output: ColumnSchema[];
}

/**
 * A flow after fitting: the recipe plus everything its steps learned from the batch it was
 * fitted on (medians, categories, scaler parameters, clip bounds). Applying it to later batches
 * or single records reproduces exactly the fit-time transform. Stored as JSON next to models.
 */
export interface FittedFlow {
  format: 'sluice.fitted-flow';
  formatVersion: 1;
  name: string;
  target?: string;
  /** sha256 of the flow spec, so a model can say which recipe produced its features. */
  flowHash: string;
  fittedAt: string;
  rows: { in: number; out: number };
  /**
   * The text values read as missing when the flow was fitted (src/core/missing.ts); batches and
   * records at prediction time are read with the same list. Absent: pandas' default list.
   */
  missingTokens?: string[];
  /** Each step that removed rows at fit time: how many and why (empty when none did). */
  dropped?: RowsDropped[];
  /** What steps said while the flow was fitted. */
  notes?: FlowNote[];
  /** The raw columns the flow was fitted on; a date written as text carries its `format` (src/core/dateFormats.ts). */
  input: ColumnSchema[];
  output: ColumnSchema[];
  steps: FittedStep[];
  flow: FlowSpec;
  /** The flow's other inputs as fitted with their own steps, by name. */
  inputs?: Record<string, FittedFlow>;
}

export function hashFlow(spec: FlowSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

export async function saveFittedFlow(path: string, fitted: FittedFlow): Promise<void> {
  await atomicWriteFile(path, JSON.stringify(fitted, null, 2) + '\n');
}

/** Reads a fitted flow, checking its format. */
export async function loadFittedFlow(path: string): Promise<FittedFlow> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new SluiceError('FILE_NOT_FOUND', `cannot read fitted flow ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, {
      location: { file: path },
      hint: 'create one with `sluice flow run FLOW --input DATA --output OUT --save-fitted FITTED.json`',
    });
  });
  return parseFittedFlow(text, path);
}

export function parseFittedFlow(text: string, file = '<fitted flow>'): FittedFlow {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SluiceError('FITTED_FLOW_INVALID', `${file} is not JSON: ${(e as Error).message}`, {
      location: { file },
      hint: 'the file may be truncated; fit the flow again',
    });
  }
  const r = fittedFlowSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SluiceError('FITTED_FLOW_INVALID', `${file} is not a fitted flow: ${issue.path.join('.')}: ${issue.message}`, {
      location: { file, field: issue.path.join('.') },
      hint: 'pass the file written by --save-fitted, not the flow itself',
    });
  }
  return r.data as unknown as FittedFlow;
}
