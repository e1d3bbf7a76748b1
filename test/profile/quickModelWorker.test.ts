import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { computeColumnStats } from '../../src/profile/columnStats.js';
import { loadModelData } from '../../src/profile/model/loadModelData.js';
import { QUICK_MODEL_WORKER_ROWS, quickModel } from '../../src/profile/model/quickModel.js';
import { quickModelOfFrame } from '../../src/profile/model/quickModelOfFrame.js';
import { dropEarlyQuickModelThread, startEarlyQuickModelThread, takeEarlyQuickModelThread } from '../../src/profile/model/quickModelThread.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { createProfileView } from '../../src/profile/profileView.js';
import type { ModelSectionInput } from '../../src/profile/reportPlugins.js';
import { computeTarget, inferProblemType, requireTarget } from '../../src/profile/targetStats.js';
import { resolveThresholds } from '../../src/profile/thresholds.js';
import { DIABETES } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await readTable(engine, DIABETES, { name: 'diabetes' });
});
afterAll(() => engine.close());

describe('the quick model on a worker thread (issue 19)', () => {
  it('gives exactly the result of the same fit on the calling thread', async () => {
    const t = resolveThresholds();
    const { view, schema } = await createProfileView(engine, 'diabetes');
    const columns = await computeColumnStats(engine, view, schema, await engine.count(view), t);
    const col = requireTarget(columns, 'readmitted');
    const target = await computeTarget(engine, view, col, inferProblemType(col, undefined, t));
    const input: ModelSectionInput = { engine, relation: view, columns, target, thresholds: t };
    const data = await loadModelData(input);
    expect(data.frame.nRows).toBeGreaterThanOrEqual(QUICK_MODEL_WORKER_ROWS);
    const onWorker = await quickModel(input);
    const inline = quickModelOfFrame(data.frame, data.target!, 'classification', data.sampled);
    expect(onWorker).toBeDefined();
    expect(onWorker).toEqual(inline);
    // With the rows known (as the report passes them), the thread starts before the frame is read: the same result.
    const rows = await engine.count(view);
    expect(await quickModel({ ...input, rows })).toEqual(inline);
    // A thread started before the data was read (sluice report on a large file) is the one that fits: the same result.
    startEarlyQuickModelThread();
    expect(await quickModel(input)).toEqual(inline);
    expect(takeEarlyQuickModelThread()).toBeUndefined();
  }, 120_000);

  it('an early thread no report took is stopped by dropEarlyQuickModelThread', async () => {
    const early = startEarlyQuickModelThread();
    // One early thread at a time.
    expect(startEarlyQuickModelThread()).toBe(early);
    const exited = new Promise<number>((resolve) => early.thread.once('exit', resolve));
    dropEarlyQuickModelThread();
    await exited;
    expect(takeEarlyQuickModelThread()).toBeUndefined();
    await expect(early.answer).rejects.toThrow('exited');
  }, 60_000);

  it('a thread started for rows that the target leaves out is stopped, and the small frame fits inline', async () => {
    await engine.exec(
      "CREATE OR REPLACE TABLE sparse_target AS SELECT i % 13 AS a, (i * 7) % 11 AS b, CASE WHEN i % 20 = 0 THEN (CASE WHEN i % 3 = 0 THEN 'y' ELSE 'n' END) END AS label FROM range(20000) t(i)",
    );
    const t = resolveThresholds();
    const { view, schema } = await createProfileView(engine, 'sparse_target');
    const rows = await engine.count(view);
    const columns = await computeColumnStats(engine, view, schema, rows, t);
    const col = requireTarget(columns, 'label');
    const target = await computeTarget(engine, view, col, inferProblemType(col, undefined, t));
    // The input claims every row has a label: the thread starts, then the 1,000 labelled rows fit here.
    const input: ModelSectionInput = { engine, relation: view, columns, rows, target: { ...target, missing: 0 }, thresholds: t };
    const data = await loadModelData(input);
    expect(data.frame.nRows).toBe(1000);
    expect(await quickModel(input)).toEqual(quickModelOfFrame(data.frame, data.target!, 'classification', data.sampled));
    // An early thread is taken and stopped the same way.
    startEarlyQuickModelThread();
    expect(await quickModel(input)).toEqual(quickModelOfFrame(data.frame, data.target!, 'classification', data.sampled));
    expect(takeEarlyQuickModelThread()).toBeUndefined();
  }, 120_000);

  it('a report that fails after the quick model started fails with its own error, not the fit', async () => {
    const failing = {
      prepare: async () => {},
      quickModel: async () => {
        throw new Error('the fit failed');
      },
      anomalies: async () => {
        throw new Error('anomalies failed');
      },
    };
    await expect(profileTable(engine, 'diabetes', { target: 'readmitted', plugins: failing })).rejects.toThrow('anomalies failed');
    await expect(profileTable(engine, 'diabetes', { target: 'readmitted', plugins: { quickModel: failing.quickModel } })).rejects.toThrow('the fit failed');
  }, 120_000);
});
