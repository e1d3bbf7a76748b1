import { describe, expect, it } from 'vitest';
import { defaultPipeline } from '../../../src/pipeline/definition/defaultPipeline.js';
import { parsePipelineYaml } from '../../../src/pipeline/definition/parsePipeline.js';
import type { ExecutionEvent } from '../../../src/pipeline/events.js';
import { pipelineSvg, stateMarks } from '../../../src/server/console/pipelineSvg.js';

let seq = 0;
const ev = (type: ExecutionEvent['type'], step?: string): ExecutionEvent => ({
  executionId: 'ex-1',
  seq: ++seq,
  type,
  ...(step ? { step } : {}),
  data: {},
  at: '2026-11-28T00:00:00Z',
});

describe('pipelineSvg', () => {
  it('draws every state of the default pipeline, with the parallel branches and choice labels', () => {
    const p = defaultPipeline();
    const history = [
      ev('ExecutionStarted'),
      ...['run_flow', 'report', 'notify', 'approval'].flatMap((s) => [ev('StateEntered', s), ev('StateExited', s)]),
      ev('ChoiceTaken', 'decision'),
      ev('StateEntered', 'build'),
      ev('StateExited', 'build/ingest_features'),
    ];
    const marks = stateMarks(history, ['build/train'], p);
    expect([...marks.done].sort()).toEqual(['approval', 'decision', 'notify', 'report', 'run_flow']);
    expect([...marks.current]).toEqual(['build']);
    const svg = pipelineSvg(p, marks).value;
    for (const name of Object.keys(p.states)) expect(svg).toContain(`data-state="${name}"`);
    expect(svg).toContain('<g class="state current" data-state="build">');
    expect(svg).toContain('parallel: features | models');
    expect(svg).toContain('decision = approved');
    expect(svg).toContain('betterThanChampion = true');
    expect(svg).toContain('otherwise');
    // one arrow per transition: 7 nexts + 3 choices x 2 branches (decision, better, deployed_or_not)
    expect((svg.match(/marker-end="url\(#arrow\)"/g) ?? []).length).toBe(13);
    expect(svg).toContain('<desc id="pipeline-desc">Pipeline default. Current: build. Done: run_flow, report, notify, approval, decision.</desc>');
  });

  it('marks the state an execution failed in (inside a branch: the parallel state), until a redrive', () => {
    const p = defaultPipeline();
    const failed = [ev('StateEntered', 'run_flow'), ev('StateExited', 'run_flow'), ev('ExecutionFailed', 'build/train')];
    expect(stateMarks(failed, [], p).failed).toBe('build');
    expect(pipelineSvg(p, stateMarks(failed, [], p)).value).toContain('<g class="state failed" data-state="build">');
    expect(stateMarks([...failed, ev('ExecutionRedriven', 'build/train')], ['build/train'], p).failed).toBeUndefined();
  });

  it('draws a loop back as an arrow around the side, and escapes names from the spec', () => {
    const p = parsePipelineYaml(`name: "<loop>"
start: a
states:
  a: { type: task, activity: x, next: check }
  check:
    type: choice
    choices: [{ if: { path: $.results.a.again, equals: "<yes>" }, next: a }]
    default: end
  end: { type: succeed }`);
    const svg = pipelineSvg(p, stateMarks([], ['a'], p)).value;
    expect(svg).toContain('Pipeline &lt;loop&gt;');
    expect(svg).toContain('again = &lt;yes&gt;');
    expect(svg).not.toContain('<yes>');
    // the arrow from check back up to a goes around the right side: both control points share one x
    expect(svg).toMatch(/<path d="M[\d.]+,([\d.]+) C([\d.]+),\1 \2,[\d.]+ /);
  });
});
