import { describe, expect, it } from 'vitest';
import type { ExecutionEvent, NewEvent } from '../../src/pipeline/events.js';
import { plan } from '../../src/pipeline/plan.js';
import { pipeline } from './support.js';

const DEF = pipeline(`start: a\nstates:\n  a: { type: task, activity: x, retry: { count: 3 }, next: b }\n  b: { type: wait, duration: 1h, end: true }\n`);

function history(events: NewEvent[]): ExecutionEvent[] {
  return events.map((e, i) => ({ ...e, executionId: 'ex-1', seq: i + 1, at: new Date(1_700_000_000_000 + i * 1000).toISOString() }));
}

describe('planner (replaying recorded histories)', () => {
  const base: NewEvent[] = [
    { type: 'ExecutionStarted', data: { input: {} } },
    { type: 'StateEntered', step: 'a', data: { state: 'a', type: 'task' } },
    { type: 'ActivityScheduled', step: 'a', data: { attempt: 1, input: {}, activity: 'x' } },
  ];

  it('is a pure function of the history: the same history gives the same decision', () => {
    const h = history([...base, { type: 'ActivityStarted', step: 'a', data: { attempt: 1 } }]);
    expect(plan(DEF, h)).toEqual(plan(DEF, h));
    expect(plan(DEF, h).commands).toMatchObject([{ kind: 'runActivity', step: 'a', attempt: 1 }]);
  });

  it('never re-runs a step whose result is recorded, and times come from the history', () => {
    const h = history([
      ...base,
      { type: 'ActivityStarted', step: 'a', data: { attempt: 1 } },
      { type: 'ActivitySucceeded', step: 'a', data: { attempt: 1, output: { v: 1 } } },
      { type: 'StateExited', step: 'a', data: {} },
      { type: 'StateEntered', step: 'b', data: { state: 'b', type: 'wait' } },
      { type: 'TimerStarted', step: 'b', data: { timer: 'wait', fireAt: '2030-01-01T00:00:00.000Z' } },
    ]);
    const p = plan(DEF, h);
    expect(p.records).toEqual([]);
    expect(p.commands).toEqual([{ kind: 'awaitTimer', step: 'b', timer: 'wait', fireAt: '2030-01-01T00:00:00.000Z' }]);
    expect(p.results).toEqual({ a: { v: 1 } });
    expect(p.current).toEqual(['b']);
  });
});
