/**
 * Where the insights report's CPU goes (issue 19, target 2): each part of the diabetes report
 * run once in this process, cold (as in the CLI), with its CPU time (`process.cpuUsage`, user +
 * system, DuckDB's threads included) and wall time; then a second, warm round of the model parts.
 *
 * Run: node --import tsx bench/profile/reportParts.ts [DATA] (default: the diabetes data; e.g.
 * bench/out/diabetes-1m.csv, made by `npm run bench -- profile`)
 */
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { fitIsolationForest } from '../../src/ml/isolationForest.js';
import { computeColumnStats } from '../../src/profile/columnStats.js';
import { computeCorrelations } from '../../src/profile/correlations.js';
import { computeDuplicates } from '../../src/profile/duplicates.js';
import { ANOMALY_MAX_ROWS } from '../../src/profile/model/anomalies.js';
import { MODEL_MAX_ROWS } from '../../src/profile/model/loadModelData.js';
import { modelDataFromView } from '../../src/profile/model/modelDataFromView.js';
import { predictionPowerOfFrame } from '../../src/profile/model/predictionPower.js';
import { quickModelOfFrame } from '../../src/profile/model/quickModelOfFrame.js';
import { createJointCounts, wantsJointCounts } from '../../src/profile/jointCounts.js';
import { createProfileView } from '../../src/profile/profileView.js';
import { takeReportSample } from '../../src/profile/reportSample.js';
import { addTargetBreakdown } from '../../src/profile/targetBreakdown.js';
import { computeTarget, inferProblemType, requireTarget } from '../../src/profile/targetStats.js';
import { resolveThresholds } from '../../src/profile/thresholds.js';

const DATA = process.argv[2] ?? 'examples/diabetes/diabetic-readmission.csv';
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
async function part<T>(name: string, f: () => Promise<T> | T): Promise<T> {
  const c = cpuMs();
  const w = performance.now();
  const r = await f();
  process.stdout.write(`${name.padEnd(20)} CPU ${(cpuMs() - c).toFixed(0).padStart(6)} ms   wall ${(performance.now() - w).toFixed(0).padStart(6)} ms\n`);
  return r;
}

const engine = await part('open', () => Engine.open({ memoryLimit: '1GB' }));
await part('read', () => readTable(engine, DATA, { name: 'data' }));
const t = resolveThresholds();
const { view, schema, stable } = await createProfileView(engine, 'data');
const rows = await engine.count(view);
// A class target: the value counts split by it, summed for the columns and read by the breakdown.
const joint = (await wantsJointCounts(engine, view, schema, 'readmitted', false, t.classificationMaxDistinct))
  ? await part('joint counts', () => createJointCounts(engine, view, schema, 'readmitted'))
  : undefined;
const columns = await part('columns', () => computeColumnStats(engine, view, schema, rows, t, joint));
await part('duplicates', () =>
  computeDuplicates(
    engine,
    view,
    schema.map((c) => c.name),
  ),
);
const col = requireTarget(columns, 'readmitted');
const target = await part('target', () => computeTarget(engine, view, col, inferProblemType(col, undefined, t)));
const assoc = await part('target breakdown', () => addTargetBreakdown(engine, view, columns, target, t, joint));
// Above REPORT_SAMPLE_ROWS the estimating parts read the report's sample, as in profileTable.
const sample = await part('sample', () => takeReportSample(engine, view, rows));
const rowsOf = sample?.relation ?? view;
// A table (the data or its sample): the model frame is read without a copy, as in profileTable.
const readsTable = sample !== undefined || stable;
for (let round = 0; round < 2; round++) {
  process.stdout.write(`--- ${round === 0 ? 'cold' : 'warm'}\n`);
  const data = await part('model frame', () => modelDataFromView(engine, rowsOf, columns, target, MODEL_MAX_ROWS, readsTable));
  await part('correlations', () => computeCorrelations(engine, rowsOf, columns, target, t, assoc));
  await part('prediction power', () => predictionPowerOfFrame(data.frame, data.target!));
  const sample = await part('anomalies: sample', () => modelDataFromView(engine, rowsOf, columns, undefined, ANOMALY_MAX_ROWS, readsTable));
  const forest = await part('anomalies: fit', () => fitIsolationForest(sample.frame, { seed: 0 }));
  await part('anomalies: score', () => forest.score(sample.frame));
  await part('quick model', () => quickModelOfFrame(data.frame, data.target!, target.problemType, data.sampled));
}
engine.close();
