/**
 * One Sluice GBDT fit in a fresh process, for bench/ml/gbdtBench.ts (which runs it once per run,
 * so every fit pays for its own JIT warm-up as a user's would).
 *
 *   node --import tsx bench/ml/gbdtFit.ts FRAMES.v8 PARAMS_JSON
 *
 * FRAMES.v8 is `v8.serialize({ train, yTrain, test, yTest })`. Prints one JSON object: the fit's
 * wall and CPU seconds (user + system of the process, every thread), iterations, holdout log loss.
 */
import { readFileSync } from 'node:fs';
import { deserialize } from 'node:v8';
import type { Frame, Target } from '../../src/ml/frame.js';
import type { GbdtParams } from '../../src/ml/gbdt/gbdtParams.js';
import { trainGbdt } from '../../src/ml/gbdt/trainGbdt.js';
import { logLoss } from '../../src/ml/metrics/logLoss.js';

const [framesPath, paramsJson] = process.argv.slice(2);
const { train, yTrain, test, yTest } = deserialize(readFileSync(framesPath!)) as { train: Frame; yTrain: Target; test: Frame; yTest: Target };
const params = JSON.parse(paramsJson!) as Partial<GbdtParams>;
const c0 = process.cpuUsage();
const t0 = performance.now();
const model = trainGbdt(train, yTrain, params);
const fit_s = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const p = model.predictProba(test);
const codes = yTest.kind === 'classification' ? yTest.codes : new Int32Array();
const out = { fit_s, cpu_s: (cpu.user + cpu.system) / 1e6, iterations: model.iterations, log_loss: logLoss(codes, p, model.labels.length) };
process.stdout.write(`${JSON.stringify(out)}\n`);
