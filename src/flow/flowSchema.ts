import { z } from 'zod';
import { STEPS, stepDef } from './steps/index.js';

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
    as: z.string().optional(),
  })
  .strict();

/**
 * A step of the published schema: one of every kind's schema (or a placeholder). Built when first
 * used (the JSON Schema, the docs), since building every kind's schema is most of a flow's load.
 */
const anyStep = z.lazy(() => z.union([...STEPS.map((s) => s.schema), placeholderSchema] as unknown as [z.ZodTypeAny, ...z.ZodTypeAny[]]));

/** The name of the flow's own data (the file that arrived): not a name for another input. */
export const MAIN_INPUT = 'main';

/**
 * Another input of the flow: a file, a feature group of the project's feature store, or a branch
 * of the flow's own data (the table after the step named `as: NAME`, or `main` as it arrived).
 */
const inputSourceWith = <T extends z.ZodTypeAny>(step: T) =>
  z
    .object({
      file: z
        .string()
        .min(1)
        .optional()
        .describe("A data file (.csv, .parquet, .jsonl), relative to the flow file's folder; `sluice flow run --with NAME=FILE` gives another."),
      feature_group: z
        .string()
        .min(1)
        .optional()
        .describe('A feature group of the project: its latest record per id, or with history: true its offline-store table (every version).'),
      branch: z
        .string()
        .min(1)
        .optional()
        .describe(
          "A branch of the flow's own data: the table after the step that has `as: NAME` (or `main`: the data as it arrived), through this input's own steps. Batches recompute it from the batch itself.",
        ),
      history: z.boolean().default(false).describe('With feature_group: read the whole offline-store table instead of the latest record per id.'),
      steps: z.array(step).default([]).describe('Steps applied to this input before it is used (no joins inside).'),
      description: z.string().optional(),
    })
    .strict()
    .refine((s) => [s.file, s.feature_group, s.branch].filter((x) => x !== undefined).length === 1, {
      message: 'give one of file, feature_group or branch',
      path: ['file'],
    });

export const inputSourceSchema = inputSourceWith(anyStep);

export type InputSource = z.infer<typeof inputSourceSchema>;

/**
 * A flow: a versioned recipe of typed transforms. The same object validates YAML/JSON files and
 * generates the published JSON Schema (docs/flow.schema.json).
 */
const flowSchemaWith = <T extends z.ZodTypeAny>(step: T) =>
  z
    .object({
      version: z.literal(1).describe('The flow format version.'),
      name: z.string().min(1).describe('A name for the recipe.'),
      description: z.string().optional(),
      target: z.string().min(1).optional().describe('The column models predict; records at prediction time do not have it.'),
      record_id: z.string().optional().describe('The record identifier column the flow produces (for the feature store).'),
      event_time: z.string().optional().describe('The event time column the flow produces (for the feature store).'),
      inputs: z
        .record(
          z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an input name is a letter or _ followed by letters, digits or _')
            .refine((n) => n !== MAIN_INPUT, `"${MAIN_INPUT}" is the flow's own data; choose another name`),
          inputSourceWith(step),
        )
        .optional()
        .describe(
          "Other inputs that join and concatenate steps read, by name: files, feature groups, or branches of the flow's own data. The flow's own data (the file that arrived) is `main`.",
        ),
      passthrough: z
        .boolean()
        .optional()
        .describe(
          'Keep columns the flow does not know (not in the data the serving champion was trained on, nor named by a step) when the pipeline trains; by default they are dropped before training and listed, so a new column never becomes a required input silently.',
        ),
      missing_tokens: z
        .array(z.string())
        .optional()
        .describe(
          "Text values read as missing, replacing the project's list (sluice.yaml missingTokens) and pandas' default list (docs/data.md). The empty field is always missing.",
        ),
      steps: z.array(step).describe('The transforms, applied in order.'),
      report: reportSettingsSchema.optional().describe('Settings for the insights report.'),
    })
    .strict();

export const flowSchema = flowSchemaWith(anyStep);

/**
 * A step as loadFlow checks it inside the whole flow: valid when its own kind's schema takes it
 * (only the kinds a flow uses are built), else one issue that stops the parent's refinements as
 * the union's did. loadFlow reports each step's problems itself, step by step, and parses each
 * step again with its kind's schema for the defaults.
 */
const stepOfItsKind = z.custom<Record<string, unknown>>(
  (v) => {
    const kind = typeof v === 'object' && v !== null ? (v as { kind?: unknown }).kind : undefined;
    const schema = kind === placeholderSchema.shape.kind.value ? placeholderSchema : typeof kind === 'string' ? stepDef(kind)?.schema : undefined;
    return schema?.safeParse(v, { jitless: true }).success === true;
  },
  { abort: true, message: 'not a valid step' },
);

/** The flow schema loadFlow parses with: {@link flowSchema}'s fields and rules, each step checked by its own kind. */
export const flowCheckSchema = flowSchemaWith(stepOfItsKind);

export type StepSpec = { kind: string; name?: string; description?: string } & Record<string, unknown>;
export type FlowSpec = Omit<z.infer<typeof flowSchema>, 'steps' | 'inputs'> & {
  steps: StepSpec[];
  inputs?: Record<string, Omit<InputSource, 'steps'> & { steps: StepSpec[] }>;
};
