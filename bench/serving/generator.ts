import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { DIABETES_CSV } from '../../test/models/diabetesModel.js';
import type { OpenLoopResult } from './openLoop.js';

/**
 * What the serving benchmarks (openLoopBench.ts, replicasBench.ts, requestCpu.ts) share to start
 * a run: the project serving a champion, the single-record request body, and the open-loop
 * generator (openLoopCli.ts) in a process of its own.
 */

/** One generator run: single-record JSON POSTs from `bodyFile` to `url` at `rate` per second. */
export interface GeneratorRun {
  url: string;
  bodyFile: string;
  rate: number;
  connections: number;
  /** Seconds measured, after `warmup` seconds not measured. */
  duration: number;
  warmup: number;
  /** Extra `--header 'name: value'` arguments. */
  headers?: readonly string[];
}

/** The node arguments that start the generator for `run` (`node ARGS`, or behind `taskset`). */
export function generatorArgs(run: GeneratorRun): string[] {
  return [
    '--import',
    'tsx',
    'bench/serving/openLoopCli.ts',
    '--url',
    run.url,
    '--rate',
    String(run.rate),
    '--connections',
    String(run.connections),
    '--duration',
    String(run.duration),
    '--warmup',
    String(run.warmup),
    '--body-file',
    run.bodyFile,
    '--content-type',
    'application/json',
    ...(run.headers ?? []),
  ];
}

/**
 * The generator in its own process, spawned asynchronously (the caller's event loop keeps
 * serving: a proxy or the endpoint itself may run in it); its result line.
 */
export async function runGenerator(run: GeneratorRun): Promise<OpenLoopResult> {
  const child = spawn(process.execPath, generatorArgs(run), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const status = await new Promise<number | null>((r) => child.once('exit', r));
  if (status !== 0) throw new Error(`the generator failed (${status}): ${stderr}`);
  return JSON.parse(stdout) as OpenLoopResult;
}

/** Writes the first record of the diabetes data as a `{"instances": [record]}` body to `file`. */
export function writeSingleRecordBody(file: string): string {
  const lines = readFileSync(DIABETES_CSV, 'utf8').split('\n', 2);
  const header = lines[0]!.split(',');
  const record = Object.fromEntries(lines[1]!.split(',').map((v, i) => [header[i]!, v]));
  const body = JSON.stringify({ instances: [record] });
  writeFileSync(file, body);
  return body;
}

/** Registers `artifact` as the first version of `model` (approved) in an empty registry and makes it champion. */
export async function serveAsChampion(registry: ModelRegistry, artifact: string, model = 'readmission'): Promise<void> {
  await registry.register(artifact, { name: model, status: 'approved', by: 'bench' });
  await registry.promote(model, 1, 'champion', 'bench');
}

/** The closing line of each report: the load averages at the start (as given) and now, and the CPUs. */
export function loadLine(loadStart: readonly number[]): string {
  const fmt = (xs: readonly number[]): string => xs.map((x) => x.toFixed(2)).join(' ');
  return `Load average at start: ${fmt(loadStart)}; at end: ${fmt(loadavg())} (${cpus().length} CPUs).`;
}
