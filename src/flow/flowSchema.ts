import { z } from 'zod';
import { STEPS } from './steps/index.js';

/** Settings for the insights report, as a Data Wrangler flow carries its analyses. */
export const reportSettingsSchema = z
  .object({
    problem_type: z.enum(['classification', 'regression']).optional(),
    bias: z
      .object({
        facet: z.string().describe('The sensitive column, e.g. gender.'),
        facet_value: z.string().describe('The facet value of the group studied, e.g. male.'),
        label_value: z.string().describe('The label value regarded as the positive outcome.'),
      })
      .strict()
      .optional(),
    correlation: z.enum(['linear', 'nonlinear', 'both']).optional(),
    quick_model: z.boolean().optional(),
  })
  .strict();

/** A step the SageMaker importer could not translate (custom Python); validate rejects it. */
export const placeholderSchema = z
  .object({
    kind: z.literal('todo_custom_code'),
    node: z.string().describe('The Data Wrangler node id.'),
    language: z.string(),
    code: z.string(),
    name: z.string().optional(),
    description: z.string().optional(),
  })
  .strict();

const stepSchemas = [...STEPS.map((s) => s.schema), placeholderSchema] as unknown as [z.ZodTypeAny, ...z.ZodTypeAny[]];

/**
 * A flow: a versioned recipe of typed transforms. The same object validates YAML/JSON files and
 * generates the published JSON Schema (docs/flow.schema.json).
 */
export const flowSchema = z
  .object({
    version: z.literal(1).describe('The flow format version.'),
    name: z.string().min(1).describe('A name for the recipe.'),
    description: z.string().optional(),
    target: z.string().min(1).optional().describe('The column models predict; records at prediction time do not have it.'),
    record_id: z.string().optional().describe('The record identifier column the flow produces (for the feature store).'),
    event_time: z.string().optional().describe('The event time column the flow produces (for the feature store).'),
    missing_tokens: z
      .array(z.string())
      .optional()
      .describe("Text values read as missing, replacing the project's list (sluice.yaml missingTokens) and pandas' default list (docs/data.md). The empty field is always missing."),
    steps: z.array(z.union(stepSchemas)).describe('The transforms, applied in order.'),
    report: reportSettingsSchema.optional().describe('Settings for the insights report.'),
  })
  .strict();

export type StepSpec = { kind: string; name?: string; description?: string } & Record<string, unknown>;
export type FlowSpec = Omit<z.infer<typeof flowSchema>, 'steps'> & { steps: StepSpec[] };
