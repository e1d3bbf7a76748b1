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
import { PYTHON, ensureDebianPython, fmt, loadNote, median, timed } from '../lib.js';

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

/** `sluice --help` and `sluice flow validate` from process start to exit (issue 19, target 5: < 0.2 s). */
function startup(): string {
  const load = loadNote();
  const cases: Array<[string, string, string[]]> = [
    ['`sluice --help`', process.execPath, ['bin/sluice.js', '--help']],
    ['`sluice flow validate` (the diabetes flow)', process.execPath, ['bin/sluice.js', 'flow', 'validate', FLOW]],
    ['`node -e 0` (Node alone, the floor)', process.execPath, ['-e', '0']],
    ['`python3 -c "import pandas"` (anchor)', PYTHON, ['-c', 'import pandas']],
  ];
  const rows = cases.map(([name, cmd, args]) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < Math.max(RUNS, 5); i++) {
      const r = timed(cmd, args);
      wall.push(r.seconds);
      cpu.push(r.cpuS);
    }
    return `| ${name} | ${fmt(median(wall), 3)} | ${fmt(median(cpu), 3)} |`;
  });
  return [
    `### Start-up (issue 19, target 5: under 0.2 s)`,
    '',
    `Median of ${Math.max(RUNS, 5)} runs each; ${load} at the start.`,
    '',
    '| command | wall s | CPU s |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
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
  // Whole processes, interleaved so both sides meet the same load: the CLI (1 DuckDB thread)
  // and the pandas script, each from process start to exit.
  const loadCli = loadNote();
  const cli: number[] = [];
  const cliCpu: number[] = [];
  const pandas: number[] = [];
  const pandasWall: number[] = [];
  const pandasCpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = timed(process.execPath, ['bin/sluice.js', 'flow', 'run', FLOW, '--input', DATA, '--output', join(OUT, 'cli.parquet'), '--quiet'], {
      SLUICE_THREADS: '1',
    });
    cli.push(c.seconds);
    cliCpu.push(c.cpuS);
    if (hasPandas) {
      const r = timed(PYTHON, ['bench/flow/diabetes_pandas.py', DATA, join(OUT, 'pandas.csv')], { OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive' });
      pandas.push(JSON.parse(r.stdout).seconds);
      pandasWall.push(r.seconds);
      pandasCpu.push(r.cpuS);
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
  lines.push(`### Whole process: \`sluice flow run\` against \`python3 diabetes_pandas.py\` (issue 19, target 1)`, '');
  lines.push(`Median of ${RUNS} interleaved runs each, start to exit; ${loadCli} at the start. CPU = user + system of all threads.`, '');
  lines.push('| run | wall s | CPU s | ratio to pandas (wall / CPU) |', '|---|---|---|---|');
  lines.push(
    `| \`sluice flow run\` CLI → Parquet, 1 DuckDB thread | ${fmt(median(cli), 3)} | ${fmt(median(cliCpu), 3)} | ${fmt(median(cli) / median(pandasWall))} / ${fmt(median(cliCpu) / median(pandasCpu))} |`,
  );
  lines.push(`| pandas script → CSV, whole process | ${fmt(median(pandasWall), 3)} | ${fmt(median(pandasCpu), 3)} | 1.00 / 1.00 |`, '');
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
