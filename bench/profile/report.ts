import { fileURLToPath } from 'node:url';
/**
 * Report benchmark (issue 19, target 2): the whole `sluice report` process on the diabetes data
 * (69,570 rows), on 1 million and on 10 million rows, each beside the pandas anchor (a whole
 * `python3 bench/profile/summary_pandas.py` process: read_csv, describe, isna, nunique,
 * value_counts, duplicated, Pearson + Spearman) in the same run, runs interleaved, with median
 * wall time, median CPU time (user + system: the steadier figure on a shared machine), peak RSS
 * and the load average. The targets: under 1 s at 69,570 rows, under 5 s at 1M, under 10 s in
 * under 2 GB at 10M.
 *
 * Run: node --import tsx bench/profile/report.ts
 *   BENCH_RUNS=5        runs at 69,570 rows (medians); BENCH_RUNS_1M=1 at 1M
 *   BENCH_1M=0          skip 1M rows; BENCH_10M=0 skip 10M rows (its CSV is ~0.55 GB, made once)
 *   BENCH_BEFORE=path   an earlier build's `cli/main.js` (e.g. a copy of dist/ before a change),
 *                       run interleaved with the current one at 69,570 rows
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { writeTable } from '../../src/engine/writeTable.js';
import { PYTHON, ensureDebianPython, fmt, median, timed } from '../lib.js';

const DATA = existsSync('examples/diabetes/diabetic-readmission.csv')
  ? 'examples/diabetes/diabetic-readmission.csv'
  : fileURLToPath(new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url));
const OUT = 'bench/out';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RUNS_1M = Number(process.env.BENCH_RUNS_1M ?? 1);
const CLI = resolve('bin/sluice.js');

/** `copies` jittered copies of the diabetes data as one CSV (15: 1,043,550 rows; 144: 10,018,080), made once. */
async function makeCopies(path: string, copies: number): Promise<void> {
  if (existsSync(path)) return;
  const engine = await Engine.open({ memoryLimit: '2GB' });
  await readTable(engine, DATA, { name: 'raw' });
  await writeTable(
    engine,
    `SELECT * EXCLUDE (k) REPLACE (num_lab_procedures + (k % 7) AS num_lab_procedures, CASE WHEN (k + age) % 50 = 0 THEN NULL ELSE time_in_hospital END AS time_in_hospital) FROM raw, range(${copies}) t(k)`,
    path,
  );
  engine.close();
}

interface Run {
  seconds: number;
  cpuS: number;
  peakMb: number;
  ok: boolean;
  timings?: Record<string, number>;
}

function sluice(main: string, data: string, out: string): Run {
  const r = timed(process.execPath, [main, 'report', data, '--target', 'readmitted', '--out', out]);
  const file = join(out, 'report.json');
  const timings = r.status === 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { timings: Record<string, number> }).timings : undefined;
  return { seconds: r.seconds, cpuS: r.cpuS, peakMb: r.peakMb, ok: r.status === 0, ...(timings ? { timings } : {}) };
}

function pandas(data: string): Run {
  const r = timed(PYTHON, ['bench/profile/summary_pandas.py', data, '1']);
  return { seconds: r.seconds, cpuS: r.cpuS, peakMb: r.peakMb, ok: r.status === 0 };
}

const med = (runs: Run[], k: 'seconds' | 'cpuS' | 'peakMb') => median(runs.map((r) => r[k]));
const cell = (runs: Run[]) =>
  runs.length === 0
    ? '—'
    : `${fmt(med(runs, 'seconds'))} s wall, ${fmt(med(runs, 'cpuS'))} s CPU, ${fmt(Math.max(...runs.map((r) => r.peakMb)), 0)} MB${runs.every((r) => r.ok) ? '' : ' (FAILED)'}`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

export async function reportBench(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  const hasPandas = ensureDebianPython(['pandas'], ['python3-pandas']);
  const before = process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE) : undefined;
  say(`Machine: ${cpus().length} CPUs; load average at start ${load()}. Whole processes; medians; CPU = user + system.`);
  say('');
  say('| target | data | Sluice `sluice report --target readmitted` | pandas summary anchor, same run | met? |');
  say('|---|---|---|---|---|');

  const now: Run[] = [];
  const was: Run[] = [];
  const py: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (before) was.push(sluice(before, DATA, join(OUT, 'report-before')));
    now.push(sluice(CLI, DATA, join(OUT, 'report-cli')));
    if (hasPandas) py.push(pandas(DATA));
  }
  say(
    `| < 1 s | diabetes, 69,570 rows, median of ${RUNS} (load ${loadavg()[0]!.toFixed(1)}) | ${cell(now)} | ${hasPandas ? cell(py) : 'pandas not available'} | ${med(now, 'seconds') < 1 ? 'yes' : 'no'} |`,
  );

  if (process.env.BENCH_1M !== '0') {
    const big = join(OUT, 'diabetes-1m.csv');
    await makeCopies(big, 15);
    const s: Run[] = [];
    const p: Run[] = [];
    for (let i = 0; i < RUNS_1M; i++) {
      s.push(sluice(CLI, big, join(OUT, 'report-1m')));
      if (hasPandas) p.push(pandas(big));
    }
    say(
      `| < 5 s | 1,043,550 rows (15 jittered copies), median of ${RUNS_1M} (load ${loadavg()[0]!.toFixed(1)}) | ${cell(s)} | ${hasPandas ? cell(p) : 'pandas not available'} | ${med(s, 'seconds') < 5 && s.every((r) => r.ok) ? 'yes' : 'no'} |`,
    );
  }
  if (process.env.BENCH_10M !== '0') {
    const huge = join(OUT, 'diabetes-10m.csv');
    await makeCopies(huge, 144);
    const s = [sluice(CLI, huge, join(OUT, 'report-10m'))];
    const ok = s[0]!.ok && s[0]!.seconds < 10 && s[0]!.peakMb < 2048;
    say(
      `| < 10 s in < 2 GB | 10,018,080 rows (144 jittered copies), one run (load ${loadavg()[0]!.toFixed(1)}) | ${cell(s)} | not run (pandas needs several GB for this file) | ${ok ? 'yes' : 'no'} |`,
    );
  }
  if (before) say(`| (before) | diabetes, the build at \`${process.env.BENCH_BEFORE}\`, interleaved with the runs above | ${cell(was)} | | |`);
  say('');
  const mid = [...now].sort((a, b) => a.seconds - b.seconds)[now.length >> 1];
  if (mid?.timings)
    say(
      `Parts of the median 69,570-row run (report.json \`timings\`, ms): ${Object.entries(mid.timings)
        .map(([k, v]) => `${k} ${fmt(v, 0)}`)
        .join(', ')}.`,
    );
  say(`Load average at end: ${load()}.`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/profile/report.ts')) await reportBench();
