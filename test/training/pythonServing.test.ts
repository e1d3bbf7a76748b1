// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { trainModel } from '../../src/training/trainModel.js';
import { SMALL_HEADER, smallRows, tempDir, writeCsv } from './fixtures.js';

/**
 * Issue 15, point 4: a model whose flow has a python step cannot serve single records. That is
 * said when it is trained (the progress line, manifest.serving, the pipeline's
 * MODEL_CANNOT_SERVE_RECORDS finding), the pipeline's deploy keeps it challenger, and the
 * endpoint refuses to load it, unless the step is declared `serve: skip`, which training refuses
 * when the model reads a column the step adds.
 */
const dir = tempDir('sluice-python-serving-');
const data = writeCsv(dir, 'small.csv', SMALL_HEADER, smallRows(300, 5));
const quick = { learners: ['logistic' as const], maxCandidates: 1, ensemble: false };

/** A flow: a python step that adds an id (its `serve` as given) and may add a feature. */
function flow(name: string, serve: string | undefined, code: string): string {
  const file = join(dir, `${name}.flow.yaml`);
  const step = ['  - kind: python', '    name: ids', ...(serve ? [`    serve: ${serve}`] : []), '    code: |', ...code.split('\n').map((l) => `      ${l}`)];
  writeFileSync(file, ['version: 1', `name: ${name}`, 'target: label', 'steps:', ...step, ''].join('\n'));
  return file;
}

const ADD_ID = "import uuid\ndf['row_id'] = [str(uuid.uuid4()) for _ in range(len(df))]\ndf = df.dropna()";

async function train(name: string, flowPath: string) {
  const events: string[] = [];
  const r = await trainModel(data, {
    target: 'label',
    flowPath,
    outDir: join(dir, name),
    timeLimit: 20,
    search: quick,
    onProgress: (e) => events.push(e.message),
  });
  return { r, events };
}

describe('a python step and serving single records', () => {
  it('without serve: skip, training says the model cannot serve records, and the endpoint refuses to load it', async () => {
    const { r, events } = await train('refused', flow('refused', undefined, ADD_ID));
    const said = events.find((m) => m.startsWith('this model will not serve single records'));
    expect(said).toContain('step 1 (python "ids"): python code runs on batches');
    expect(said).toContain('serve: skip');
    expect(r.manifest.serving).toEqual({ records: false, problems: [expect.stringContaining('step 1 (python "ids")')] });
    await expect(loadFlowModelPredictor(r.files.modelDir, 'm', '1')).rejects.toThrow(/PREDICTOR_CANNOT_SERVE|cannot serve single records/);
  }, 240_000);

  it('with serve: skip, the step is left out at prediction time and the endpoint predicts records', async () => {
    const { r, events } = await train('skipped', flow('skipped', 'skip', ADD_ID));
    expect(events.some((m) => m.includes('will not serve single records'))).toBe(false);
    expect(r.manifest.serving).toEqual({ records: true });
    expect(r.manifest.inputSignature.map((c) => c.name).sort()).toEqual(['age', 'color', 'score']);
    const predictor = await loadFlowModelPredictor(r.files.modelDir, 'm', '1');
    const [p] = await predictor.predict([{ age: 70, color: 'red', score: 1.5 }]);
    expect(p).toHaveProperty('probabilities');
  }, 240_000);

  it('serve: skip is refused when the model reads a column the step adds', async () => {
    const code = `${ADD_ID}\ndf['age_twice'] = df['age'] * 2`;
    const { r } = await train('reads', flow('reads', 'skip', code));
    expect(r.manifest.serving?.records).toBe(false);
    expect(r.manifest.serving?.problems?.[0]).toContain('column "age_twice" comes from step 1 (python), declared `serve: skip`');
  }, 240_000);
});

// The pipeline: train (real) -> register_model (real) -> deploy (real), no approval.
const PIPELINE = `pipeline:
  name: python-serving
  start: train
  states:
    train: { type: task, activity: train, next: register_model }
    register_model: { type: task, activity: register_model, next: deploy }
    deploy: { type: task, activity: deploy, next: done }
    done: { type: succeed, outcome: finished }
`;

const runtimes: ProjectRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

describe('the pipeline: MODEL_CANNOT_SERVE_RECORDS at train and at deploy', () => {
  for (const serve of [undefined, 'skip'] as const) {
    it(`a flow with a python step${serve ? ' declared serve: skip' : ''}: ${serve ? 'no finding, deployed as champion' : 'a finding at train and at deploy, kept as challenger'}`, async () => {
      const project = tempDir('sluice-python-pipeline-');
      writeFileSync(
        join(project, 'py.flow.yaml'),
        `version: 1\nname: py\ntarget: label\nsteps:\n  - kind: python\n    name: ids\n${serve ? '    serve: skip\n' : ''}    code: |\n      df['row_id'] = range(len(df))\n`,
      );
      writeFileSync(
        join(project, 'sluice.yaml'),
        `name: py\nflow: py.flow.yaml\ntarget: label\nmodel: { name: py, timeLimit: 20, learners: [logistic], maxCandidates: 1, ensemble: false }\n${PIPELINE}`,
      );
      const batch = writeCsv(project, 'b1.csv', SMALL_HEADER, smallRows(300, 9));
      const r = await ProjectRuntime.open(loadProject(project), { logger: pino({ level: 'silent' }), pollMs: 20 });
      runtimes.push(r);
      const ex = await r.orchestrator.startFile(batch);
      await r.orchestrator.runUntilIdle();
      const rec = await r.store.require(ex.id);
      expect(rec.status, JSON.stringify(rec.error)).toBe('succeeded');
      const out = async (step: string) =>
        (await r.store.events(ex.id)).find((e) => e.type === 'ActivitySucceeded' && e.step === step)!.data.output as Record<string, any>;
      const codes = (o: Record<string, any>) => (o.findings ?? []).map((f: { code: string }) => f.code);
      const registry = await ModelRegistry.open(project);
      try {
        if (serve) {
          expect(codes(await out('train'))).not.toContain('MODEL_CANNOT_SERVE_RECORDS');
          expect((await out('deploy')).decision).toBe('champion');
          expect((await registry.champion('py'))?.version).toBe(1);
        } else {
          const finding = (await out('train')).findings.find((f: { code: string }) => f.code === 'MODEL_CANNOT_SERVE_RECORDS');
          expect(finding.message).toContain('step 1 (python "ids"): python code runs on batches');
          expect((await out('deploy')).decision).toBe('challenger');
          expect((await out('deploy')).reason).toContain('cannot serve single records at the endpoint');
          expect(codes(await out('deploy'))).toContain('MODEL_CANNOT_SERVE_RECORDS');
          expect(await registry.champion('py')).toBeUndefined();
        }
      } finally {
        await registry.close();
      }
    }, 300_000);
  }
});
