/**
 * Flow benchmark: the diabetes recipe in Sluice and in pandas, side by side in one run, and a
 * 10-million-row file through the same recipe with its peak memory.
 * Run: npm run bench -- flow   (or: node --import tsx bench/flow/flowBench.ts)
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { writeTable } from '../../src/engine/writeTable.js';
import { loadFlow } from '../../src/flow/loadFlow.js';
import { runFlow } from '../../src/flow/runFlow.js';
import { PYTHON, ensureDebianPython, fmt, median, timed } from '../lib.js';
import { cliAgainstPandas, startup } from './startupBench.js';

const FLOW = 'examples/diabetes/diabetes.flow.yaml';
const DATA = 'examples/diabetes/diabetic-readmission.csv';
const OUT = 'bench/out';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function inProcess(threads: number, output: string): Promise<number> {
  const spec = await loadFlow(FLOW);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const engine = await Engine.open({ threads, memoryLimit: '1GB' });
    const t = performance.now();
    await runFlow(engine, { flow: spec, input: DATA, output });
    times.push((performance.now() - t) / 1000);
    engine.close();
  }
  return median(times);
}

async function make10M(path: string): Promise<void> {
  if (existsSync(path)) return;
  process.stderr.write('generating 10M-row CSV (once)…\n');
  const engine = await Engine.open({ memoryLimit: '2GB' });
  await readTable(engine, DATA, { name: 'raw' });
  // 144 jittered copies of the data set: 10,018,080 rows
  await writeTable(
    engine,
    `SELECT * EXCLUDE (k) REPLACE (num_lab_procedures + (k % 7) AS num_lab_procedures, CASE WHEN (k + age) % 50 = 0 THEN NULL ELSE time_in_hospital END AS time_in_hospital) FROM raw, range(144) t(k)`,
    path,
  );
  engine.close();
}

export async function flowBench(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const hasPandas = ensureDebianPython(['pandas'], ['python3-pandas']);
  const lines: string[] = [];
  const ours1 = await inProcess(1, join(OUT, 'diabetes.csv'));
  const ours2 = await inProcess(2, join(OUT, 'diabetes.csv'));
  const oursPq = await inProcess(1, join(OUT, 'diabetes.parquet'));
  const pandas: number[] = [];
  if (hasPandas) {
    for (let i = 0; i < RUNS; i++) {
      const r = timed(PYTHON, ['bench/flow/diabetes_pandas.py', DATA, join(OUT, 'pandas.csv')], { OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive' });
      pandas.push(JSON.parse(r.stdout).seconds);
    }
  }
  const p = median(pandas);
  lines.push('## Flow: the diabetes recipe (69,570 rows, 10 steps)', '');
  lines.push(`Median of ${RUNS} runs; read CSV + fit + apply + write. pandas ${hasPandas ? 'from Debian' : 'not available'}.`, '');
  lines.push('| run | seconds | ratio to pandas |', '|---|---|---|');
  lines.push(`| Sluice in-process, 1 thread, CSV out | ${fmt(ours1, 3)} | ${fmt(ours1 / p)} |`);
  lines.push(`| Sluice in-process, 2 threads, CSV out | ${fmt(ours2, 3)} | ${fmt(ours2 / p)} |`);
  lines.push(`| Sluice in-process, 1 thread, Parquet out | ${fmt(oursPq, 3)} | ${fmt(oursPq / p)} |`);
  lines.push(`| pandas (same steps, vectorised hash ids), CSV out | ${fmt(p, 3)} | 1.00 |`, '');
  lines.push(cliAgainstPandas(), '');
  lines.push(startup(), '');

  if (process.env.BENCH_SKIP_LARGE !== '1') {
    const big = join(OUT, 'diabetes-10M.csv');
    await make10M(big);
    const mb = statSync(big).size / 1e6;
    const ours = timed(process.execPath, ['bin/sluice.js', 'flow', 'run', FLOW, '--input', big, '--output', join(OUT, 'big.parquet'), '--quiet']);
    lines.push(`## Flow: 10,018,080 rows (${fmt(mb, 0)} MB CSV) through the same recipe`, '');
    lines.push('| run | seconds | peak memory (RSS) |', '|---|---|---|');
    lines.push(`| \`sluice flow run\` → Parquet (DuckDB memory limit 1 GB, 2 threads) | ${fmt(ours.seconds, 1)} | ${fmt(ours.peakMb, 0)} MB |`);
    if (hasPandas && process.env.BENCH_SKIP_PANDAS_LARGE !== '1') {
      const pd = timed(PYTHON, ['bench/flow/diabetes_pandas.py', big, join(OUT, 'pandas-big.csv')]);
      lines.push(`| pandas → CSV | ${fmt(pd.seconds, 1)} | ${fmt(pd.peakMb, 0)} MB |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/flow/flowBench.ts')) {
  process.stdout.write((await flowBench()) + '\n');
}
