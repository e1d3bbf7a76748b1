import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadArtifact } from '../../src/artifact/loadArtifact.js';
import type { ManifestFacts } from '../../src/artifact/manifest.js';
import { saveArtifact } from '../../src/artifact/saveArtifact.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { mountEndpoint } from '../../src/server/endpoint/mountEndpoint.js';
import { runCliInProcess } from '../support/runCliInProcess.js';

// Issue 16, point 2: one batch-prediction path. The same dirty file goes through `sluice predict`,
// `sluice models predict` and the endpoint's batch `/invocations`: the same prediction for every
// record that can have one, and the same notes (a value read as missing, a record not scored).
const V1 = resolve('test/fixtures/artifacts/train-v1');
const DIRTY = join(V1, 'dirty.csv');
/** `sluice ARGS` (the built CLI, in this process); fails the test unless it succeeds. */
async function run(args: string[]): Promise<void> {
  const r = await runCliInProcess(args);
  if (r.code !== 0) throw new Error(`sluice ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

/** A CSV line as cells (no quoted commas in these files). */
const cells = (line: string) => line.split(',').map((c) => c.replace(/^"|"$/g, ''));

interface Outcome {
  /** Per row: the label and the probabilities of high and low, or null when not scored. */
  predictions: Array<{ label: string; p: number[] } | null>;
  /** row (0-based), column, value (for values read as missing), action. */
  notes: string[];
}

/** `line,column,value,action,detail` (the notes file) as outcome notes; line 2 is row 0. */
function notesOf(file: string): string[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [line, column, value, action] = cells(l);
      return `${Number(line) - 2} ${column} ${action === 'read as missing' ? value : ''} ${action}`;
    });
}

describe('one batch-prediction path (issue 16, point 2)', () => {
  it.each(['the previous layout', 'a saved SLUICE_MODEL.json artifact'])(
    'sluice predict, sluice models predict and /invocations agree on a dirty file (%s)',
    async (kind) => {
      let artifactDir = join(V1, 'model');
      if (kind !== 'the previous layout') {
        const old = await loadArtifact(V1);
        artifactDir = join(mkdtempSync(join(tmpdir(), 'sluice-one-path-art-')), 'model');
        await saveArtifact(artifactDir, { model: old.model, fitted: old.fitted, facts: old.manifest as unknown as ManifestFacts });
      }
      const dir = mkdtempSync(join(tmpdir(), 'sluice-one-path-'));
      const registry = await ModelRegistry.open(dir);
      const app = Fastify();
      try {
        const v = await registry.register(artifactDir, { name: 'small', status: 'approved', by: 'test' });
        await registry.promote('small', v.version, 'champion', 'test');

        // 1. sluice predict
        await run(['predict', artifactDir, DIRTY, '--out', join(dir, 'p.csv'), '--errors', join(dir, 'p-notes.csv')]);
        const [head, ...rows] = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
        expect(head).toBe('rid,predicted_label,probability_high,probability_low');
        const predict: Outcome = {
          predictions: rows.map((l) => {
            const [, label, high, low] = cells(l);
            return label ? { label: label!, p: [Number(high), Number(low)] } : null;
          }),
          notes: notesOf(join(dir, 'p-notes.csv')),
        };

        // 2. sluice models predict (the registered version, the input with the predictions appended)
        await run([
          'models',
          'predict',
          'small',
          '--input',
          DIRTY,
          '--output',
          join(dir, 'm.csv'),
          '--errors',
          join(dir, 'm-notes.csv'),
          '--project',
          dir,
          '--json',
        ]);
        const [mHead, ...mRows] = readFileSync(join(dir, 'm.csv'), 'utf8').trim().split('\n');
        const col = cells(mHead!);
        const models: Outcome = {
          predictions: mRows.map((l) => {
            const c = cells(l);
            const label = c[col.indexOf('predicted_label')];
            return label ? { label: label!, p: [Number(c[col.indexOf('probability_high')]), Number(c[col.indexOf('probability_low')])] } : null;
          }),
          notes: notesOf(join(dir, 'm-notes.csv')),
        };

        // 3. the endpoint's batch /invocations, serving the champion: the file's text as the body
        const mounted = await mountEndpoint(app, { registry, model: 'small', pollMs: 0 });
        await mounted.follower.ready;
        const res = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'text/csv' }, payload: readFileSync(DIRTY, 'utf8') });
        expect(res.statusCode, res.body).toBe(200);
        type Served = {
          predicted_label?: string;
          probabilities?: number[];
          labels?: string[];
          warnings?: Array<{ field: string; value: string }>;
          error?: { field?: string };
        };
        const served = (res.json() as { predictions: Served[] }).predictions;
        const endpoint: Outcome = {
          predictions: served.map((s) => (s.error ? null : { label: s.predicted_label!, p: s.probabilities! })),
          notes: served.flatMap((s, row) => [
            ...(s.warnings ?? []).map((w) => `${row} ${w.field} ${w.value} read as missing`),
            ...(s.error ? [`${row} ${s.error.field ?? ''}  not scored`] : []),
          ]),
        };
        mounted.close();

        // What the fixture says the dirty file gives: 6 rows, 2 values read as missing, 1 row (an unseen color) not scored.
        expect(predict.notes).toEqual(['1 age forty read as missing', '3 score lots read as missing', '4 color  not scored']);
        expect(predict.predictions.map((p) => p?.label ?? null)).toEqual(['high', 'low', 'high', 'low', null, 'low']);
        expect(readFileSync(join(dir, 'p.csv'), 'utf8')).toBe(readFileSync(join(V1, 'dirty-predictions.csv'), 'utf8'));
        for (const other of [models, endpoint]) {
          expect(other.notes).toEqual(predict.notes);
          expect(other.predictions.map((p) => p?.label ?? null)).toEqual(predict.predictions.map((p) => p?.label ?? null));
          // The same numbers: CSV writes the shortest text that reads back as the same double.
          other.predictions.forEach((p, i) => {
            expect(p?.p).toEqual(predict.predictions[i]?.p);
          });
        }
      } finally {
        await app.close();
        await registry.close();
      }
    },
  );
});
