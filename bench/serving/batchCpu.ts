/**
 * CPU time of a 10,000-record `/invocations` batch in process, by stage (parse and type the body,
 * predict: the flow's record path then the model, build and serialise the answer), as CSV and
 * as JSON `dataframe_split`; medians of 10 after 2 warm-up runs. CPU time (process.cpuUsage)
 * rather than wall time, so the figure means something on a loaded machine.
 *
 *   node --import tsx bench/serving/batchCpu.ts --artifact DIR    # DIR: a model artifact (model.json + fitted-flow.json)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { parseInvocation } from '../../src/server/endpoint/parseInvocation.js';
import { chooseOutput, renderPredictions } from '../../src/server/endpoint/predictionOutput.js';
import { DIABETES_CSV, trainDiabetesModel } from '../../test/models/diabetesModel.js';

const i = process.argv.indexOf('--artifact');
const artifact = i >= 0 ? process.argv[i + 1]! : (await trainDiabetesModel({ rows: 40_000, maxIter: 100 })).dir;
const p = await loadFlowModelPredictor(artifact, 'readmission', '1');
const lines = readFileSync(DIABETES_CSV, 'utf8').trim().split('\n');
const header = lines[0]!.split(',');
const batch = lines.slice(1, 10_001);
const bodies = [
  ['text/csv', [lines[0], ...batch].join('\n')],
  ['application/json', JSON.stringify({ dataframe_split: { columns: header, data: batch.map((l) => l.split(',')) } })],
] as const;
const output = chooseOutput(undefined, undefined);
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = loadavg()[0]!;
for (const [type, body] of bodies) {
  const runs: number[][] = [];
  for (let r = 0; r < 12; r++) {
    const c0 = cpuMs();
    const parsed = parseInvocation(type, body, p.inputs, 100_000, p.missing);
    const c1 = cpuMs();
    const results = await p.predict(parsed.records);
    const c2 = cpuMs();
    const answer = renderPredictions(output, results, p.name, p.version);
    if ((typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)).length === 0) throw new Error('empty answer');
    const c3 = cpuMs();
    if (r >= 2) runs.push([c1 - c0, c2 - c1, c3 - c2, c3 - c0]);
  }
  const med = (k: number): string =>
    runs
      .map((x) => x[k]!)
      .sort((a, b) => a - b)
      [runs.length >> 1]!.toFixed(1);
  process.stdout.write(`${type}: parse ${med(0)}, predict ${med(1)}, answer ${med(2)}, total ${med(3)} CPU ms (load ${load.toFixed(1)})\n`);
}
