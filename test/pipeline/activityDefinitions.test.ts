import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { projectLayout } from '../../src/core/projectLayout.js';
import type { Activity, ActivityContext } from '../../src/pipeline/activities/Activity.js';
import { defineActivity } from '../../src/pipeline/activities/ActivityDefinition.js';
import type { AnySignature } from '../../src/pipeline/activities/ActivitySignature.js';
import { builtinActivities } from '../../src/pipeline/activities/builtinActivities.js';
import { BUILTIN_ACTIVITIES, BUILTIN_ACTIVITY_DEFINITIONS, BUILTIN_SIGNATURES } from '../../src/pipeline/activities/builtinActivityDefinitions.js';
import { renderActivitiesTable } from '../../src/pipeline/activities/renderActivityDocs.js';
import { defaultPipeline } from '../../src/pipeline/definition/defaultPipeline.js';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';
import type { TaskState } from '../../src/pipeline/definition/pipelineSchema.js';
import { wirePipeline } from '../../src/pipeline/definition/wirePipeline.js';

/**
 * A built-in activity is declared once (docs/architecture.md, "Adding a pipeline activity": its
 * file and one entry in BUILTIN_ACTIVITY_DEFINITIONS). These tests hold the rest to that: the
 * registry, the names, the signatures the loader checks and the docs table all come from the
 * list, and a definition added to a list is registered, wired and documented with nothing else.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const ACTIVITIES_DIR = join(ROOT, 'src', 'pipeline', 'activities');

function ctx(step: string): ActivityContext {
  return {
    executionId: 'ex-1',
    step,
    attempt: 1,
    idempotencyKey: `ex-1:${step}`,
    signal: new AbortController().signal,
    project: projectLayout(join(ROOT, 'nowhere')),
    execution: { input: {}, results: {} },
    log: pino({ level: 'silent' }),
  };
}

/** A definition a contributor might add: `echo` copies its text, counting how often its code was loaded. */
function echoDefinition(loads: { n: number }) {
  return defineActivity<{ text?: string }, { text: string; length: number }>({
    name: 'echo',
    uses: 'nothing',
    summary: 'returns its text and its length; no effect, so trivially idempotent',
    input: { text: 'string' },
    output: { text: 'string', length: 'number' },
    wiring: { text: [{ input: 'file' }] },
    load: async () => {
      loads.n++;
      return async (input) => ({ text: input.text ?? '', length: (input.text ?? '').length });
    },
  });
}

describe('activity definitions: each built-in activity declared once', () => {
  it('the names, the registry, the signatures and the docs table are the list, in its order', () => {
    const names = BUILTIN_ACTIVITY_DEFINITIONS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(BUILTIN_ACTIVITIES).toEqual(names);
    expect(builtinActivities().names()).toEqual([...names].sort());
    expect(Object.keys(BUILTIN_SIGNATURES)).toEqual(names);
    const table = renderActivitiesTable();
    for (const d of BUILTIN_ACTIVITY_DEFINITIONS) {
      expect(table).toContain(`| \`${d.name}\` | ${d.uses} |`);
      expect(d.summary.length, d.name).toBeGreaterThan(20);
    }
  });

  it('every activity of the default pipeline is a built-in one, so the contract suite (activityContract.test.ts) runs each', () => {
    const used: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.type === 'task' && typeof o.activity === 'string') used.push(o.activity);
        Object.values(o).forEach(walk);
      }
    };
    walk(defaultPipeline().states);
    expect(used.filter((a) => !BUILTIN_ACTIVITIES.includes(a))).toEqual([]);
    expect(BUILTIN_ACTIVITIES.filter((a) => !used.includes(a))).toEqual([]);
  });

  it('a definition added to the list, and nothing else, is registered, loaded once on its first run, wired, checked and documented', async () => {
    const loads = { n: 0 };
    const echo = echoDefinition(loads);
    const definitions = [...BUILTIN_ACTIVITY_DEFINITIONS, echo];
    const reg = builtinActivities({}, {}, definitions);
    expect(reg.has('echo')).toBe(true);
    expect(loads.n).toBe(0);
    expect(await reg.get('echo')({ text: 'abc' }, ctx('e'))).toEqual({ text: 'abc', length: 3 });
    expect(await reg.get('echo')({ text: 'hello' }, ctx('e'))).toEqual({ text: 'hello', length: 5 });
    expect(loads.n).toBe(1);

    const signatures: Record<string, AnySignature> = Object.fromEntries(definitions.map((d) => [d.name, d as unknown as AnySignature]));
    const yaml = (ref: string) =>
      `name: t\nstart: e\nstates:\n  e: { type: task, activity: echo, next: after }\n  after: { type: task, activity: echo, input: { text: ${ref} }, end: true }\n`;
    const good = wirePipeline(parsePipelineYaml(yaml('$.results.e.text')), signatures);
    expect(good.problems).toEqual([]);
    // The definition's default wiring fills the input the first state left out.
    expect((good.pipeline.states.e as TaskState).input).toEqual({ text: '$.input.file' });
    // A field its output does not declare is refused when the pipeline loads.
    const bad = wirePipeline(parsePipelineYaml(yaml('$.results.e.nope')), signatures);
    expect(bad.problems.map((p) => p.message).join('\n')).toMatch(/nope/);

    expect(renderActivitiesTable(definitions)).toContain('| `echo` | nothing | `{ text (wired: $.input.file) }` -> `{ text, length }` | returns its text');
  });

  it('a failed import is tried again on the next run, not remembered', async () => {
    let calls = 0;
    const flaky = defineActivity<Record<string, never>, { ok: boolean }>({
      name: 'flaky',
      uses: 'nothing',
      summary: 'fails to load once, then works',
      input: {},
      output: { ok: 'boolean' },
      load: async () => {
        calls++;
        if (calls === 1) throw new Error('import failed');
        return async () => ({ ok: true });
      },
    });
    const reg = builtinActivities({}, {}, [flaky]);
    await expect(reg.get('flaky')({}, ctx('f'))).rejects.toThrow('import failed');
    expect(await reg.get('flaky')({}, ctx('f'))).toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('notify outside a project runtime fails, not retried, saying what it lacks; overrides still replace a built-in one', async () => {
    const e = await builtinActivities()
      .get('notify')({}, ctx('notify'))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(isSluiceError(e) && e.code).toBe('ACTIVITY_UNAVAILABLE');
    expect(isSluiceError(e) && e.retryable).toBe(false);
    expect(String((e as Error).message)).toMatch(/notification settings/);
    const mine: Activity<Record<string, unknown>, unknown> = async () => ({ sent: ['me'], skipped: [], errors: [] });
    expect(await builtinActivities({ notify: mine }).get('notify')({}, ctx('notify'))).toEqual({ sent: ['me'], skipped: [], errors: [] });
  });

  it('no source file imports an activity implementation: the list loads each on its first run (loading a pipeline loads none)', () => {
    const list = readFileSync(join(ACTIVITIES_DIR, 'builtinActivityDefinitions.ts'), 'utf8');
    const implementations = [...list.matchAll(/await import\('\.\/(\w+)\.js'\)/g)].map((m) => m[1]!);
    expect(implementations.length).toBe(BUILTIN_ACTIVITY_DEFINITIONS.length);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          const text = readFileSync(p, 'utf8');
          for (const m of implementations) {
            const statically = new RegExp(`^import (?!type )[^;]*from '[./]*(?:activities/)?${m}\\.js'`, 'm');
            if (statically.test(text)) offenders.push(`${p.slice(ROOT.length + 1)} imports ${m}`);
          }
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(offenders).toEqual([]);
  });
});
