import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError, isSluiceError } from '../../core/errors.js';
import { logicalToDuckType, type ColumnSchema, type LogicalType } from '../../core/types.js';
import type { Engine } from '../../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { plain } from '../steps/common.js';
import { findPython, INSTALL_HINT } from './findPython.js';
import { RUNNER_SCRIPT } from './runnerScript.js';

/** What the python code is: a DataFrame program, or a function of one column (Data Wrangler's UDF). */
export type PythonJob =
  | { mode: 'dataframe'; code: string }
  | { mode: 'series' | 'value'; code: string; column: string; output: string; type?: LogicalType | undefined };

export interface RunPythonOptions {
  /** How messages name the step, e.g. `step 5 (python "EventTime")`; also the file name in tracebacks. */
  label: string;
  /** Seconds before the process is killed. */
  timeoutSeconds: number;
  /** The interpreter sluice.yaml names (SLUICE_PYTHON wins). */
  python?: string | undefined;
  /** The columns the code gave when the flow was fitted: a later batch must give the same, cast to these types. */
  expected?: ColumnSchema[] | undefined;
}

export interface PythonResult {
  /** A temporary table of the engine holding the result. */
  relation: string;
  columns: ColumnSchema[];
  rows: number;
  /** What the user should know (an index not kept, a time zone dropped). */
  notes: string[];
}

/** Output kept of the process's own stdout/stderr (the user's prints), for error messages. */
const OUTPUT_TAIL = 4000;

/**
 * Runs pandas code on a relation in a `python3` subprocess and loads the result as a new table.
 *
 * The exchange is JSON with an explicit schema, because Debian's pandas has no pyarrow (so no
 * Parquet or Arrow) and CSV loses types and nulls: DuckDB writes the rows (integers exactly,
 * doubles in their shortest exact form, dates as days and timestamps as microseconds since
 * 1970-01-01), the runner builds each column with the dtype of its Sluice type (nullable `Int64`
 * and `boolean`, `float64`, `object` text, `datetime64[ns]`), runs the code, reads the result's
 * dtypes back into Sluice types, and writes JSON lines that DuckDB reads with those types.
 */
export async function runPython(engine: Engine, relation: string, columns: ColumnSchema[], job: PythonJob, options: RunPythonOptions): Promise<PythonResult> {
  const python = await findPython(options.python);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-python-'));
  try {
    const select = columns.map((c) => `${toExchange(quoteIdent(c.name), c.type)} AS ${quoteIdent(c.name)}`).join(', ') || '1 AS __none';
    await engine.exec(`COPY (SELECT ${select} FROM ${quoteIdent(relation)}) TO ${quoteLiteral(join(dir, 'in.json'))} (FORMAT json, ARRAY true)`);
    await writeFile(join(dir, 'job.json'), JSON.stringify({ ...job, label: options.label, columns: plain(columns) }));
    const run = await spawnRunner(python, dir, options);
    if (run.timedOut) {
      throw new SluiceError('FLOW_PYTHON_TIMEOUT', `${options.label}: the code did not finish within ${options.timeoutSeconds} s and was stopped`, {
        hint: "raise the step's `timeout:` (seconds), or make the code faster (vectorised pandas instead of loops over rows)",
      });
    }
    if (run.code !== 0) throw await failure(dir, run, python, options);
    const out = JSON.parse(await readFile(join(dir, 'out.json'), 'utf8')) as { columns: ColumnSchema[]; rows: number; notes: string[] };
    const table = engine.tempName('python');
    const types = `{${out.columns.map((c) => `${quoteLiteral(c.name)}: '${c.type === 'date' || c.type === 'timestamp' ? 'BIGINT' : logicalToDuckType(c.type)}'`).join(', ')}}`;
    const cols = out.columns.map((c) => `${fromExchange(quoteIdent(c.name), c.type)} AS ${quoteIdent(c.name)}`);
    const read = out.columns.length
      ? `read_json(${quoteLiteral(join(dir, 'out.jsonl'))}, format = 'newline_delimited', columns = ${types})`
      : `range(${out.rows})`;
    const conformed = conform(out.columns, job, options);
    await engine
      .exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} AS SELECT ${conformed} FROM (SELECT ${cols.join(', ') || '1 AS __none'} FROM ${read})`)
      .catch((e) => {
        throw isSluiceError(e) && options.expected
          ? new SluiceError('FLOW_PYTHON_TYPES', `${options.label}: the code's result does not have the types it had when the flow was fitted: ${e.message}`, {
              hint: `when fitted it gave ${options.expected.map((c) => `${c.name} (${c.type})`).join(', ')}; make the code give the same types on every batch`,
            })
          : e;
      });
    return { relation: table, columns: plain(await engine.describe(table)), rows: out.rows, notes: out.notes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A column as the exchange holds it: dates as days and timestamps as microseconds since 1970-01-01. */
function toExchange(col: string, type: LogicalType): string {
  if (type === 'date') return `date_diff('day', DATE '1970-01-01', CAST(${col} AS DATE))`;
  if (type === 'timestamp') return `epoch_us(CAST(${col} AS TIMESTAMP))`;
  return `CAST(${col} AS ${logicalToDuckType(type)})`;
}

function fromExchange(col: string, type: LogicalType): string {
  if (type === 'date') return `CAST(DATE '1970-01-01' + CAST(${col} AS INTEGER) AS DATE)`;
  if (type === 'timestamp') return `make_timestamp(${col})`;
  return col;
}

/**
 * The SELECT list that gives the result the fitted columns (the same names in the same order,
 * cast to the fitted types: a column of missing values comes back as text), or all columns
 * when fitting.
 */
function conform(got: ColumnSchema[], job: PythonJob, options: RunPythonOptions): string {
  if (!options.expected) {
    // A user-defined function's declared return type (Data Wrangler's return_type) is its output's type.
    const declared = job.mode !== 'dataframe' && job.type ? { name: job.output, type: job.type } : undefined;
    const list = got.map((c) => (declared && c.name === declared.name && c.type !== declared.type ? castTo(c.name, declared.type) : quoteIdent(c.name)));
    return list.join(', ') || '* EXCLUDE (__none)';
  }
  const names = got.map((c) => c.name).join(', ');
  const want = options.expected.map((c) => c.name).join(', ');
  if (names !== want) {
    throw new SluiceError(
      'FLOW_PYTHON_COLUMNS',
      `${options.label}: the code gave the columns [${names}] on this batch, but [${want}] when the flow was fitted`,
      {
        hint: 'the models after this step read the fitted columns; make the code give the same columns on every batch, or fit the flow again',
      },
    );
  }
  return options.expected.map((c, i) => (got[i]!.type === c.type ? quoteIdent(c.name) : castTo(c.name, c.type))).join(', ') || '* EXCLUDE (__none)';
}

function castTo(name: string, type: LogicalType): string {
  return `CAST(${quoteIdent(name)} AS ${logicalToDuckType(type)}) AS ${quoteIdent(name)}`;
}

interface RunOutcome {
  code: number | null;
  timedOut: boolean;
  output: string;
}

async function spawnRunner(python: string, dir: string, options: RunPythonOptions): Promise<RunOutcome> {
  // Loaded when a python step runs: every flow command loads this module with the step kinds.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', RUNNER_SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let output = '';
    const keep = (b: Buffer): void => {
      output = (output + b.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutSeconds * 1000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new SluiceError('FLOW_PYTHON_MISSING', `${options.label}: cannot start ${python}: ${e.code === 'ENOENT' ? 'not found' : e.message}`, {
          hint: INSTALL_HINT,
        }),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, output });
    });
  });
}

interface RunnerError {
  kind: 'no-pandas' | 'syntax' | 'exception' | 'result' | 'input';
  message: string;
  line: number | null;
  traceback: string[];
}

/** The SluiceError for a failed run: the step, the Python error, the line of the user's code, the traceback's last lines. */
async function failure(dir: string, run: RunOutcome, python: string, options: RunPythonOptions): Promise<SluiceError> {
  const text = await readFile(join(dir, 'error.json'), 'utf8').catch(() => undefined);
  if (!text) {
    return new SluiceError(
      'FLOW_PYTHON_ERROR',
      `${options.label}: ${python} ended with exit code ${run.code}${run.output.trim() ? `: ${run.output.trim().split('\n').slice(-5).join('\n')}` : ''}`,
      {
        hint: 'the process stopped before it could report an error (out of memory, or the code called sys.exit / os._exit)',
      },
    );
  }
  const e = JSON.parse(text) as RunnerError;
  if (e.kind === 'no-pandas') {
    return new SluiceError('FLOW_PYTHON_MISSING', `${options.label}: ${python} cannot import pandas (${e.message})`, { hint: INSTALL_HINT });
  }
  const where = e.line ? ` (line ${e.line} of the step's code)` : '';
  const code =
    e.kind === 'syntax' ? 'FLOW_PYTHON_SYNTAX' : e.kind === 'exception' ? 'FLOW_PYTHON_ERROR' : e.kind === 'input' ? 'FLOW_PYTHON_INPUT' : 'FLOW_PYTHON_RESULT';
  const tb = e.traceback.length ? `\n${e.traceback.join('\n')}` : '';
  const hint =
    e.kind === 'syntax'
      ? 'fix the syntax of the code (it runs with the python3 of this machine)'
      : e.kind === 'exception'
        ? `the code raised this on the batch; the DataFrame df has the columns the step receives (\`sluice flow preview\` shows them)`
        : e.kind === 'input'
          ? 'convert the column before this step (pandas holds timestamps from 1677 to 2262 only)'
          : 'a pandas-mode step must leave a DataFrame in df; a user-defined function must return a Series as long as its input (series) or one value (value)';
  // The line is the step code's, not the data file's: kept in the message and details, not the location.
  return new SluiceError(code, `${options.label}: ${e.message}${where}${tb}`, { hint, details: { line: e.line, traceback: e.traceback } });
}
