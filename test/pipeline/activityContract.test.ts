// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import type { Activity, ActivityContext } from '../../src/pipeline/activities/Activity.js';
import { builtinActivities } from '../../src/pipeline/activities/builtinActivities.js';
import { BUILTIN_ACTIVITIES, BUILTIN_SIGNATURES } from '../../src/pipeline/activities/builtinActivityDefinitions.js';
import type { ValueType } from '../../src/pipeline/activities/ActivitySignature.js';
import { decideApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { DIABETES } from '../support/data.js';

/**
 * The contract `src/pipeline/activities/Activity.ts` states, checked for every built-in activity
 * with a side effect: called again with the same idempotency key (a retry, or a resume after a
 * crash), an activity returns the same output and applies its effect once. The activities run for
 * real in the default pipeline; each call is recorded and then replayed as attempt 2. The list of
 * activities is the definitions' (builtinActivityDefinitions.ts): a new built-in activity is
 * checked here with no line written for it, and fails here unless the default pipeline runs it.
 */
const ROOT = join(import.meta.dirname, '..', '..');

interface Call {
  name: string;
  input: unknown;
  ctx: ActivityContext;
  output: unknown;
}
const calls: Call[] = [];
let runtime: ProjectRuntime;
let dir: string;

/** notify's effect is a message (test/pipeline/notifications.test.ts); every other built-in activity changes the project. */
const WITH_EFFECTS = BUILTIN_ACTIVITIES.filter((a) => a !== 'notify');

/** The built-in activities as the runtime registers them (from their definitions). */
const builtin = () => builtinActivities({}, { store: runtime.store });

function recorded(name: string, activity: () => Activity<any, unknown>): Activity<any, unknown> {
  return async (input, ctx) => {
    const output = await activity()(input, ctx);
    calls.push({ name, input, ctx, output });
    return output;
  };
}

/** What the activities' effects leave: the state folder's files (not the databases) and the stores' counts. */
async function effects(): Promise<Record<string, unknown>> {
  const state = join(dir, '.sluice');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/\.db(-wal|-shm|-journal)?$/.test(e.name) && !e.name.endsWith('.lock'))
        files.push(`${relative(state, p)} ${statSync(p).isFile() ? 'file' : 'other'}`);
    }
  };
  walk(state);
  const registry = await ModelRegistry.open(dir);
  const versions = (await registry.versions('readmission')).map((v) => `${v.version}:${v.status}`);
  const champion = (await registry.champion('readmission'))?.version ?? null;
  await registry.close();
  return { files: files.sort(), versions, champion };
}

/** Each feature group's offline batches and rows. */
async function featureRows(): Promise<string[]> {
  const fs = await FeatureStore.open({ projectDir: dir });
  try {
    const out: string[] = [];
    for (const g of await fs.listGroups()) {
      const d = await fs.describeGroup(g.name);
      out.push(`${g.name}: ${d.offline.batches} batches, ${d.offline.rows} rows`);
    }
    return out;
  } finally {
    await fs.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-contract-'));
  copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(dir, 'diabetes.flow.yaml'));
  writeFileSync(
    join(dir, 'sluice.yaml'),
    `name: contract
flow: diabetes.flow.yaml
target: readmitted
featureGroup: { name: encounters, recordIdentifier: record_id, eventTime: event_time }
model: { name: readmission, timeLimit: 10, holdout: 0.25, learners: [logistic], maxCandidates: 1, ensemble: false }
approvers: [{ name: ana, email: ana@example.com, role: approver }]
`,
  );
  const lines = readFileSync(DIABETES, 'utf8').split('\n');
  writeFileSync(join(dir, 'b1.csv'), [lines[0], ...lines.slice(1, 1501)].join('\n') + '\n');
  runtime = await ProjectRuntime.open(loadProject(dir), {
    logger: pino({ level: 'silent' }),
    pollMs: 20,
    activities: Object.fromEntries(WITH_EFFECTS.map((name) => [name, recorded(name, () => builtin().get(name))])),
  });
  const e = await runtime.orchestrator.startFile(join(dir, 'b1.csv'));
  await runtime.orchestrator.runUntilIdle();
  await decideApproval(runtime.store, { executionId: e.id, approver: runtime.approver('ana'), decision: 'approve', comment: 'contract test' });
  await runtime.orchestrator.runUntilIdle();
  expect((await runtime.store.require(e.id)).status).toBe('succeeded');
}, 300_000);

afterAll(async () => {
  await runtime?.close();
});

describe('every built-in activity keeps the idempotency contract (Activity.ts)', () => {
  it('the default pipeline called each of them once', () => {
    expect(calls.map((c) => c.name).sort()).toEqual([...WITH_EFFECTS].sort());
  });

  it.each(WITH_EFFECTS)(
    '%s: run again with the same key, the same output and no second effect',
    async (name) => {
      const call = calls.find((c) => c.name === name)!;
      const before = await effects();
      const rowsBefore = await featureRows();
      const activity = builtin().get(name);
      const again = await activity(call.input, { ...call.ctx, attempt: call.ctx.attempt + 1, signal: new AbortController().signal });
      expect(JSON.parse(JSON.stringify(again))).toEqual(JSON.parse(JSON.stringify(call.output)));
      expect(await effects()).toEqual(before);
      expect(await featureRows()).toEqual(rowsBefore);
    },
    300_000,
  );

  it.each(WITH_EFFECTS)('%s: its recorded output has the fields and types its signature declares (the loader checks references against them)', (name) => {
    const call = calls.find((c) => c.name === name)!;
    const declared = BUILTIN_SIGNATURES[name]!.output;
    const typeOf = (v: unknown): ValueType => (Array.isArray(v) ? 'array' : v === null ? 'object' : (typeof v as ValueType));
    const fits = (t: ValueType, v: unknown) => t === 'any' || (t === 'file' ? typeof v === 'string' : typeOf(v) === t);
    const output = JSON.parse(JSON.stringify(call.output)) as Record<string, unknown>;
    expect(Object.keys(output).filter((k) => !(k in declared))).toEqual([]);
    expect(Object.entries(output).filter(([k, v]) => !fits(declared[k]!, v))).toEqual([]);
    // What the task's input was wired to, as recorded, fits the declared input types.
    const input = call.input as Record<string, unknown>;
    expect(Object.entries(input).filter(([k, v]) => !(k in BUILTIN_SIGNATURES[name]!.input) || !fits(BUILTIN_SIGNATURES[name]!.input[k]!, v))).toEqual([]);
  });
});
