// biome-ignore-all lint/suspicious/noExplicitAny: this test reads untyped JSON (histories, HTTP bodies, pandas output); a wrong shape fails its assertions
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { builtinActivities } from '../../src/pipeline/activities/builtinActivities.js';
import { DEFAULT_PIPELINE_SPEC, defaultPipeline } from '../../src/pipeline/definition/defaultPipeline.js';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';
import type { TaskState } from '../../src/pipeline/definition/pipelineSchema.js';
import { errorOf } from '../support/errors.js';
import { orchestrator, tempProject } from './support.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The default pipeline's spec with every task's and approval's `input` taken out (a pipeline file written before wiring). */
function unwired(): Record<string, any> {
  const spec = structuredClone(DEFAULT_PIPELINE_SPEC) as Record<string, any>;
  const strip = (states: Record<string, any>) => {
    for (const s of Object.values(states)) {
      if (s.type === 'task' || s.type === 'approval') delete s.input;
      if (s.type === 'parallel') for (const b of s.branches) strip(b.states);
    }
  };
  strip(spec.states);
  return spec;
}

/** `spec` with state `from` renamed `to` (its key, `start` and every `next`, but not the `$.` references). */
function rename(spec: Record<string, any>, from: string, to: string): string {
  return JSON.stringify(spec)
    .replaceAll(`"${from}":{`, `"${to}":{`)
    .replaceAll(`"start":"${from}"`, `"start":"${to}"`)
    .replaceAll(`"next":"${from}"`, `"next":"${to}"`);
}

const task = (p: ReturnType<typeof parsePipelineYaml>, name: string) => p.states[name] as TaskState;

/** A small pipeline around `body` (YAML lines of more states), starting with run_flow. */
const withFlow = (body: string) => `name: t\nstart: run_flow\nstates:\n  run_flow: { type: task, activity: run_flow, next: report }\n${body}`;

describe('pipeline wiring: inputs wired in the definition, checked when it loads', () => {
  it('the default pipeline wires every input explicitly, and a file without wiring gets exactly the same, derived at load', () => {
    const d = defaultPipeline();
    expect(task(d, 'report').input).toEqual({ file: '$.results.run_flow.output', rawFile: '$.input.file' });
    expect(task(d, 'deploy').input).toEqual({ registered: '$.results.register_model', train: '$.results.train', approvedBy: '$.results.approval.by' });
    const derived = parsePipelineYaml(JSON.stringify(unwired()), 'old.yaml');
    expect(isDeepStrictEqual(derived, d)).toBe(true);
    // Wiring is done once: loading the wired pipeline again changes nothing.
    expect(isDeepStrictEqual(parsePipelineYaml(JSON.stringify(d)), d)).toBe(true);
  });

  it('$.input.constructor is an unknown input field like any other, not a value of Object.prototype', () => {
    // Its type was looked up on Object.prototype: "takes a file, and this is a function Object() { [native code] }".
    for (const ref of ['$.input.nothere', '$.input.constructor', '$.input.toString'])
      expect(
        () => parsePipelineYaml(`name: t\nstart: run_flow\nstates:\n  run_flow: { type: task, activity: run_flow, input: { file: ${ref} }, end: true }\n`),
        ref,
      ).not.toThrow();
  });

  it("an approval's findings are wired to the nearest preceding report, through a rename, and written explicitly stay as written", () => {
    expect(defaultPipeline().states.approval).toMatchObject({ type: 'approval', input: { findings: '$.results.report' } });
    const p = parsePipelineYaml(
      withFlow(`  profile: { type: task, activity: report, next: second }
  second: { type: task, activity: report, next: ask }
  ask: { type: approval, next: ask2 }
  ask2: { type: approval, input: { findings: $.results.profile }, end: true }
`).replace('next: report', 'next: profile'),
    );
    expect(p.states.ask).toMatchObject({ input: { findings: '$.results.second' } });
    expect(p.states.ask2).toMatchObject({ input: { findings: '$.results.profile' } });
    // Without a report before it, an approval shows no findings (and loads).
    expect(parsePipelineYaml('start: ask\nstates:\n  ask: { type: approval, end: true }\n').states.ask).not.toHaveProperty('input');
    // Only findings is an approval input.
    expect(
      errorOf(() =>
        parsePipelineYaml(
          withFlow(`  report: { type: task, activity: report, next: ask }\n  ask: { type: approval, input: { report: $.results.report }, end: true }\n`),
        ),
      ).message,
    ).toMatch(/report/);
  });

  it('older `from: <state>` inputs become references, checked like any other', () => {
    const p = parsePipelineYaml(
      withFlow(`  report: { type: task, activity: report, next: fit }
  fit: { type: task, activity: train, next: reg }
  reg: { type: task, activity: register_model, input: { from: fit }, next: ship }
  ship: { type: task, activity: deploy, input: { from: reg, train: fit }, end: true }
`),
    );
    expect(task(p, 'reg').input).toMatchObject({ train: '$.results.fit', reportJson: '$.results.report.reportJson', recipeRun: '$.results.run_flow.fitted' });
    expect(task(p, 'ship').input).toEqual({ registered: '$.results.reg', train: '$.results.fit' });
    const e = errorOf(() => parsePipelineYaml(withFlow(`  report: { type: task, activity: register_model, input: { from: trian }, end: true }\n`), 'p.yaml'));
    expect(e.message).toContain('there is no state "trian"');
  });

  it('a renamed state without wiring: the report profiles the renamed flow step output, never silently the raw file', async () => {
    const p = await tempProject();
    const lines = readFileSync(join(ROOT, 'examples', 'diabetes', 'diabetic-readmission.csv'), 'utf8').split('\n');
    writeFileSync(join(p.root, 'b.csv'), [lines[0], ...lines.slice(1, 1501)].join('\n') + '\n');
    copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(p.root, 'main.flow.yaml'));
    const def = parsePipelineYaml(
      'start: transform\nstates:\n  transform: { type: task, activity: run_flow, next: profile }\n  profile: { type: task, activity: report, end: true }\n',
    );
    expect(task(def, 'profile').input).toEqual({ file: '$.results.transform.output', rawFile: '$.input.file' });
    const o = orchestrator(p, builtinActivities({}, { store: p.store }), { config: { flow: 'main.flow.yaml', target: 'readmitted' } });
    const ex = await o.start({ file: join(p.root, 'b.csv') }, { pipeline: def });
    await o.runUntilIdle();
    expect((await p.store.require(ex.id)).status, JSON.stringify((await p.store.require(ex.id)).error)).toBe('succeeded');
    const events = await p.store.events(ex.id);
    const flow = events.find((e) => e.type === 'ActivitySucceeded' && e.step === 'transform')!.data.output as {
      output: string;
      rows: number;
      columns: Array<{ name: string }>;
    };
    const scheduled = events.find((e) => e.type === 'ActivityScheduled' && e.step === 'profile')!;
    expect(scheduled.data.input).toEqual({ file: flow.output, rawFile: join(p.root, 'b.csv') });
    const report = events.find((e) => e.type === 'ActivitySucceeded' && e.step === 'profile')!.data.output as { reportJson: string };
    const dataset = JSON.parse(readFileSync(report.reportJson, 'utf8')).dataset as { rows: number; columns: number };
    // The flow drops and adds columns: the report counts the flow's columns, not the raw file's 16.
    expect(flow.columns.length).not.toBe(16);
    expect(dataset).toMatchObject({ rows: flow.rows, columns: flow.columns.length });
  }, 120_000);

  it('a renamed state with explicit wiring: the pipeline does not load, naming the file, the state, the field and the new name', () => {
    const e = errorOf(() => parsePipelineYaml(rename(structuredClone(DEFAULT_PIPELINE_SPEC), 'run_flow', 'transform'), 'pipelines/main.yaml'));
    expect(e.code).toBe('PIPELINE_INVALID');
    expect(e.message).toContain('state "report": $.results.run_flow.output: there is no state "run_flow"');
    expect(e.location).toMatchObject({ file: 'pipelines/main.yaml', step: 'report', field: 'input.file' });
    expect(e.hint).toContain('transform');
    // Every reference to the old name is listed, not only the first.
    const problems = (e.details as { problems: Array<{ message: string }> }).problems.map((x) => x.message);
    expect(problems.filter((m) => m.includes('"run_flow"'))).toEqual([
      expect.stringContaining('state "report"'),
      expect.stringContaining('state "ingest_features"'),
      expect.stringContaining('state "register_model"'),
    ]);
  });

  it.each([
    [
      'an unknown state',
      `  report: { type: task, activity: report, input: { file: $.results.run_flw.output }, end: true }\n`,
      'there is no state "run_flw"',
      'did you mean run_flow?',
      'input.file',
    ],
    [
      'a state that runs later',
      `  report: { type: task, activity: report, input: { file: $.results.later.output }, next: later }\n  later: { type: task, activity: run_flow, end: true }\n`,
      'state "later" does not run before "report" on every path',
      'run_flow',
      'input.file',
    ],
    [
      'a state on one branch of a choice only',
      `  report: { type: task, activity: report, next: pick }
  pick: { type: choice, choices: [{ if: { path: $.results.report.verdict, equals: fail }, next: again }], default: notify }
  again: { type: task, activity: run_flow, next: notify }
  notify: { type: task, activity: notify, input: { file: $.results.again.output }, end: true }
`,
      'state "again" does not run before "notify" on every path',
      'report',
      'input.file',
    ],
    [
      'a sibling parallel branch',
      `  report: { type: task, activity: report, next: build }
  build:
    type: parallel
    branches:
      - { name: f, start: ingest, states: { ingest: { type: task, activity: ingest_features, input: { file: $.results.fit.trainDir }, end: true } } }
      - { name: m, start: fit, states: { fit: { type: task, activity: train, end: true } } }
    end: true
`,
      'state "fit" does not run before "ingest" on every path',
      'report',
      'branches.0.states.ingest',
    ],
    [
      'a field the activity does not output',
      `  report: { type: task, activity: report, input: { file: $.results.run_flow.outptu }, end: true }\n`,
      'state "run_flow" (activity run_flow) has no output field "outptu"',
      'did you mean output?',
      'input.file',
    ],
    [
      'a type mismatch',
      `  report: { type: task, activity: report, input: { file: $.results.run_flow.rows }, end: true }\n`,
      'input "file" of "report" takes a file, and this is a number',
      'wire "file" to a field of type file',
      'input.file',
    ],
    [
      'a field below a number',
      `  report: { type: task, activity: report, input: { target: $.results.run_flow.rows.count }, end: true }\n`,
      'field "rows" of "run_flow" is a number; it has no field "count"',
      '$.results.run_flow.rows',
      'input.target',
    ],
    [
      'a choice state, which has no result',
      `  report: { type: task, activity: report, next: pick }
  pick: { type: choice, choices: [{ if: { path: $.results.report.verdict, equals: x }, next: done }], default: done }
  done: { type: task, command: [echo], input: { v: $.results.pick }, end: true }
`,
      'state "pick" is a choice state and has no result',
      'task, approval, wait or parallel',
      'input.v',
    ],
    [
      'a choice condition on an unknown field of an approval',
      `  report: { type: task, activity: report, next: ask }
  ask: { type: approval, next: pick }
  pick: { type: choice, choices: [{ if: { path: $.results.ask.decison, equals: approved }, next: done }], default: done }
  done: { type: succeed }
`,
      'state "ask" (approval) has no output field "decison"',
      'did you mean decision?',
      'choices.0.if.path',
    ],
    [
      "an approval's findings wired to a state that does not exist",
      `  report: { type: task, activity: report, next: ask }
  ask: { type: approval, input: { findings: $.results.reprot }, end: true }
`,
      'there is no state "reprot"',
      'did you mean report?',
      'input.findings',
    ],
    [
      "an approval's findings wired to a text field, not a report",
      `  report: { type: task, activity: report, next: ask }
  ask: { type: approval, input: { findings: $.results.report.verdict }, end: true }
`,
      'input "findings" of "ask" takes an object, and this is a string',
      'wire "findings" to a field of type object',
      'input.findings',
    ],
    [
      'a path that reads neither the input nor results',
      `  report: { type: task, activity: report, input: { file: $.inputs.file }, end: true }\n`,
      'a path reads $.input...',
      '$.input.file',
      'input.file',
    ],
    [
      'an input the activity needs and nothing makes',
      `  report: { type: task, activity: ingest_features, end: true }\n`.replace('run_flow: { type: task, activity: run_flow', 'x'),
      'needs its input "file", and no state before it makes one',
      'wire it in the task',
      'input.file',
    ],
  ])('refuses %s, with the file, the state, the field and a hint', (_what, body, message, hint, field) => {
    const yaml = _what.startsWith('an input the activity needs')
      ? 'name: t\nstart: report\nstates:\n  report: { type: task, activity: ingest_features, end: true }\n'
      : withFlow(body);
    const e = errorOf(() => parsePipelineYaml(yaml, 'pipelines/bad.yaml'));
    expect(e.code).toBe('PIPELINE_INVALID');
    expect(e.message).toContain(message);
    expect(e.hint).toContain(hint);
    expect(e.location?.file).toBe('pipelines/bad.yaml');
    expect(e.location?.line).toBeGreaterThan(0);
    expect(`${e.location?.step ?? ''} ${e.location?.field ?? ''}`).toContain(field.split('.').at(-1)!);
  });
});
