import { fileURLToPath } from 'node:url';
/**
 * Report benchmark: the full data quality and insights report of the diabetes data set (read,
 * statistics, correlations, quick model, prediction power, JSON + HTML written) against pandas
 * doing only the summary statistics (describe, missing, distinct, top values, duplicates,
 * Pearson and Spearman), in the same run on the same file; medians of 3. Then the CLI on the
 * diabetes file and on 1 million rows, with peak memory.
 * Run: node --import tsx bench/profile/report.ts   (BENCH_RUNS=3, BENCH_1M=0 to skip 1M rows)
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { writeTable } from '../../src/engine/writeTable.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { writeReport } from '../../src/profile/writeReport.js';
import { PYTHON, ensureDebianPython, fmt, median, timed } from '../lib.js';

const DATA = existsSync('examples/diabetes/diabetic-readmission.csv')
  ? 'examples/diabetes/diabetic-readmission.csv'
  : fileURLToPath(new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url));
const OUT = 'bench/out';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function sluiceReport(): Promise<{ total: number; parts: Record<string, number>; htmlKb: number }> {
  const totals: number[] = [];
  const parts: Record<string, number[]> = {};
  let htmlKb = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const engine = await Engine.open();
    await readTable(engine, DATA, { name: 'data' });
    const read = performance.now() - t;
    const report = await profileTable(engine, 'data', { target: 'readmitted', sourceName: 'diabetic-readmission.csv' });
    const tw = performance.now();
    const files = await writeReport(report, join(OUT, 'report-diabetes'));
    const write = performance.now() - tw;
    engine.close();
    totals.push((performance.now() - t) / 1000);
    for (const [k, v] of Object.entries({ read, ...report.timings, write })) (parts[k] ??= []).push(v);
    htmlKb = statSync(files.html).size / 1024;
  }
  return { total: median(totals), parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, median(v)])), htmlKb };
}

async function make1M(path: string): Promise<void> {
  if (existsSync(path)) return;
  const engine = await Engine.open({ memoryLimit: '2GB' });
  await readTable(engine, DATA, { name: 'raw' });
  // 15 jittered copies: 1,043,550 rows
  await writeTable(
    engine,
    `SELECT * EXCLUDE (k) REPLACE (num_lab_procedures + (k % 7) AS num_lab_procedures, CASE WHEN (k + age) % 50 = 0 THEN NULL ELSE time_in_hospital END AS time_in_hospital) FROM raw, range(15) t(k)`,
    path,
  );
  engine.close();
}

export async function reportBench(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  say(
    `Machine: ${cpus().length} CPUs; load average at start ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}.`,
  );
  say('');
  say('| run | data | wall time | notes |');
  say('|---|---|---|---|');
  const s = await sluiceReport();
  say(
    `| Sluice full report, in process (read, statistics, correlations, quick model, prediction power, anomalies, JSON + HTML), median of ${RUNS} | diabetes 69,570 × 16 | ${fmt(s.total)} s | HTML ${fmt(s.htmlKb, 0)} KB |`,
  );
  if (ensureDebianPython(['pandas'], ['python3-pandas'])) {
    const p = timed(PYTHON, ['bench/profile/summary_pandas.py', DATA, String(RUNS)]);
    const r = JSON.parse(p.stdout) as { read: number; stats: number; total: number };
    say(
      `| pandas summary statistics only (read_csv, describe, isna, nunique, value_counts, duplicated, Pearson + Spearman), median of ${RUNS} | same file | ${fmt(r.total)} s | read ${fmt(r.read)} s + statistics ${fmt(r.stats)} s |`,
    );
  } else say('| pandas | — | not available | |');
  const bin = resolve('bin/sluice.js');
  const cli = timed(process.execPath, [bin, 'report', DATA, '--target', 'readmitted', '--out', join(OUT, 'report-cli')]);
  say(`| \`sluice report\` CLI, one run incl. process start | diabetes | ${fmt(cli.seconds)} s | peak RSS ${fmt(cli.peakMb, 0)} MB |`);
  if (process.env.BENCH_1M !== '0') {
    const big = join(OUT, 'diabetes-1m.csv');
    await make1M(big);
    const r = timed(process.execPath, [bin, 'report', big, '--target', 'readmitted', '--out', join(OUT, 'report-1m')]);
    say(
      `| \`sluice report\` CLI, one run | 1,043,550 rows (15 jittered copies) | ${fmt(r.seconds)} s | peak RSS ${fmt(r.peakMb, 0)} MB${r.status === 0 ? '' : ' (FAILED)'} |`,
    );
  }
  say('');
  say(
    `Sluice parts, median ms: ${Object.entries(s.parts)
      .map(([k, v]) => `${k} ${fmt(v, 0)}`)
      .join(', ')}.`,
  );
  say(
    `Load average at end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}.`,
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/profile/report.ts')) await reportBench();
