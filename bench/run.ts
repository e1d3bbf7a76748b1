/**
 * `npm run bench [-- PART ...]`: runs the benchmark parts (all by default) one after another,
 * each in its own process, each side by side with its anchor (pandas, scikit-learn, XGBoost,
 * a Fastify hello-world) in the same run, and writes each part's output into its own section of
 * docs/benchmarks.md (the rest of the file, the notes written around the figures, is kept).
 *
 * Parts: flow, partitions, startup, steps, profile, ml, gbdt, features, serving, endpoint, replicas, pipeline, workers, train-budget. The machine should be otherwise idle: these are
 * 2-core shared machines, so each part reports medians and CPU time next to wall time, and the
 * load average at the start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { withBenchSections } from './withBenchSections.js';

const PARTS: Record<string, { script: string; args: string[]; title: string }> = {
  flow: { script: 'bench/flow/flowBench.ts', args: [], title: 'Flows (issue 2): the diabetes recipe against pandas; 10M rows in bounded memory' },
  partitions: {
    script: 'bench/flow/partitionsBench.ts',
    args: [],
    title: 'Partitioned batches (issue 17 point 8): one Parquet file against 8 partitions through the same flow',
  },
  startup: {
    script: 'bench/flow/startupBench.ts',
    args: [],
    title: 'CLI start-up and the recipe CLI against pandas, whole processes (issue 19, targets 5 and 1)',
  },
  steps: { script: 'bench/steps/featuresBench.ts', args: [], title: 'Flows (issue 2): feature-engineering steps against pandas + scikit-learn' },
  profile: {
    script: 'bench/profile/report.ts',
    args: [],
    title: 'Insights report (issues 3 and 19, target 2): 69,570, 1M and 10M rows against pandas summary statistics',
  },
  ml: { script: 'bench/ml/train.ts', args: ['--sizes', '70k', '--runs', '3'], title: 'Training (issue 4) against scikit-learn and XGBoost' },
  gbdt: {
    script: 'bench/ml/gbdtBench.ts',
    args: ['--sizes', '70k,1m', '--runs', '5'],
    title: 'GBDT against HistGradientBoosting, same hyperparameters, one thread (issue 19, target 3)',
  },
  features: { script: 'bench/features/ingest.ts', args: [], title: 'Feature store (issue 5)' },
  replicas: {
    script: 'bench/serving/replicasBench.ts',
    args: [],
    title: 'Endpoint replicas (issue 17): 1 and 2 `sluice serve --role endpoint` processes behind a round-robin proxy',
  },
  serving: { script: 'bench/serving/run.ts', args: ['--duration', '15'], title: 'Endpoint (issue 7) against a Fastify hello-world' },
  endpoint: {
    script: 'bench/serving/endpointBench.ts',
    args: [],
    title: 'Endpoint (issue 19, target 4): p99 at 5,000 requests/s and the 10,000-record batch, against a Fastify hello-world',
  },
  pipeline: { script: 'bench/pipeline/pipelineBench.ts', args: [], title: 'Pipelines (issue 6): orchestration overhead and 100 executions' },
  workers: {
    script: 'bench/pipeline/workersBench.ts',
    args: [],
    title: 'Workers (issue 17): 100 executions, 1/2/4 workers, SQLite against PostgreSQL',
  },
  'train-budget': {
    script: 'bench/train/budgetBench.ts',
    args: ['--runs', '3'],
    title: 'Training time budget (issue 14): --time-limit 60 on 3M rows, defaults on 300 rows',
  },
};

// Part names, and options handed to every part (`npm run bench -- workers --executions 20`).
const wanted: string[] = [];
const forwarded: string[] = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--no-write') continue;
  if (a.startsWith('-')) {
    forwarded.push(a);
    if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) forwarded.push(argv[++i]!);
  } else wanted.push(a);
}
const parts = wanted.length ? wanted : Object.keys(PARTS);
const sections = new Map<string, string>();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
for (const name of parts) {
  const part = PARTS[name];
  if (!part) {
    process.stderr.write(`unknown part "${name}"; parts: ${Object.keys(PARTS).join(', ')}\n`);
    process.exit(2);
  }
  if (!existsSync(part.script)) {
    sections.set(name, `### ${part.title}\n\n(not available: ${part.script} is missing)\n`);
    continue;
  }
  const load = loadavg()[0]!.toFixed(1);
  // Given options first: the parts read the first occurrence of an option.
  const args = [...forwarded, ...part.args];
  process.stderr.write(`▶ ${name}: node --import tsx ${part.script} ${args.join(' ')} (load average ${load})\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', part.script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  process.stdout.write(r.stdout);
  sections.set(
    name,
    `### ${part.title}\n\nLatest run: \`npm run bench -- ${name}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine}; command \`node --import tsx ${part.script} ${args.join(' ')}\` (load average at start: ${load}${r.status === 0 ? '' : `; exited with ${r.status}`})\n\n${r.stdout.trim()}\n`,
  );
}

if (!process.argv.includes('--no-write')) {
  const file = 'docs/benchmarks.md';
  const doc = withBenchSections(existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n', sections);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, doc);
  renameSync(tmp, file);
  process.stderr.write(`wrote ${[...sections.keys()].join(', ')} into ${file} (their sections only)\n`);
}
