/**
 * Issue 19, targets 1 and 5, whole processes side by side with their anchors in one run:
 * `sluice --help` and `sluice flow validate` under 0.2 s (anchor: `node -e 0`, Node's own start),
 * and the recipe CLI (`sluice flow run`, one DuckDB thread) faster than the pandas script.
 * Runs are interleaved so that both sides meet the same load; CPU (user + system, all threads)
 * is the steadier figure on a shared machine, the targets are stated on wall time.
 * Run: npm run bench -- startup   (the flow part includes it too)
 */
import { join } from 'node:path';
import { PYTHON, ensureDebianPython, fmt, loadNote, median, timed } from '../lib.js';

const FLOW = 'examples/diabetes/diabetes.flow.yaml';
const DATA = 'examples/diabetes/diabetic-readmission.csv';
const OUT = 'bench/out';
const RUNS = Math.max(Number(process.env.BENCH_RUNS ?? 5), 5);

type Case = { name: string; cmd: string; args: string[]; env?: Record<string, string> };

/** Each case RUNS times, case after case within a round: medians of wall and CPU seconds. */
function interleaved(cases: Case[]): Array<{ wall: number; cpu: number }> {
  const wall: number[][] = cases.map(() => []);
  const cpu: number[][] = cases.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    cases.forEach((c, k) => {
      const r = timed(c.cmd, c.args, c.env);
      if (r.status !== 0) throw new Error(`${c.name} exited with ${r.status}`);
      wall[k]!.push(r.seconds);
      cpu[k]!.push(r.cpuS);
    });
  }
  return cases.map((_, k) => ({ wall: median(wall[k]!), cpu: median(cpu[k]!) }));
}

const verdict = (met: boolean) => (met ? '**met**' : '**not met**');

/** `sluice --help` and `sluice flow validate` from process start to exit (target 5: < 0.2 s). */
export function startup(): string {
  const load = loadNote();
  const cases: Case[] = [
    { name: '`sluice --help`', cmd: process.execPath, args: ['bin/sluice.js', '--help'] },
    { name: '`sluice flow validate examples/diabetes/diabetes.flow.yaml`', cmd: process.execPath, args: ['bin/sluice.js', 'flow', 'validate', FLOW] },
    { name: '`node -e 0` (Node alone: the floor)', cmd: process.execPath, args: ['-e', '0'] },
  ];
  const r = interleaved(cases);
  const rows = cases.map((c, k) => `| ${c.name} | ${fmt(r[k]!.wall, 3)} | ${fmt(r[k]!.cpu, 3)} | ${k < 2 ? verdict(r[k]!.wall < 0.2) : 'anchor'} |`);
  return [
    '### Start-up (issue 19, target 5: under 0.2 s, whole process)',
    '',
    `Median of ${RUNS} interleaved runs each; ${load} at the start.`,
    '',
    '| command | wall s | CPU s | target < 0.2 s wall |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The recipe CLI against the pandas script, whole processes (target 1: faster than pandas). */
export function cliAgainstPandas(): string {
  const load = loadNote();
  if (!ensureDebianPython(['pandas'], ['python3-pandas'])) return '(pandas is not available: /usr/bin/python3 -c "import pandas" fails)';
  const cases: Case[] = [
    {
      name: '`sluice flow run` CLI → Parquet, 1 DuckDB thread',
      cmd: process.execPath,
      args: ['bin/sluice.js', 'flow', 'run', FLOW, '--input', DATA, '--output', join(OUT, 'cli.parquet'), '--quiet'],
      env: { SLUICE_THREADS: '1' },
    },
    {
      name: 'pandas script → CSV (`/usr/bin/python3 bench/flow/diabetes_pandas.py`)',
      cmd: PYTHON,
      args: ['bench/flow/diabetes_pandas.py', DATA, join(OUT, 'pandas.csv')],
      env: { OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'passive' },
    },
  ];
  const [cli, pandas] = interleaved(cases) as [{ wall: number; cpu: number }, { wall: number; cpu: number }];
  return [
    '### Whole process: `sluice flow run` against the pandas script (issue 19, target 1)',
    '',
    `Median of ${RUNS} interleaved runs each, start to exit; ${load} at the start. CPU = user + system of all threads.`,
    '',
    '| run | wall s | CPU s | ratio to pandas (wall / CPU) |',
    '|---|---|---|---|',
    `| ${cases[0]!.name} | ${fmt(cli.wall, 3)} | ${fmt(cli.cpu, 3)} | ${fmt(cli.wall / pandas.wall)} / ${fmt(cli.cpu / pandas.cpu)} |`,
    `| ${cases[1]!.name} | ${fmt(pandas.wall, 3)} | ${fmt(pandas.cpu, 3)} | 1.00 / 1.00 |`,
    '',
    `Target (faster than pandas, wall): ${verdict(cli.wall < pandas.wall)}; on CPU: ${cli.cpu < pandas.cpu ? 'faster' : 'slower'}.`,
  ].join('\n');
}

if (process.argv[1]?.endsWith('bench/flow/startupBench.ts')) {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(OUT, { recursive: true });
  process.stdout.write(`${cliAgainstPandas()}\n\n${startup()}\n`);
}
