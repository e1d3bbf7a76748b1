import { SluiceError } from '../core/errors.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { computeBias, type BiasOptions } from './bias.js';
import { computeColumnStats } from './columnStats.js';
import { computeCorrelations } from './correlations.js';
import { computeDrift } from './drift.js';
import { computeDuplicates, duplicatesOfGroups } from './duplicates.js';
import { DEFAULT_PLUGINS } from './model/defaultPlugins.js';
import type { ModelSectionInput, ReportPlugins } from './reportPlugins.js';
import { evaluateGates, type GateRule } from './gates.js';
import { createProfileView } from './profileView.js';
import { REPORT_SAMPLE_ROWS, sampleFromGroups, sampleNote, samples, takeReportSample, type ReportSample } from './reportSample.js';
import { groupRows, repeatsEnough, type RowGroups } from './rowGroups.js';
import {
  REPORT_SCHEMA_VERSION,
  type Anomalies,
  type ChampionCheck,
  type Correlations,
  type PredictionPower,
  type QuickModel,
  type Report,
  type TargetReport,
} from './reportSchema.js';
import { addTargetBreakdown } from './targetBreakdown.js';
import { createJointCounts, type JointCounts, wantsJointCounts } from './jointCounts.js';
import type { RowsInMemory } from './rowsInMemory.js';
import { computeTarget, inferProblemType, requireTarget, type ProblemType } from './targetStats.js';
import { resolveThresholds, type Thresholds } from './thresholds.js';
import { buildWarnings } from './warnings/buildWarnings.js';

export interface ProfileOptions {
  target?: string;
  problemType?: ProblemType;
  /** A relation in the same engine to measure drift against. */
  baseline?: string;
  /** Facet and label value for the bias metrics; the label defaults to the target. */
  bias?: Omit<BiasOptions, 'label'> & { label?: string };
  gates?: GateRule[];
  thresholds?: Partial<Thresholds>;
  /** Model-based sections; {@link DEFAULT_PLUGINS} when absent, `{}` for none. */
  plugins?: ReportPlugins;
  /** Names shown in the report for the data and the baseline (file names). */
  sourceName?: string;
  baselineName?: string;
  /** Called as each part starts (the CLI prints progress on stderr). */
  onProgress?: (part: string) => void;
  /** Fixed time for reproducible reports (tests); now when absent. */
  now?: Date;
  /** Columns the flow generates (record id, event time, split): left out of drift and warnings. */
  generatedColumns?: readonly string[];
  /** The current champion's feature importance, shown next to drifted columns. */
  championImportance?: Readonly<Record<string, number>>;
  /** The current champion measured on this batch (computed by the caller, which can load models). */
  champion?: ChampionCheck;
  /** Notes from the caller, added to the report's notes. */
  notes?: string[];
  /**
   * Above this many rows the correlations, the model frame and the anomalies read a uniform
   * random sample of this many rows, and the report says so ({@link REPORT_SAMPLE_ROWS} when
   * absent; `Infinity` for every row). Counts, column statistics, duplicates and the target's
   * breakdown always read every row.
   */
  sampleRows?: number;
}

/**
 * Profiles a relation into a {@link Report}: the data quality and insights report.
 *
 *   view (NaN -> missing) -> [above the sample size, on a table: the rows grouped once, for the
 *   duplicates, the sample and (rows repeating) the value counts] -> columns (3 aggregate passes) -> target -> bias -> [above
 *   REPORT_SAMPLE_ROWS rows: the sample] -> [plug-ins: the quick model started, model frame] -> dataset + duplicates,
 *   with [plug-ins: prediction power] meanwhile -> the target's breakdown -> [plug-ins: anomalies'
 *   sample] -> correlations, with [plug-ins: anomalies] meanwhile -> [the quick model awaited] ->
 *   drift -> warnings -> gates
 *
 * Everything is computed in DuckDB SQL; only aggregates reach JavaScript, so the report's size
 * and memory do not grow with the rows. Above {@link REPORT_SAMPLE_ROWS} rows (`sampleRows`) the
 * parts that estimate rather than count (correlations, model frame, anomalies' rows) read one
 * seeded uniform random sample of that size, stated in `correlations.sample` and the notes.
 *
 * @example
 * await readTable(engine, 'batch.csv', { name: 'batch' });
 * const report = await profileTable(engine, 'batch', { target: 'readmitted' });
 */
export async function profileTable(engine: Engine, relation: string, options: ProfileOptions = {}): Promise<Report> {
  const t = resolveThresholds(options.thresholds);
  const timings: Record<string, number> = {};
  const notes: string[] = [...(options.notes ?? [])];
  const started = performance.now();
  let last = started;
  const step = (name: string) => {
    const now = performance.now();
    options.onProgress?.(name);
    return () => {
      timings[name] = Math.round((performance.now() - now) * 10) / 10;
      last = performance.now();
    };
  };

  /**
   * A part that runs in DuckDB's threads while this thread does other work: timed under its own
   * step, its failure kept for when it is awaited; `rethrowAfter` lets it finish before a failure
   * on this thread propagates (the views it reads are dropped after).
   */
  const inBackground = <T>(name: string, run: () => Promise<T>) => {
    const finished = step(name);
    const result = run().then((r) => {
      finished();
      return r;
    });
    result.catch(() => {});
    const rethrowAfter = async (e: unknown): Promise<never> => {
      await result.catch(() => {});
      throw e;
    };
    return { result, rethrowAfter };
  };

  let done = step('columns');
  const { view, schema, stable } = await createProfileView(engine, relation);
  const views = [view];
  let sample: ReportSample | undefined;
  let joint: JointCounts | undefined;
  let groups: RowGroups | undefined;
  try {
    const rows = await engine.count(view);
    const sampleRows = options.sampleRows ?? REPORT_SAMPLE_ROWS;
    const sampling = samples(rows, sampleRows);
    // A class target: the column statistics' value counts and the target's breakdown from one
    // grouping of the rows by (value, target value).
    const wantJoint = await wantsJointCounts(engine, view, schema, options.target, options.problemType === 'regression', t.classificationMaxDistinct);
    // Above the sample size, a table's rows are grouped once: the duplicates and the sample's
    // rows from that one pass, and the value counts from its distinct rows when rows repeat
    // (grouped first then; otherwise after the value counts, which read the table as it was read).
    const grouping = sampling && stable;
    const group = async (all: boolean) => {
      const finished = step('groups');
      groups = await groupRows(engine, relation, schema, { size: sampleRows, rows }, all);
      finished();
    };
    if (grouping && wantJoint && (await repeatsEnough(engine, view))) {
      done();
      await group(true);
      done = step('columns');
    }
    if (wantJoint)
      joint = groups?.all
        ? await createJointCounts(engine, groups.table, schema, options.target!, groups.count)
        : await createJointCounts(engine, view, schema, options.target!);
    const columns = await computeColumnStats(engine, view, schema, rows, t, joint);
    done();

    if (rows < 2) notes.push('The data has a single row: spread, correlations and models need at least two rows and were left empty.');

    let target: TargetReport | undefined;
    if (options.target !== undefined) {
      done = step('target');
      const col = requireTarget(columns, options.target);
      target = await computeTarget(engine, view, col, inferProblemType(col, options.problemType, t));
      done();
    }

    // Bias before the heavier parts, so a wrong facet or label value fails fast.
    let bias: Report['bias'];
    if (options.bias) {
      done = step('bias');
      const label = options.bias.label ?? options.target;
      if (!label) throw new SluiceError('BIAS_NO_LABEL', 'bias metrics need a label column', { hint: 'pass --target (the label defaults to the target)' });
      bias = await computeBias(
        engine,
        view,
        schema.map((c) => c.name),
        { ...options.bias, label },
        schema.filter((c) => c.type === 'boolean').map((c) => c.name),
      );
      done();
    }

    if (grouping && !groups) await group(false);
    // One sample for the parts that estimate (drawn before the model frame, which reads it).
    done = step('sample');
    sample = groups ? await sampleFromGroups(engine, groups, schema, rows, sampleRows) : await takeReportSample(engine, view, rows, sampleRows);
    done();
    const rowsOf = sample?.relation ?? view;
    if (sample) notes.push(sampleNote(sample));

    const input: ModelSectionInput = {
      engine,
      relation: rowsOf,
      columns,
      rows,
      thresholds: t,
      // The sample is a table: as stable as a view of one.
      stable: sample !== undefined || stable,
      ...(target ? { target } : {}),
      ...(sample ? { sample } : {}),
    };
    const plugins = options.plugins ?? DEFAULT_PLUGINS;
    const usable = target !== undefined && (target.problemType === 'regression' || (target.classCount ?? 0) >= 2) && rows >= 10;
    const wantAnomalies = plugins.anomalies !== undefined && rows >= 10;
    const prepareModel = plugins.prepare && usable && (plugins.quickModel || plugins.predictionPower);
    const prepareAnomalies = wantAnomalies && plugins.prepareAnomalies;
    // Started first of the model parts, awaited after the other sections: the default starts its
    // worker thread while the frame is read, and fits there (the report's longest part) while
    // the duplicates, the target's breakdown and the correlations run in DuckDB and the other
    // sections on this thread.
    const quickModelRun = plugins.quickModel && usable ? plugins.quickModel(input) : undefined;
    // Marked handled: when a later step fails, the report fails with that step's error.
    quickModelRun?.catch(() => {});
    // The model frame, when it holds every row, is what the correlations read (no query).
    let inMemory: RowsInMemory | undefined;
    if (prepareModel) {
      done = step('modelData');
      await plugins.prepare!(input);
      inMemory = await plugins.rowsInMemory?.(input);
      if (inMemory && inMemory.rows !== (sample?.rows ?? rows)) inMemory = undefined;
      done();
    }

    const names = schema.map((c) => c.name);
    const duplicatesPart = inBackground('duplicates', () =>
      groups ? duplicatesOfGroups(engine, groups.table, names, groups.count) : computeDuplicates(engine, view, names),
    );
    // Prediction power (JavaScript on the model frame, no queries) runs on this thread while
    // DuckDB's threads group the rows for the duplicates: on two cores they overlap, where this
    // thread would otherwise wait (the quick model's thread has the other core).
    let predictionPower: PredictionPower | undefined;
    if (plugins.predictionPower && usable) {
      done = step('predictionPower');
      predictionPower = await plugins.predictionPower(input).catch(duplicatesPart.rethrowAfter);
      done();
    }
    const dups = await duplicatesPart.result;
    const missingCells = columns.reduce((a, c) => a + c.missing, 0);
    const featureTypes: Record<string, number> = { numeric: 0, categorical: 0, binary: 0, text: 0, datetime: 0 };
    for (const c of columns) featureTypes[c.type] = (featureTypes[c.type] ?? 0) + 1;
    const dataset = {
      rows,
      columns: columns.length,
      missingCells,
      missingShare: rows * columns.length > 0 ? missingCells / (rows * columns.length) : 0,
      duplicateRows: dups.duplicateRows,
      duplicateShare: rows > 0 ? dups.duplicateRows / rows : 0,
      featureTypes,
    };

    let targetAssoc: Correlations['target'] = [];
    if (target) {
      done = step('targetBreakdown');
      targetAssoc = await addTargetBreakdown(engine, view, columns, target, t, joint);
      done();
    }
    if (joint) {
      await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(joint.table)}`);
      joint = undefined;
    }
    if (groups) {
      await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(groups.table)}`);
      groups = undefined;
    }
    if (prepareAnomalies) {
      done = step('anomalySample');
      await plugins.prepareAnomalies!(input);
      done();
    }

    // The correlations run in DuckDB's threads while the anomalies (JavaScript, on the rows the
    // plug-ins' `prepareAnomalies` read) run on this one: on two cores they overlap. What the
    // model frame holds (`inMemory`: at 69,570 diabetes rows, every column) is summed and counted
    // on this thread instead, without a query: 50-75 ms of JavaScript cold, where the queries
    // cost ~100 ms of DuckDB's CPU and then waited for this thread between them.
    const correlationsPart = inBackground('correlations', async () => {
      const c = await computeCorrelations(engine, rowsOf, columns, target, t, targetAssoc, inMemory);
      return sample ? { ...c, sample: { rows: sample.rows, of: sample.of, method: sample.method, probability: sample.probability, seed: sample.seed } } : c;
    });

    let quickModel: QuickModel | undefined;
    let anomalies: Anomalies | undefined;
    if (wantAnomalies && prepareAnomalies) {
      done = step('anomalies');
      anomalies = await plugins.anomalies!(input).catch(correlationsPart.rethrowAfter);
      done();
    }
    const correlations = await correlationsPart.result;
    if (wantAnomalies && !prepareAnomalies) {
      done = step('anomalies');
      anomalies = await plugins.anomalies!(input);
      done();
    }
    if (quickModelRun) {
      done = step('quickModel');
      quickModel = await quickModelRun;
      done();
    }
    const missingSections = [
      !plugins.quickModel && 'quick model',
      !plugins.predictionPower && 'prediction power',
      !plugins.anomalies && 'anomalies (isolation forest)',
    ].filter(Boolean);
    if (missingSections.length > 0) notes.push(`Not computed: ${missingSections.join(', ')}.`);
    if (target && !usable && (plugins.quickModel || plugins.predictionPower))
      notes.push('The quick model and prediction power were skipped: the target needs at least two classes and ten rows.');
    if (anomalies?.sampled) notes.push(`Anomalies were scored on a random sample of ${anomalies.scoredRows} rows.`);
    if (quickModel?.sampled)
      notes.push(
        `The quick model was trained on a seeded random sample of ${quickModel.trainRows} rows and measured on ${quickModel.validationRows} held-out rows.`,
      );

    let drift: Report['drift'];
    if (options.baseline !== undefined) {
      done = step('drift');
      const base = await createProfileView(engine, options.baseline);
      views.push(base.view);
      drift = await computeDrift(engine, { view, schema, rows }, { view: base.view, schema: base.schema, rows: await engine.count(base.view) }, t, {
        ...(options.generatedColumns ? { exclude: options.generatedColumns } : {}),
        ...(options.championImportance ? { importance: options.championImportance } : {}),
      });
      done();
    }

    done = step('warnings');
    const warnings = buildWarnings({
      dataset,
      columns,
      correlations,
      thresholds: t,
      ...(options.generatedColumns ? { generated: options.generatedColumns } : {}),
      ...(options.champion ? { champion: options.champion } : {}),
      ...(target ? { target } : {}),
      ...(predictionPower ? { predictionPower } : {}),
      ...(anomalies ? { anomalies } : {}),
      ...(drift ? { drift } : {}),
    });
    done();

    const report: Report = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      generatedAt: (options.now ?? new Date()).toISOString(),
      source: { name: options.sourceName ?? relation, ...(options.baseline !== undefined ? { baseline: options.baselineName ?? options.baseline } : {}) },
      timings,
      thresholds: { ...t },
      dataset,
      columns,
      warnings,
      ...(target ? { target } : {}),
      ...(quickModel ? { quickModel } : {}),
      ...(options.champion ? { champion: options.champion } : {}),
      ...(predictionPower ? { predictionPower } : {}),
      correlations,
      ...(anomalies ? { anomalies } : {}),
      duplicates: { duplicateRows: dups.duplicateRows, top: dups.top },
      ...(bias ? { bias } : {}),
      ...(drift ? { drift } : {}),
      notes,
    };
    if (options.gates) {
      done = step('gates');
      report.gates = evaluateGates(report, options.gates);
      done();
    }
    timings.total = Math.round((last - started) * 10) / 10;
    return report;
  } finally {
    if (sample) await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(sample.relation)}`);
    if (joint) await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(joint.table)}`);
    if (groups) await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(groups.table)}`);
    for (const v of views) await engine.exec(`DROP VIEW IF EXISTS ${quoteIdent(v)}`);
  }
}
