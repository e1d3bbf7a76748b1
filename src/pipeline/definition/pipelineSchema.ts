/**
 * The pipeline spec's vocabulary, as zod schemas. The JSON Schema in docs/pipeline.schema.json is
 * generated from these (see {@link pipelineJsonSchema}); semantic checks that zod cannot express
 * (every `next` names a state, names are unique across branches) live in validatePipeline.ts.
 *
 * A pipeline is a state machine in the spirit of Amazon States Language, written for people:
 *
 * ```yaml
 * name: default
 * start: run_flow
 * states:
 *   run_flow: { type: task, activity: run_flow, retry: { count: 2, backoff: 5s }, timeout: 30m, next: report }
 *   approval: { type: approval, timeout: 7d, default: reject, remind: 1d, next: decide }
 *   decide:
 *     type: choice
 *     choices: [{ if: { path: $.results.approval.decision, equals: approved }, next: build }]
 *     default: rejected
 *   rejected: { type: succeed, outcome: rejected }
 * ```
 */
import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';

export const STATE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

const stateName = z.string().regex(STATE_NAME_PATTERN, 'a state name starts with a letter and has only letters, digits, _ and -');

/** A duration: seconds as a number, or a string such as `30s`, `10m`, `2h`, `7d`, `1h30m`. */
export const durationSchema = z
  .union([z.number().nonnegative(), z.string().regex(DURATION_PATTERN, 'write a duration such as 30s, 10m, 2h, 7d')])
  .meta({ description: 'Seconds as a number, or a string such as 500ms, 30s, 10m, 2h, 7d, 1h30m.' });

const transition = {
  next: stateName.optional().meta({ description: 'The state to go to when this one is done.' }),
  end: z.literal(true).optional().meta({ description: 'Ends the pipeline (or the parallel branch) after this state.' }),
  comment: z.string().optional(),
};

export const retrySchema = z
  .strictObject({
    count: z.number().int().min(0).max(100).default(0).meta({ description: 'Attempts after the first one.' }),
    backoff: durationSchema.default('1s').meta({ description: 'Delay before the first retry.' }),
    factor: z.number().min(1).max(10).default(2).meta({ description: 'Each further delay is the previous one times this.' }),
    maxBackoff: durationSchema.default('10m'),
  })
  .meta({ description: 'How a failed task is retried.' });

export const taskStateSchema = z
  .strictObject({
    type: z.literal('task'),
    activity: z.string().min(1).optional().meta({
      description: 'A built-in activity (run_flow, report, notify, ingest_features, train, register_model, deploy) or one registered by the project.',
    }),
    command: z
      .union([z.string().min(1), z.array(z.string()).min(1)])
      .optional()
      .meta({
        description:
          'A user command, run in the project folder. A list runs without a shell. It gets the input as JSON on stdin; a JSON object on the last line of stdout is the output.',
      }),
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'Parameters; a string value starting with `$.` is read from the execution (`$.input.file`, `$.results.<state>.<field>`).' }),
    retry: retrySchema.optional(),
    timeout: durationSchema.optional().meta({ description: 'An attempt running longer fails (and may be retried).' }),
    ...transition,
  })
  .meta({ description: 'Runs an activity or a command.' });

export const conditionSchema = z
  .strictObject({
    path: z.string().regex(/^\$(\.[A-Za-z0-9_-]+)*$/, 'a path looks like $.results.approval.decision'),
    equals: z.unknown().optional(),
    notEquals: z.unknown().optional(),
    in: z.array(z.unknown()).optional(),
    greaterThan: z.number().optional(),
    lessThan: z.number().optional(),
    exists: z.boolean().optional(),
  })
  .meta({ description: 'A test on a value of the execution; give exactly one operator.' });

export const choiceStateSchema = z
  .strictObject({
    type: z.literal('choice'),
    choices: z
      .array(
        z.strictObject({
          if: z.union([conditionSchema, z.array(conditionSchema).min(1)]).meta({ description: 'A condition, or a list of conditions that must all hold.' }),
          next: stateName,
        }),
      )
      .min(1),
    default: stateName.optional().meta({ description: 'The state to go to when no choice matches; without it the execution fails.' }),
    comment: z.string().optional(),
  })
  .meta({ description: 'Branches on an earlier result, e.g. the approval decision or a gate verdict.' });

export const approvalStateSchema = z
  .strictObject({
    type: z.literal('approval'),
    approvers: z.array(z.string()).optional().meta({ description: 'Names or roles of the approvers who may decide; all configured approvers when absent.' }),
    timeout: durationSchema.default('7d').meta({ description: 'How long to wait for a decision.' }),
    default: z.enum(['reject', 'approve']).default('reject').meta({ description: 'The decision taken when the timeout passes.' }),
    remind: durationSchema.optional().meta({ description: 'Interval between reminders while no decision is taken.' }),
    maxReminders: z.number().int().min(0).default(3),
    notify: z
      .array(z.enum(['email', 'webhook']))
      .default(['email', 'webhook'])
      .meta({ description: 'Channels the approvers are told on.' }),
    subject: z.string().optional(),
    input: z
      .strictObject({
        findings: z.unknown().optional().meta({
          description:
            'What the approvers are shown (verdict, gates, high warnings, figures): `$.results.<report state>`; the nearest preceding report when left out.',
        }),
      })
      .optional()
      .meta({ description: 'What the approval shows its approvers, wired like a task input.' }),
    ...transition,
  })
  .meta({ description: 'Waits for a human decision. Its result is { decision: approved | rejected, by, at, comment, reason, timedOut }.' });

export const waitStateSchema = z
  .strictObject({
    type: z.literal('wait'),
    duration: durationSchema.optional(),
    until: z.string().optional().meta({ description: 'An ISO 8601 time, or a `$.` path to one.' }),
    ...transition,
  })
  .meta({ description: 'Waits for a duration or until a time.' });

export const succeedStateSchema = z
  .strictObject({
    type: z.literal('succeed'),
    outcome: z.string().optional().meta({ description: 'A label for how the execution ended, e.g. deployed, rejected.' }),
    comment: z.string().optional(),
  })
  .meta({ description: 'Ends the execution (or branch) successfully.' });

export const failStateSchema = z
  .strictObject({
    type: z.literal('fail'),
    error: z.string().default('PIPELINE_FAILED'),
    cause: z.string().optional(),
    comment: z.string().optional(),
  })
  .meta({ description: 'Ends the execution as failed.' });

export type TaskState = z.output<typeof taskStateSchema>;
export type ChoiceState = z.output<typeof choiceStateSchema>;
export type ApprovalState = z.output<typeof approvalStateSchema>;
export type WaitState = z.output<typeof waitStateSchema>;
export type SucceedState = z.output<typeof succeedStateSchema>;
export type FailState = z.output<typeof failStateSchema>;
export type Condition = z.output<typeof conditionSchema>;

export interface Branch {
  name: string;
  start: string;
  states: Record<string, State>;
}
export interface ParallelState {
  type: 'parallel';
  branches: Branch[];
  next?: string | undefined;
  end?: true | undefined;
  comment?: string | undefined;
}
export type State = TaskState | ChoiceState | ApprovalState | WaitState | ParallelState | SucceedState | FailState;

export const branchSchema: z.ZodType<Branch> = z.lazy(() =>
  z
    .strictObject({
      name: stateName,
      start: stateName,
      states: z.record(stateName, stateSchema),
    })
    .meta({ id: 'Branch' }),
);

export const parallelStateSchema = z
  .strictObject({
    type: z.literal('parallel'),
    branches: z.array(branchSchema).min(1),
    ...transition,
  })
  .meta({ description: 'Runs branches at once; done when all are. Its result maps branch name to the last result of the branch.' });

export const stateSchema: z.ZodType<State> = z.lazy(() =>
  z
    .discriminatedUnion('type', [
      taskStateSchema,
      choiceStateSchema,
      approvalStateSchema,
      waitStateSchema,
      parallelStateSchema,
      succeedStateSchema,
      failStateSchema,
    ])
    .meta({ id: 'State' }),
) as z.ZodType<State>;

export const pipelineSchema = z
  .strictObject({
    name: z.string().min(1).default('default'),
    description: z.string().optional(),
    start: stateName.meta({ description: 'The first state.' }),
    states: z.record(stateName, stateSchema),
  })
  .meta({ id: 'SluicePipeline', title: 'Sluice pipeline', description: 'A durable pipeline: states from the arrival of a file to deployment.' });

export type Pipeline = z.output<typeof pipelineSchema>;
export type PipelineInput = z.input<typeof pipelineSchema>;
