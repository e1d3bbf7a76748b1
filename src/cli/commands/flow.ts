import type { Command } from 'commander';
import { dirname } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import { droppedLines, noteLines } from '../../flow/dropReason.js';
import type { EarlyBatch } from '../../flow/readBatch.js';
import { projectReading, readingNote, type ProjectReading } from '../projectReading.js';
import { registerFlowImport } from './flowImport.js';

// Heavy modules (DuckDB) load inside the actions, so `sluice --help` and other commands start fast.
const lib = async () => {
  const [readTable, sql, fit, fitted, load, plan, run, steps, engine, progress, table] = await Promise.all([
    import('../../engine/readTable.js'),
    import('../../engine/sql.js'),
    import('../../flow/fitFlow.js'),
    import('../../flow/fittedFlow.js'),
    import('../../flow/loadFlow.js'),
    import('../../flow/planSql.js'),
    import('../../flow/runFlow.js'),
    import('../../flow/steps/index.js'),
    import('../openEngine.js'),
    import('../progress.js'),
    import('../renderTable.js'),
  ]);
  const inputs = await import('../../flow/loadInputs.js');
  return { ...readTable, ...sql, ...fit, ...fitted, ...load, ...plan, ...run, ...steps, ...engine, ...progress, ...table, ...inputs };
};

/** `--with NAME=FILE`, repeatable: a file for one of the flow's other inputs. */
function collectWith(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) {
    throw new SluiceError('CLI_USAGE', `--with ${value}: expected NAME=FILE`, {
      hint: 'e.g. --with customers=data/customers.csv (NAME as the flow names it under inputs:)',
    });
  }
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

const WITH_HELP = "a file for one of the flow's other inputs (inputs:), as NAME=FILE; repeatable";

/** runFlow's options for a project's sluice.yaml `missingTokens` and `dateOrder` (none outside a project). */
function projectRunOptions(reading: ProjectReading): { projectMissingTokens?: string[]; dateOrder?: ProjectReading['dateOrder']; python?: string } {
  return {
    ...(reading.missingTokens ? { projectMissingTokens: reading.missingTokens } : {}),
    ...(reading.dateOrder ? { dateOrder: reading.dateOrder } : {}),
    ...(reading.python ? { python: reading.python } : {}),
  };
}

type RunOptions = { input: string; output: string; fitted?: string; saveFitted?: string; with?: Record<string, string>; quiet?: boolean };

/**
 * `sluice flow run` on a folder or pattern of Parquet partitions: the flow is fitted once from
 * mergeable summaries of every partition (or a fitted flow is taken), then applied to each
 * partition in turn, each written to its own file in the output folder (docs/flows.md).
 */
async function runOnPartitions(file: string, opts: RunOptions, reading: ProjectReading): Promise<void> {
  const { Progress, openEngine, loadFittedFlow, loadFlow, saveFittedFlow } = await lib();
  const { runPartitioned } = await import('../../flow/partitions/runPartitioned.js');
  if (/\.(csv|tsv|parquet|pq|jsonl)$/i.test(opts.output))
    throw new SluiceError('CLI_USAGE', `--output ${opts.output}: a partitioned batch is written one file per partition, into a folder`, {
      hint: 'give a folder, e.g. --output out/',
    });
  const progress = new Progress(opts.quiet);
  const engine = await openEngine();
  try {
    const started = performance.now();
    const fitted = opts.fitted ? await loadFittedFlow(opts.fitted) : undefined;
    const spec = fitted ? undefined : await loadFlow(file);
    progress.start(`${fitted ? 'apply' : 'fit'} on the partitions of ${opts.input}`);
    const result = await runPartitioned(engine, {
      input: opts.input,
      output: opts.output,
      ...(fitted ? { fitted } : { flow: spec! }),
      sources: { baseDir: dirname(file), files: opts.with },
      ...(!fitted && reading.missingTokens ? { projectMissingTokens: reading.missingTokens } : {}),
      ...(!fitted && reading.dateOrder ? { dateOrder: reading.dateOrder } : {}),
      onPartition: (p, i, of) => progress.info(`  partition ${i + 1}/${of} ${p.file}: ${p.rowsIn} rows in, ${p.rows} out -> ${p.output}`),
    });
    progress.done(`${result.partitions.length} partitions`);
    if (opts.saveFitted) await saveFittedFlow(opts.saveFitted, result.fitted);
    const rows = result.partitions.reduce((t, p) => t + p.rows, 0);
    const secs = ((performance.now() - started) / 1000).toFixed(2);
    process.stdout.write(
      `✓ wrote ${result.partitions.length} files to ${opts.output}: ${rows} rows in all, in ${secs} s${opts.saveFitted ? `; fitted flow in ${opts.saveFitted}` : ''}\n`,
    );
    if (!fitted) for (const line of [...droppedLines(result.fitted.dropped), ...noteLines(result.fitted.notes)]) process.stdout.write(`  ${line}\n`);
  } finally {
    engine.close();
  }
}

/** `sluice flow validate|run|preview|sql|steps|import`. */
export function register(program: Command): void {
  const flow = program.command('flow').description('Recipes of data transforms: validate, run, preview, show SQL, import from Data Wrangler');

  flow
    .command('validate')
    .argument('<flow>', 'flow file (.flow.yaml, .yaml or .json)')
    .option('--input <file>', 'also fit the flow on this data file, checking every column it needs')
    .option('--with <name=file>', WITH_HELP, collectWith)
    .description('Check a flow: structure, fields, expressions (every problem at once); with --input, the columns each step needs')
    .action(async (file: string, opts: { input?: string; with?: Record<string, string> }) => {
      // Without --input only the flow file is read: DuckDB is not loaded.
      const { loadFlow } = await import('../../flow/loadFlow.js');
      const spec = await loadFlow(file);
      if (opts.input) {
        const reading = await projectReading({});
        process.stderr.write(readingNote(reading));
        const { openEngine, runFlow } = await lib();
        const engine = await openEngine();
        try {
          const r = await runFlow(engine, {
            flow: spec,
            input: opts.input,
            sources: { baseDir: dirname(file), files: opts.with },
            ...projectRunOptions(reading),
          });
          process.stdout.write(
            `✓ ${file}: ${spec.steps.length} steps, valid on ${opts.input} (${r.fitted.rows.in} rows in, ${r.rows} out, ${r.columns.length} columns)\n`,
          );
          for (const line of [...droppedLines(r.fitted.dropped), ...noteLines(r.fitted.notes)]) process.stdout.write(`  ${line}\n`);
        } finally {
          engine.close();
        }
      } else {
        process.stdout.write(`✓ ${file}: ${spec.steps.length} steps, valid\n`);
      }
    });

  flow
    .command('run')
    .argument('<flow>', 'flow file')
    .requiredOption('--input <file>', 'data file (.csv, .tsv, .parquet, .jsonl), or a folder or pattern (dir/part-*.parquet) of Parquet partitions')
    .requiredOption('--output <file>', 'result file (.csv or .parquet), written atomically; a folder for partitions (one file each)')
    .option('--fitted <file>', 'apply this fitted flow instead of fitting (no refit: same medians, categories, ...)')
    .option('--save-fitted <file>', 'save what the flow learned, to apply it later to other batches or records')
    .option('--with <name=file>', WITH_HELP, collectWith)
    .option('-q, --quiet', 'no progress output')
    .description('Fit a flow on a batch (or apply a fitted one) and write the result')
    .addHelpText(
      'after',
      '\nExamples:\n  sluice flow run examples/diabetes/diabetes.flow.yaml --input examples/diabetes/diabetic-readmission.csv --output out/diabetes.parquet --save-fitted out/fitted.json\n  sluice flow run my.flow.yaml --input batch/ --output out/ --save-fitted out/fitted.json   (a folder of Parquet partitions: fitted once, applied to each)\n',
    )
    .action(
      async (file: string, opts: { input: string; output: string; fitted?: string; saveFitted?: string; with?: Record<string, string>; quiet?: boolean }) => {
        const reading = await projectReading({});
        if (!opts.fitted && !opts.quiet) process.stderr.write(readingNote(reading));
        const { isPartitioned } = await import('../../flow/partitions/listPartitions.js');
        if (await isPartitioned(opts.input)) return runOnPartitions(file, opts, reading);
        // DuckDB opens and starts reading the batch before the flow's modules (its step kinds, zod,
        // yaml) load and the flow file is parsed: the file is parsed meanwhile. The read assumes
        // the flow sets no missing_tokens of its own (runFlow reads again if it does).
        const { openEngine } = await import('../openEngine.js');
        const engine = await openEngine();
        let early: EarlyBatch | undefined;
        try {
          const started = performance.now();
          if (!opts.fitted) {
            const { fitReading, startBatch } = await import('../../flow/readBatch.js');
            early = await startBatch(engine, opts.input, fitReading(undefined, reading.missingTokens, reading.dateOrder));
          }
          const { Progress, loadFittedFlow, loadFlow, runFlow, saveFittedFlow } = await lib();
          const progress = new Progress(opts.quiet);
          progress.start(opts.fitted ? `apply ${opts.fitted}` : `load ${file}`);
          const fitted = opts.fitted ? await loadFittedFlow(opts.fitted) : undefined;
          const spec = fitted ? undefined : await loadFlow(file);
          progress.done(spec ? `${spec.steps.length} steps` : '');
          progress.start(`read ${opts.input} and ${fitted ? 'apply' : 'fit'}`);
          const result = await runFlow(engine, {
            flow: spec,
            fitted,
            input: opts.input,
            output: opts.output,
            sources: { baseDir: dirname(file), files: opts.with },
            // A fitted flow reads with the tokens it was fitted with; fitting reads with the project's.
            ...(fitted ? (reading.python ? { python: reading.python } : {}) : projectRunOptions(reading)),
            onStep: spec ? (i, s) => progress.info(`  step ${i + 1}/${spec.steps.length} ${s.name ?? s.kind}`) : undefined,
            ...(early ? { early } : {}),
          });
          progress.done(`${result.fitted.rows.in} rows in`);
          if (opts.saveFitted) await saveFittedFlow(opts.saveFitted, result.fitted);
          const secs = ((performance.now() - started) / 1000).toFixed(2);
          process.stdout.write(
            `✓ wrote ${opts.output}: ${result.rows} rows × ${result.columns.length} columns in ${secs} s${opts.saveFitted ? `; fitted flow in ${opts.saveFitted}` : ''}\n`,
          );
          // No row leaves without a word: each step that removed rows, how many and why.
          if (!fitted) for (const line of [...droppedLines(result.fitted.dropped), ...noteLines(result.fitted.notes)]) process.stdout.write(`  ${line}\n`);
          else if (result.rows < result.rowsIn)
            process.stdout.write(`  ${result.rowsIn - result.rows} of ${result.rowsIn} rows removed by the fitted flow's row steps\n`);
        } catch (e) {
          // A flow that failed to load leaves the early read running: it is cut short.
          engine.interrupt();
          throw e;
        } finally {
          await early?.settled;
          engine.close();
        }
      },
    );

  flow
    .command('preview')
    .argument('<flow>', 'flow file')
    .requiredOption('--input <file>', 'data file')
    .option('--rows <n>', 'rows to show after each step', '5')
    .option('--with <name=file>', WITH_HELP, collectWith)
    .description('Show the table after each step')
    .action(async (file: string, opts: { input: string; rows: string; with?: Record<string, string> }) => {
      const { loadFlow, openEngine, readTable, renderTable, fitFlow, quoteIdent, readInputs } = await lib();
      const { missingPolicy } = await import('../../core/missing.js');
      const n = Math.max(1, Number.parseInt(opts.rows, 10) || 5);
      const spec = await loadFlow(file);
      const reading = await projectReading({});
      process.stderr.write(readingNote(reading));
      const missing = missingPolicy(spec.missing_tokens, reading.missingTokens);
      const engine = await openEngine();
      try {
        const info = await readTable(engine, opts.input, { name: 'input', missing, recognise: reading.dateOrder ? { dateOrder: reading.dateOrder } : {} });
        const head = await engine.query(`SELECT * FROM input LIMIT ${n}`);
        process.stdout.write(
          `input: ${info.rows} rows × ${info.columns.length} columns\n${renderTable(
            info.columns.map((c) => c.name),
            head,
          )}\n\n`,
        );
        await fitFlow(engine, spec, 'input', {
          file: opts.input,
          missingTokens: missing.tokens,
          ...(reading.python ? { python: reading.python } : {}),
          inputs: await readInputs(engine, spec.inputs, { baseDir: dirname(file), files: opts.with, missing }),
          onStep: async (i, s, view, columns) => {
            const rows = await engine.query(`SELECT * FROM ${quoteIdent(view)} LIMIT ${n}`);
            const count = await engine.count(view);
            process.stdout.write(
              `after step ${i + 1} (${s.name ?? s.kind}): ${count} rows × ${columns.length} columns\n${renderTable(
                columns.map((c) => c.name),
                rows,
              )}\n\n`,
            );
          },
        });
      } finally {
        engine.close();
      }
    });

  flow
    .command('sql')
    .argument('<flow>', 'flow file')
    .requiredOption('--input <file>', 'data file the flow is fitted on')
    .option('--fitted <file>', 'show the SQL of this fitted flow instead of fitting')
    .option('--mode <mode>', 'train (all steps) or serve (prediction time: no row steps, no target)', 'train')
    .option('--with <name=file>', WITH_HELP, collectWith)
    .description('Print the DuckDB SQL the flow runs (runnable in the duckdb shell; joins show their fitted reference table)')
    .action(async (file: string, opts: { input: string; fitted?: string; mode: string; with?: Record<string, string> }) => {
      const { openEngine, readTable, loadFittedFlow, fitFlow, fittedMissing, loadFlow, planSql, quoteLiteral, readInputs } = await lib();
      const { missingPolicy } = await import('../../core/missing.js');
      const given = opts.fitted ? await loadFittedFlow(opts.fitted) : undefined;
      const spec = given ? undefined : await loadFlow(file);
      // Read as run would: the fitted flow's tokens, else the flow's, else the project's.
      const missing = given ? fittedMissing(given) : missingPolicy(spec?.missing_tokens, (await projectReading({})).missingTokens);
      const engine = await openEngine();
      try {
        const info = await readTable(engine, opts.input, { name: 'input', missing });
        let fitted = given;
        if (!fitted && spec) {
          fitted = (
            await fitFlow(engine, spec, 'input', {
              file: opts.input,
              missingTokens: missing.tokens,
              inputs: await readInputs(engine, spec.inputs, { baseDir: dirname(file), files: opts.with, missing }),
            })
          ).fitted;
        }
        if (!fitted) throw new Error('flow sql needs a flow or a fitted flow');
        const mode = opts.mode === 'serve' ? 'serve' : 'train';
        process.stdout.write(
          `CREATE OR REPLACE VIEW input AS SELECT * FROM read_csv(${quoteLiteral(opts.input)});\n\n${planSql(fitted, 'input', info.columns, mode)};\n`,
        );
      } finally {
        engine.close();
      }
    });

  flow
    .command('steps')
    .description('List the step kinds (see docs/flows.md for each one)')
    .action(async () => {
      const { STEPS } = await lib();
      for (const s of STEPS) process.stdout.write(`${s.kind.padEnd(24)} ${s.doc.title}${s.rowsOnly ? ' (training batches only)' : ''}\n`);
    });

  registerFlowImport(flow);
}
