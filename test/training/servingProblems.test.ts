import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArtifact } from '../../src/artifact/loadArtifact.js';
import { trainModel } from '../../src/training/trainModel.js';
import { SMALL_HEADER, smallRows, tempDir, writeCsv } from './fixtures.js';

/** A flow whose step cannot run on one record is reported when the model is trained (issue 15). */
const dir = tempDir('sluice-train-serving-');
const rows = smallRows(300, 7).map((r, i) => [...r, `2024-01-${String((i % 28) + 1).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:00:00`]);
const data = writeCsv(dir, 'series.csv', [...SMALL_HEADER, 'seen_at'], rows);
const quick = { learners: ['logistic' as const], maxCandidates: 1, ensemble: false };

function flow(name: string, steps: string): string {
  const file = join(dir, `${name}.flow.yaml`);
  writeFileSync(file, `version: 1\nname: ${name}\ntarget: label\nsteps:\n${steps}`);
  return file;
}

describe('sluice train reports, before the search, a flow that cannot serve single records', () => {
  it('a lag feature: said before the first candidate, kept in the manifest', async () => {
    const flowPath = flow(
      'lagged',
      '  - kind: cast\n    columns: [seen_at]\n    to: timestamp\n  - kind: lag_features\n    column: score\n    timestamp: seen_at\n    group_by: [color]\n    lags: 1\n    name: score lag\n  - kind: drop_columns\n    columns: [seen_at]\n',
    );
    const events: Array<{ phase: string; message: string }> = [];
    const r = await trainModel(data, {
      target: 'label',
      flowPath,
      outDir: join(dir, 'lagged'),
      timeLimit: 20,
      search: quick,
      onProgress: (e) => events.push(e),
    });
    const said = events.findIndex((e) => e.message.startsWith('this model will not serve single records'));
    expect(said).toBeGreaterThanOrEqual(0);
    expect(events[said]!.message).toContain('step 2 (lag_features "score lag"): lag_features reads the earlier rows of each series');
    expect(events.findIndex((e) => e.phase === 'search')).toBeGreaterThan(said);
    expect(r.manifest.serving).toEqual({ records: false, problems: [expect.stringContaining('step 2 (lag_features "score lag")')] });
    const onDisk = JSON.parse(readFileSync(r.files.manifest, 'utf8')) as { serving: unknown };
    expect(onDisk.serving).toEqual(r.manifest.serving);
    // and the record path refuses, as the manifest said
    const artifact = await loadArtifact(r.files.modelDir);
    expect(artifact.manifest?.serving?.records).toBe(false);
  });

  it('a flow of record steps: serving.records is true and nothing is said', async () => {
    const flowPath = flow('plain', '  - kind: drop_columns\n    columns: [seen_at]\n');
    const events: string[] = [];
    const r = await trainModel(data, {
      target: 'label',
      flowPath,
      outDir: join(dir, 'plain'),
      timeLimit: 20,
      search: quick,
      onProgress: (e) => events.push(e.message),
    });
    expect(r.manifest.serving).toEqual({ records: true });
    expect(events.some((m) => m.includes('will not serve single records'))).toBe(false);
  });
});
