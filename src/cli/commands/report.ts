import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
import { sampleRowsSetting } from '../../profile/reportSample.js';
import type { ProblemType } from '../../profile/targetStats.js';
import { Progress } from '../progress.js';
import { projectReading, readingNote } from '../projectReading.js';

interface ReportFlags {
  target?: string;
  problemType?: string;
  baseline?: string;
  bias?: string;
  labelValue?: string;
  biasGroup?: string;
  gates?: string;
  out: string;
  strict?: boolean;
  dateOrder?: string;
  sampleRows?: string;
}

/** `sluice report DATA --out DIR`: the data quality and insights report. */
export function register(program: Command): void {
  program
    .command('report')
    .description('profile a data file: report.json and a self-contained report.html')
    .argument('<data>', 'CSV, Parquet or JSON-lines file')
    .requiredOption('-o, --out <dir>', 'output folder for report.json and report.html')
    .option('-t, --target <column>', 'target column (enables target analysis)')
    .option('--problem-type <type>', 'classification or regression (inferred when absent)')
    .option('--baseline <data>', 'data file to measure drift against (e.g. the last approved batch)')
    .option('--bias <facet=value>', 'bias metrics for the rows where FACET equals VALUE')
    .option('--label-value <value>', 'favourable value of the target for the bias metrics')
    .option('--bias-group <column>', 'column that conditions CDD (conditional demographic disparity)')
    .option('--gates <file>', 'YAML file of quality gates to evaluate')
    .option('--strict', 'exit with code 3 when a gate fails')
    .option('--date-order <order>', 'dmy or mdy: how to read dates such as 12/06/1998 (default: sluice.yaml dateOrder; without one they stay text)')
    .option(
      '--sample-rows <rows>',
      "above this many rows, correlations, the quick model, prediction power and anomalies read a random sample of about this many (stated in the report); 'all' reads every row (default: sluice.yaml reportSampleRows, else 250000)",
    )
    .action(async (data: string, flags: ReportFlags) => {
      const started = Date.now();
      const problemType = parseProblemType(flags.problemType);
      const cliSampleRows = parseSampleRows(flags.sampleRows);
      const bias = parseBias(flags);
      const reading = await projectReading(flags);
      const sampleRows = cliSampleRows ?? sampleRowsSetting(reading.reportSampleRows);
      process.stderr.write(readingNote(reading));
      // The quick model's thread starts loading now, on the core this one leaves idle while it
      // loads the report's modules and DuckDB reads the file (only for a file large enough that
      // the model fits on a thread; the report stops it if it goes unused).
      const early =
        flags.target !== undefined && (await fileSize(data)) >= EARLY_THREAD_BYTES ? await import('../../profile/model/quickModelThread.js') : undefined;
      early?.startEarlyQuickModelThread();
      // DuckDB loads only when the command runs, so other commands start fast.
      const { reportFromFiles } = await import('../../profile/reportFromFiles.js');
      const { reportHeadline } = await import('../../profile/headline.js');
      const bar = new Progress();
      let running = false;
      const onProgress = (part: string) => {
        if (running) bar.done();
        bar.start(part);
        running = true;
      };
      const { report, json, html } = await reportFromFiles(data, {
        outDir: flags.out,
        onProgress,
        ...(flags.target !== undefined ? { target: flags.target } : {}),
        ...(problemType ? { problemType } : {}),
        ...(flags.baseline ? { baselinePath: flags.baseline } : {}),
        ...(flags.gates ? { gatesPath: flags.gates } : {}),
        ...(bias ? { bias } : {}),
        ...(reading.missingTokens ? { missingTokens: reading.missingTokens } : {}),
        ...(reading.dateOrder ? { dateOrder: reading.dateOrder } : {}),
        ...(sampleRows !== undefined ? { sampleRows } : {}),
      }).finally(() => early?.dropEarlyQuickModelThread());
      if (running) bar.done();
      const count = (s: string) => report.warnings.filter((w) => w.severity === s).length;
      process.stderr.write(
        `done in ${Date.now() - started} ms: ${report.dataset.rows} rows, ${report.columns.length} columns, warnings ${count('high')} high / ${count('medium')} medium / ${count('low')} low\n`,
      );
      if (report.gates)
        process.stderr.write(`gates: ${report.gates.verdict} (${report.gates.rules.filter((r) => r.pass).length}/${report.gates.rules.length} rules pass)\n`);
      // The gates and the high warnings on one line: a pass never reads as all clear while high warnings stand.
      process.stderr.write(`verdict: ${reportHeadline(report)}\n`);
      if (report.drift) process.stderr.write(`drift: ${report.drift.summary ?? report.drift.verdict}\n`);
      process.stdout.write(`${json}\n${html}\n`);
      if (flags.strict && report.gates?.verdict === 'fail') process.exitCode = 3;
    });
}

/** Files from this size up start the quick model's thread before they are read (10,000 rows of a few columns, the thread's threshold, take about 0.5 MB of CSV). */
const EARLY_THREAD_BYTES = 1 << 20;

async function fileSize(path: string): Promise<number> {
  const { stat } = await import('node:fs/promises');
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

/** `--sample-rows`: a whole number of rows (digits, `_` or `,` between them allowed), or `all` (Infinity). */
function parseSampleRows(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v.trim().toLowerCase() === 'all') return sampleRowsSetting('all');
  const digits = v.trim().replace(/[_,](?=\d{3}(\D|$))/g, '');
  const n = /^\d+$/.test(digits) ? Number(digits) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= 1))
    throw new SluiceError('CLI_USAGE', `--sample-rows must be a whole number of rows of at least 1, or all, not "${v}"`, {
      hint: 'e.g. --sample-rows 500000, or --sample-rows all to compute every part on every row',
    });
  return n;
}

function parseProblemType(v: string | undefined): ProblemType | undefined {
  if (v === undefined) return undefined;
  if (v === 'classification' || v === 'regression') return v;
  throw new SluiceError('CLI_USAGE', `--problem-type must be classification or regression, not "${v}"`, { hint: 'omit it to infer the type from the target' });
}

function parseBias(flags: ReportFlags): { facet: string; facetValue: string; labelValue: string; group?: string } | undefined {
  if (!flags.bias) {
    if (flags.labelValue)
      throw new SluiceError('CLI_USAGE', '--label-value needs --bias FACET=VALUE', { hint: 'e.g. --bias gender=female --label-value "<30"' });
    return undefined;
  }
  const eq = flags.bias.indexOf('=');
  if (eq <= 0) throw new SluiceError('CLI_USAGE', `--bias must be FACET=VALUE, not "${flags.bias}"`, { hint: 'e.g. --bias gender=female' });
  if (!flags.labelValue)
    throw new SluiceError('CLI_USAGE', '--bias needs --label-value (the favourable value of the target)', { hint: 'e.g. --label-value "<30"' });
  if (!flags.target) throw new SluiceError('CLI_USAGE', '--bias needs --target (the label column)', { hint: 'e.g. --target readmitted' });
  return {
    facet: flags.bias.slice(0, eq),
    facetValue: flags.bias.slice(eq + 1),
    labelValue: flags.labelValue,
    ...(flags.biasGroup ? { group: flags.biasGroup } : {}),
  };
}
