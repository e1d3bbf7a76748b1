import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../cli/run.js';
import { expectCleanError } from '../cli/run.js';
import { tempDir } from '../support/data.js';
import { mixedFlowYaml, writeMixedCsv } from './onnxHarness.js';
import { runCliInProcess } from '../support/runCliInProcess.js';

/** The built CLI (dist/) in this process. */
function sluice(args: string[]): Promise<CliResult> {
  return runCliInProcess(args);
}

const dir = tempDir('sluice-onnx-cli-');
const csv = writeMixedCsv(dir, 600, 3);
const flow = join(dir, 'readmit.flow.yaml');
writeFileSync(flow, mixedFlowYaml('readmit', ['outcome', 'cost']));
const out = join(dir, 'trained');
const project = join(dir, 'project');
mkdirSync(project);

beforeAll(async () => {
  const trained = await sluice(['train', csv, '--target', 'readmit', '--flow', flow, '--time-limit', '8', '--seed', '3', '--out', out]);
  expect(trained.code, trained.stderr).toBe(0);
  const registered = await sluice(['models', 'register', 'readmit', join(out, 'model'), '--project', project]);
  expect(registered.code, registered.stderr).toBe(0);
}, 120_000);

describe.concurrent('sluice models export', () => {
  it('exports a training output folder (--from) to a file onnxruntime loads, and prints what the graph holds', async () => {
    const file = join(dir, 'from.onnx');
    const r = await sluice(['models', 'export', '--from', out, '--format', 'onnx', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*from\.onnx \(\d+ bytes\)/);
    expect(r.stdout).toContain('inputs: the raw columns');
    expect(r.stdout).toMatch(/in the graph: 2 impute, 3 impute, 4 scale, 5 one_hot, 6 one_hot, 7 ordinal_encode, 8 rename_columns/);
    expect(r.stdout).toMatch(/probabilities\s+double \[N, 2\]: class probabilities in label order: false, true/);
    const session = await ort.InferenceSession.create(readFileSync(file));
    expect(session.outputNames).toEqual(['predicted_label', 'probabilities']);
    expect([...session.inputNames].sort()).toEqual(['color', 'dose', 'flag', 'grade', 'site', 'visits', 'ward']);
    const feeds = {
      dose: new ort.Tensor('float64', Float64Array.of(12.5, NaN), [2, 1]),
      visits: new ort.Tensor('float64', Float64Array.of(3, 8), [2, 1]),
      ward: new ort.Tensor('float64', Float64Array.of(2, 5), [2, 1]),
      color: new ort.Tensor('string', ['red', ''], [2, 1]),
      grade: new ort.Tensor('string', ['high', 'low'], [2, 1]),
      flag: new ort.Tensor('string', ['true', 'false'], [2, 1]),
      site: new ort.Tensor('string', ['east', 'north'], [2, 1]),
    };
    const res = await session.run(feeds);
    const p = res.probabilities!.data as Float64Array;
    expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
    expect(['false', 'true']).toContain((res.predicted_label!.data as string[])[0]);
  }, 120_000);

  it('exports a registered version by name and version, with --json', async () => {
    const file = join(dir, 'registered.onnx');
    const r = await sluice(['models', 'export', 'readmit', '1', '--out', file, '--json', '--project', project]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({
      model: 'readmit version 1',
      format: 'onnx',
      task: 'classification',
      labels: ['false', 'true'],
      startsAfter: 0,
      opsets: { 'ai.onnx': 21, 'ai.onnx.ml': 5 },
    });
    expect(s.bytes).toBe(readFileSync(file).length);
    const session = await ort.InferenceSession.create(readFileSync(file));
    expect(session.inputNames).toHaveLength(7);
  }, 120_000);

  it('refuses bad requests with a clear error and writes nothing', async () => {
    const file = join(dir, 'bad.onnx');
    const cases: Array<[string[], string]> = [
      [['--from', out, '--format', 'pmml', '--out', file], 'CLI_BAD_OPTION'],
      [['--out', file], 'CLI_BAD_OPTION'],
      [['readmit', '--from', out, '--out', file, '--project', project], 'CLI_BAD_OPTION'],
      [['--from', out, '--out', dir], 'CLI_BAD_OPTION'],
      [['--from', join(dir, 'nope'), '--out', file], 'ARTIFACT_NOT_FOUND'],
      [['nope', '--out', file, '--project', project], 'MODEL_NOT_FOUND'],
      [['readmit', '7', '--out', file, '--project', project], 'MODEL_NOT_FOUND'],
    ];
    const results = await Promise.all(cases.map(([args]) => sluice(['models', 'export', ...args])));
    results.forEach((r, i) => {
      expectCleanError(r, cases[i]![1]);
    });
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'model.json'), '{"format": "sluice-model", "formatVer');
    writeFileSync(join(broken, 'fitted-flow.json'), readFileSync(join(out, 'model', 'fitted-flow.json')));
    expectCleanError(await sluice(['models', 'export', '--from', broken, '--out', file]), 'ARTIFACT_INVALID');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 240_000);
});
