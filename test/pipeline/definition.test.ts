import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { defaultPipeline } from '../../src/pipeline/definition/defaultPipeline.js';
import { durationMs } from '../../src/pipeline/definition/duration.js';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';
import { pipelineJsonSchema } from '../../src/pipeline/definition/pipelineJsonSchema.js';
import { errorOf } from '../support/errors.js';

const GOOD = `name: demo
start: first
states:
  first:
    type: task
    activity: echo
    retry: { count: 2, backoff: 1s }
    timeout: 30s
    next: ask
  ask:
    type: approval
    timeout: 2d
    remind: 1d
    next: decide
  decide:
    type: choice
    choices:
      - if: { path: $.results.ask.decision, equals: approved }
        next: both
    default: stop
  both:
    type: parallel
    branches:
      - name: a
        start: a1
        states:
          a1: { type: task, command: [echo, hi], end: true }
      - name: b
        start: b1
        states:
          b1: { type: wait, duration: 1s, end: true }
    next: done
  done: { type: succeed, outcome: ok }
  stop: { type: fail, error: REJECTED }
`;

describe('pipeline definition', () => {
  it('parses a pipeline with every state type and applies defaults', () => {
    const p = parsePipelineYaml(GOOD, 'demo.yaml');
    expect(p.name).toBe('demo');
    const ask = p.states.ask!;
    expect(ask.type).toBe('approval');
    if (ask.type === 'approval') {
      expect(ask.default).toBe('reject');
      expect(ask.notify).toEqual(['email', 'webhook']);
    }
    const first = p.states.first!;
    if (first.type === 'task') expect(first.retry).toEqual({ count: 2, backoff: '1s', factor: 2, maxBackoff: '10m' });
  });

  it('the default pipeline is valid and tells the seed story', () => {
    const p = defaultPipeline();
    expect(p.start).toBe('run_flow');
    expect(Object.keys(p.states)).toEqual(
      expect.arrayContaining(['run_flow', 'report', 'notify', 'approval', 'decision', 'build', 'register_model', 'deploy', 'rejected']),
    );
    const approval = p.states.approval!;
    expect(approval.type === 'approval' && approval.default).toBe('reject');
  });

  it('names the state, the field and the line of a schema error', () => {
    const bad = GOOD.replace('timeout: 30s', 'timeout: soon');
    const e = errorOf(() => parsePipelineYaml(bad, 'demo.yaml'));
    expect(e.code).toBe('PIPELINE_INVALID');
    expect(e.message).toContain('state "first", field "timeout"');
    expect(e.location).toMatchObject({ file: 'demo.yaml', line: 8, step: 'first', field: 'timeout' });
  });

  it('names an unknown key with its line', () => {
    const bad = GOOD.replace('    remind: 1d\n', '    remind: 1d\n    remnders: 3\n');
    const e = errorOf(() => parsePipelineYaml(bad, 'demo.yaml'));
    expect(e.message).toContain('state "ask"');
    expect(e.message).toContain('remnders');
    expect(e.location?.line).toBe(14);
  });

  it('rejects a next that names no state, inside a branch, with the line', () => {
    const bad = GOOD.replace('a1: { type: task, command: [echo, hi], end: true }', 'a1: { type: task, command: [echo, hi], next: done }');
    const e = errorOf(() => parsePipelineYaml(bad, 'demo.yaml'));
    expect(e.message).toContain('next "done" is not a state of branch "a"');
    expect(e.location).toMatchObject({ step: 'a1', field: 'next', line: 27 });
  });

  it('rejects a task with neither activity nor command, missing next, unreachable states, bad conditions', () => {
    const y = `start: a
states:
  a: { type: task, next: b }
  b: { type: task, activity: x }
  c: { type: choice, choices: [{ if: { path: $.x }, next: a }] }
`;
    const e = errorOf(() => parsePipelineYaml(y));
    const msgs = (e.details as { problems: Array<{ message: string }> }).problems.map((p) => p.message);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'task "a" needs exactly one of activity or command',
        'state "b" says neither next nor end',
        'condition on $.x has no operator',
        'state "c" is never reached from "a"',
      ]),
    );
  });

  it('rejects an unknown state type and duplicate names across branches', () => {
    const e1 = errorOf(() => parsePipelineYaml('start: a\nstates:\n  a: { type: sleep }\n'));
    expect(e1.message).toContain('state "a"');
    expect(e1.location?.line).toBe(3);
    const dup = GOOD.replace('b1: { type: wait, duration: 1s, end: true }', 'first: { type: wait, duration: 1s, end: true }').replace(
      'start: b1',
      'start: first',
    );
    const e2 = errorOf(() => parsePipelineYaml(dup));
    expect(e2.message).toContain('state name "first" is used twice');
  });

  it('reports broken YAML with the line', () => {
    const e = errorOf(() => parsePipelineYaml('start: a\nstates:\n  a: { type: task\n  b: 1\n', 'x.yaml'));
    expect(e.code).toBe('YAML_SYNTAX');
    expect(e.location?.file).toBe('x.yaml');
    expect(e.location?.line).toBeGreaterThanOrEqual(3);
  });

  it('parses durations', () => {
    expect(durationMs('1h30m')).toBe(5_400_000);
    expect(durationMs(2)).toBe(2000);
    expect(durationMs('250ms')).toBe(250);
    expect(() => durationMs('soon')).toThrow(SluiceError);
  });

  it('docs/pipeline.schema.json is generated from the zod schema', () => {
    const path = new URL('../../docs/pipeline.schema.json', import.meta.url);
    const generated = JSON.stringify(pipelineJsonSchema(), null, 2) + '\n';
    if (process.env.SLUICE_UPDATE_SCHEMAS) writeFileSync(path, generated);
    expect(readFileSync(path, 'utf8')).toBe(generated);
  });
});
