import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { LOGICAL_TYPES, type ColumnSchema } from '../../core/types.js';
import { runPython, type PythonJob } from '../python/runPython.js';
import { defineStep, type StepContext } from '../step.js';
import { common, plain } from './common.js';

const schema = () =>
  z
    .object({
      kind: z.literal('python'),
      code: z
        .string()
        .min(1)
        .describe(
          'Python code run with pandas. Mode dataframe: the batch is the DataFrame `df` (and `pd`, `np` are imported), and the code leaves the result in `df`, as Data Wrangler\'s "Python (Pandas)". Modes series and value: the code defines `custom_func`, as Data Wrangler\'s "Python (User-Defined Function)".',
        ),
      mode: z
        .enum(['dataframe', 'series', 'value'])
        .default('dataframe')
        .describe(
          'dataframe: the code transforms `df`; series: `custom_func(series)` gets `column` as a pandas Series and returns a Series as long (Data Wrangler UDF, Pandas mode); value: `custom_func(value)` is called on each value of `column`, None when missing (Data Wrangler UDF, Python mode).',
        ),
      column: z.string().min(1).optional().describe('Modes series and value: the column the function reads.'),
      output: z
        .string()
        .min(1)
        .optional()
        .describe('Modes series and value: the column the result goes to (replaced when it exists); default: `column` itself.'),
      type: z
        .enum(LOGICAL_TYPES)
        .optional()
        .describe("Modes series and value: the result's type (Data Wrangler's return type); found from the values when absent."),
      serve: z
        .enum(['refuse', 'skip'])
        .default('refuse')
        .describe(
          'refuse: a model whose flow has this step cannot serve single records (said when it is trained); skip: the step is not needed at prediction time (it adds ids or timestamps, or removes rows) and the serving flow leaves it out. Training refuses skip when the model, or a later step, reads a column the step adds.',
        ),
      timeout: z.number().positive().default(600).describe('Seconds the code may run on a batch before it is stopped.'),
      ...common,
    })
    .strict()
    .refine((s) => s.mode === 'dataframe' || s.column !== undefined, { message: 'modes series and value need column', path: ['column'] })
    .refine((s) => s.mode !== 'dataframe' || (s.column === undefined && s.output === undefined && s.type === undefined), {
      message: 'column, output and type go with modes series and value',
      path: ['mode'],
    });

type PythonSpec = z.infer<ReturnType<typeof schema>>;

/** What a python step learned when fitted: the columns its code gave (later batches must give the same). */
interface PythonFitted {
  columns: ColumnSchema[];
}

/** How messages name the step, and the file name of its code in Python tracebacks. */
function label(s: PythonSpec, ctx: StepContext): string {
  return `step ${ctx.index + 1} (python${s.name ? ` "${s.name}"` : ''})`;
}

function job(s: PythonSpec): PythonJob {
  if (s.mode === 'dataframe') return { mode: 'dataframe', code: s.code };
  return { mode: s.mode, code: s.code, column: s.column!, output: s.output ?? s.column!, type: s.type };
}

/** Why a python step cannot run on one record: the words of the refusal and of the training finding. */
function servingProblem(s: PythonSpec): string | undefined {
  if (s.serve === 'skip') return undefined;
  return 'python code runs on batches (pandas in a subprocess), not on single records at prediction time; declare `serve: skip` if the model does not need the step then (it adds ids or timestamps, or removes rows), or replace it with built-in steps';
}

/**
 * Runs pandas code on the batch in a python3 subprocess (src/flow/python/runPython.ts): Data
 * Wrangler's custom pandas transform and its Python user-defined functions, run as they are.
 */
export const python = defineStep<PythonSpec, PythonFitted>({
  kind: 'python',
  schema,
  doc: {
    title: 'Python (pandas) code',
    family: 'code',
    description:
      "Runs Python code with pandas on the whole batch, in a `python3` subprocess, as Data Wrangler runs its custom pandas transforms: mode `dataframe` gives the batch as `df` and takes `df` back; modes `series` and `value` call the code's `custom_func` on one column (Data Wrangler's Python user-defined function, Pandas and Python modes). Columns reach pandas typed: integers as nullable `Int64`, floats as `float64` (missing: NaN), text as `object` (missing: None), booleans as nullable `boolean`, dates and timestamps as `datetime64[ns]`; the result's dtypes become the output types (a `datetime64` column that was a date and holds only midnights is a date again). What cannot round-trip: NaN and missing are one value in pandas (both come back missing); timestamps outside 1677-2262 (pandas' range) are refused; nanoseconds are cut to microseconds; time zones are converted to UTC and dropped; durations, lists and mixed-type columns are refused; the index is not kept. The step may add, remove, rename and retype columns and remove rows (reported like a row step). When the flow is fitted the step learns the columns the code gives: a later batch must give the same ones. The interpreter is `SLUICE_PYTHON`, else sluice.yaml `python:`, else the first of /usr/bin/python3 and python3 that can import pandas. Python steps run on batches only: a model whose flow has one cannot serve single records (said when it is trained, and it is not deployed as champion) unless the step is declared `serve: skip`. See \"Python steps\" below.",
    example: "kind: python\nname: length of stay in weeks\ncode: |\n  df['weeks_in_hospital'] = df['time_in_hospital'] / 7",
    learns: 'the columns (and types) the code gives',
  },
  servingProblem: (s) => servingProblem(s),
  skipAtServing: (s) => s.serve === 'skip',
  // The code may read any column: all of them are needed.
  inputs: (s, ctx) => (s.mode === 'dataframe' ? ctx.columns.map((c) => c.name) : [s.column!]),
  outputs: (_s, f) => plain(f.columns),
  sql: (s, _f, ctx) => {
    throw new SluiceError(ctx.mode === 'serve' ? 'FLOW_SERVE_REFUSED' : 'FLOW_NOT_SQL', `${label(s, ctx)}: ${servingProblem(s) ?? 'python code is not SQL'}`, {
      location: { step: ctx.index },
      hint: 'python steps run in a subprocess when the flow runs on a batch (sluice flow run); `sluice flow sql` cannot show them',
    });
  },
  batch: async (s, fitted, ctx) => {
    const r = await runPython(ctx.engine, ctx.relation, ctx.columns, job(s), {
      label: label(s, ctx),
      timeoutSeconds: s.timeout,
      python: ctx.python,
      expected: fitted?.columns,
    });
    return { relation: r.relation, fitted: fitted ?? { columns: r.columns }, notes: r.notes };
  },
  record: (s, _f, ctx) => {
    return () => {
      throw new SluiceError('FLOW_SERVE_REFUSED', `${label(s, ctx)}: ${servingProblem(s) ?? 'the step is skipped at prediction time'}`, {
        location: { step: ctx.index },
      });
    };
  },
});
