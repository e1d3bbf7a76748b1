/**
 * Partitioned batches (issue 17 point 8): the same 1.04M-row batch as one Parquet file and as 8
 * Parquet partitions, through a flow with four learning steps, with the real CLI: CPU time, wall
 * time and peak memory of whole `sluice flow run` processes, interleaved, medians of BENCH_RUNS.
 * Run: node --import tsx bench/flow/partitionsBench.ts   (npm run build first: it runs bin/sluice.js)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { fmt, loadNote, median, timed } from '../lib.js';

const OUT = 'bench/out/partitions';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PARTS = 8;

const FLOW = `version: 1
name: partitions-bench
target: readmitted
steps:
  - { kind: impute, columns: [time_in_hospital, num_medications], strategy: median }
  - { kind: scale, columns: [num_lab_procedures], method: standard }
  - { kind: clip_outliers, columns: [num_medications], method: quantile }
  - { kind: one_hot, columns: [race, gender], top_k: 5 }
`;

async function prepare(): Promise<number> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'batch'), { recursive: true });
  writeFileSync(join(OUT, 'bench.flow.yaml'), FLOW);
  const engine = await Engine.open({ memoryLimit: '2GB' });
  await readTable(engine, 'examples/diabetes/diabetic-readmission.csv', { name: 'raw' });
  // 15 jittered copies of the data set: 1,043,550 rows
  await engine.exec(
    `CREATE TABLE big AS SELECT * EXCLUDE (k) REPLACE (num_lab_procedures + (k % 7) AS num_lab_procedures, CASE WHEN (k + age) % 50 = 0 THEN NULL ELSE time_in_hospital END AS time_in_hospital) FROM raw, range(15) t(k)`,
  );
  await engine.exec(`COPY big TO '${join(OUT, 'whole.parquet')}' (FORMAT parquet)`);
  for (let p = 0; p < PARTS; p++)
    await engine.exec(
      `COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER () AS rn FROM big) WHERE rn % ${PARTS} = ${p}) TO '${join(OUT, 'batch', `part-${p}.parquet`)}' (FORMAT parquet)`,
    );
  const [{ n }] = (await engine.query<{ n: number }>('SELECT count(*) AS n FROM big')) as [{ n: number }];
  engine.close();
  return n;
}

const rows = await prepare();
const flow = join(OUT, 'bench.flow.yaml');
const runs: Record<'one' | 'parts', Array<ReturnType<typeof timed>>> = { one: [], parts: [] };
for (let i = 0; i < RUNS; i++) {
  runs.one.push(
    timed(process.execPath, ['bin/sluice.js', 'flow', 'run', flow, '--input', join(OUT, 'whole.parquet'), '--output', join(OUT, 'one.parquet'), '-q']),
  );
  runs.parts.push(timed(process.execPath, ['bin/sluice.js', 'flow', 'run', flow, '--input', join(OUT, 'batch'), '--output', join(OUT, 'out'), '-q']));
}
const row = (name: string, r: Array<ReturnType<typeof timed>>) =>
  `| ${name} | ${fmt(median(r.map((x) => x.cpuS)))} | ${fmt(median(r.map((x) => x.seconds)))} | ${fmt(median(r.map((x) => x.peakMb)), 0)} | ${r.every((x) => x.status === 0) ? 'ok' : 'FAILED'} |`;
process.stdout.write(
  `${rows.toLocaleString('en')} rows, a flow with 4 learning steps (impute median, scale standard, clip_outliers quantile, one_hot); medians of ${RUNS} interleaved whole processes, ${loadNote()} at the end, ${new Date().toISOString().slice(0, 16)} UTC.\n\n| input | CPU s (user+sys) | wall s | peak RSS MB | |\n|---|---|---|---|---|\n${row('one Parquet file', runs.one)}\n${row(`${PARTS} Parquet partitions (fit from merged summaries, written per partition)`, runs.parts)}\n`,
);
