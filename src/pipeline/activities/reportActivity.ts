import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SluiceConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { reportDir, resolveIn } from '../../core/projectLayout.js';
import { fetchFolders } from './shareFolders.js';
import { withStores } from './withStores.js';
import { atomicWriteFile } from '../../engine/atomicWriteFile.js';
import { generatedColumns } from '../../flow/generatedColumns.js';
import { reportFromFiles } from '../../profile/reportFromFiles.js';
import { sampleRowsSetting } from '../../profile/reportSample.js';
import { driftPictureItems, type DriftPictureItem } from '../../profile/driftPictureItems.js';
import { headlineTone, reportHeadline } from '../../profile/headline.js';
import type { Report } from '../../profile/reportSchema.js';
import type { ExecutionEvent } from '../events.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';
import type { Activity } from './Activity.js';
import { championOnBatch } from './championOnBatch.js';
import { projectSettings } from './modelSettings.js';
import { projectFlow } from './projectFlow.js';

/**
 * What the report profiles: `file` (wired to the preceding run_flow's `output`, else the
 * execution's file), `rawFile` (the arrived file, on which the champion is scored), and
 * overrides of sluice.yaml's target, gates and flow, or a drift baseline.
 */
export interface ReportInput {
  file?: string;
  rawFile?: string;
  target?: string;
  gates?: string;
  baseline?: string;
  flow?: string;
}

/** What the report step records: the findings approvers see first, and where the report is. */
export interface ReportSummary {
  /** The gates' verdict (`pass` / `fail`), as choice states test it; see `headline` for what to show. */
  verdict: string;
  /** Gates and high warnings together: `gates pass · 3 high warnings: drift in age, ...`. */
  headline?: string;
  /** How to show the headline: fail (a gate failed), review (high warnings stand), pass. */
  tone?: 'pass' | 'review' | 'fail';
  /** The columns that drifted, strongest first, with the data of their pictures (at most 24). */
  driftPictures?: DriftPictureItem[];
  gates: Array<{ name: string; passed: boolean; message?: string }>;
  warnings: Array<{ severity: string; code: string; message: string }>;
  figures: Record<string, number | string>;
  drift?: 'drift' | 'no_drift' | undefined;
  baseline?: string | undefined;
  reportJson: string;
  reportHtml: string;
  reportUrl?: string | undefined;
}

/**
 * The batch of the last execution whose approval said yes, before `executionId`: the transformed
 * file of its `run_flow` step (or its input file). Drift is measured against it.
 */
export async function lastApprovedBatch(store: ExecutionStore, executionId: string): Promise<string | undefined> {
  for (const ex of await store.list({ limit: 200 })) {
    if (ex.id === executionId || ex.duplicateOf) continue;
    const events = await store.events(ex.id);
    const approved = events.some((e) => (e.type === 'ApprovalDecided' || e.type === 'ApprovalTimedOut') && e.data.decision === 'approved');
    if (!approved) continue;
    const out = profiledFile(events) ?? ex.file ?? undefined;
    if (out && existsSync(out)) return out;
  }
  return undefined;
}

/**
 * The file an execution's report profiled, from its history: the report step's recorded input,
 * or (histories recorded before inputs were wired) the output of its run_flow activity. Found by
 * activity, never by state name.
 */
function profiledFile(events: readonly ExecutionEvent[]): string | undefined {
  const scheduled = events.filter((e) => e.type === 'ActivityScheduled');
  const report = scheduled.find((e) => e.data.activity === 'report' && typeof (e.data.input as { file?: unknown } | undefined)?.file === 'string');
  if (report) return (report.data.input as { file: string }).file;
  const flowStep = scheduled.find((e) => e.data.activity === 'run_flow')?.step;
  const flow = events.find((e) => e.type === 'ActivitySucceeded' && e.step === flowStep);
  return (flow?.data.output as { output?: string } | undefined)?.output;
}

/** The findings of a report, in the shape notifications and the approval page read. */
export function summarizeReport(report: Report): Omit<ReportSummary, 'reportJson' | 'reportHtml' | 'reportUrl' | 'baseline'> {
  const d = report.dataset;
  const figures: Record<string, number | string> = {
    rows: d.rows,
    columns: d.columns,
    'missing cells %': Math.round(d.missingShare * 10_000) / 100,
    'duplicate rows': d.duplicateRows,
  };
  if (report.drift) figures['drifted columns'] = `${report.drift.driftedColumns.length} of ${report.drift.columns.length}`;
  const ch = report.champion;
  if (ch)
    figures[`champion v${ch.version} ${ch.metric} on this batch`] =
      `${ch.current.toFixed(4)} (registered ${ch.registered === null ? '–' : ch.registered.toFixed(4)})`;
  const qm = report.quickModel;
  if (qm) {
    const [name, value] = Object.entries(qm.metrics).find(([, v]) => v !== null) ?? [];
    if (name !== undefined && typeof value === 'number') {
      const base = qm.baseline?.metrics[name];
      const round = (x: number): number => Math.round(x * 10_000) / 10_000;
      // Beside the majority baseline, and said plainly when the quick model does no better.
      figures[`quick model ${name}`] =
        typeof base === 'number'
          ? `${round(value)} (majority baseline ${round(base)}${qm.noBetterThanBaseline?.length ? `; no better than the baseline on ${qm.noBetterThanBaseline.join(', ')}` : ''})`
          : round(value);
    }
  }
  const high = report.warnings.filter((w) => w.severity === 'high').length;
  return {
    verdict: report.gates ? report.gates.verdict : high > 0 ? 'review (high warnings, no gates)' : 'no gates configured',
    headline: reportHeadline(report),
    tone: headlineTone(report.gates?.verdict, high),
    driftPictures: driftPictureItems(report),
    gates: (report.gates?.rules ?? []).map((r) => ({
      name: r.rule,
      passed: r.pass,
      ...(r.detail ? { message: r.detail } : { message: `value ${String(r.value)}` }),
    })),
    warnings: report.warnings.map((w) => ({ severity: w.severity, code: w.code, message: w.message })),
    figures,
    drift: report.drift?.verdict,
  };
}

/**
 * The built-in `report` activity: profiles its `file` input (wired to the run_flow output, else the input file)
 * into `.sluice/reports/<execution>/report.{json,html}` with the project's target and gates, and
 * drift against the last approved batch. Idempotent: the summary is written last and returned
 * as it is when found.
 */
export function reportActivity(store?: ExecutionStore, publicUrl?: string): Activity<ReportInput, ReportSummary> {
  return async (input, ctx) => {
    const config = ctx.config as SluiceConfig | undefined;
    const dir = reportDir(ctx.project, ctx.executionId);
    const manifest = join(dir, 'summary.json');
    // A report another worker finished (kept in stores.reports) is taken as it is.
    await withStores(ctx, async (stores) => {
      if (stores.reports.remote && !existsSync(dir) && (await stores.reports.published([ctx.executionId]))) await stores.reports.fetch([ctx.executionId]);
    });
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as ReportSummary;
    const file = input.file;
    if (!file)
      throw new SluiceError('REPORT_NO_FILE', 'report has no data to profile', {
        retryable: false,
        hint: 'wire the data to profile: `input: { file: $.results.<run_flow state>.output }` or `$.input.file`',
      });
    const gates = input.gates ?? config?.gates;
    const gatesPath = gates ? resolveIn(ctx.project.root, gates) : undefined;
    const baseline = input.baseline ?? (store ? await lastApprovedBatch(store, ctx.executionId) : undefined);
    if (baseline) await withStores(ctx, (stores) => fetchFolders(stores, baseline));
    const { spec } = await projectFlow(config, input, ctx.project.root);
    // The same settings the train step reads (one resolver): the target and the model's name.
    const settings = projectSettings(config, input, spec);
    const target = settings.target;
    const generated = spec ? generatedColumns(spec) : [];
    // The champion on this batch: scored on the raw file, through its own fitted flow.
    const rawFile = input.rawFile ?? input.file;
    const champion = rawFile && target ? await championOnBatch(ctx, settings.name, rawFile, config?.python) : {};
    const { report } = await reportFromFiles(file, {
      outDir: dir,
      ...(champion.check ? { champion: champion.check } : {}),
      ...(champion.importance ? { championImportance: champion.importance } : {}),
      ...(champion.note ? { notes: [champion.note] } : {}),
      ...(target ? { target } : {}),
      ...(gatesPath ? { gatesPath } : {}),
      ...(baseline ? { baselinePath: baseline } : {}),
      ...(generated.length > 0 ? { generatedColumns: generated } : {}),
      ...(config?.missingTokens ? { missingTokens: config.missingTokens } : {}),
      ...(config?.dateOrder ? { dateOrder: config.dateOrder } : {}),
      ...(config?.reportSampleRows !== undefined ? { sampleRows: sampleRowsSetting(config.reportSampleRows) } : {}),
    });
    const summary: ReportSummary = {
      ...summarizeReport(report),
      ...(baseline ? { baseline } : {}),
      reportJson: join(dir, 'report.json'),
      reportHtml: join(dir, 'report.html'),
      ...(publicUrl ? { reportUrl: `${publicUrl.replace(/\/$/, '')}/reports/${encodeURIComponent(ctx.executionId)}/report.html` } : {}),
    };
    await atomicWriteFile(manifest, JSON.stringify(summary, null, 2));
    return summary;
  };
}
