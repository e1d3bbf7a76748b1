import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChoiceState, TaskState } from '../../src/pipeline/definition/pipelineSchema.js';
import type { ExecutionEvent } from '../../src/pipeline/events.js';
import { replayHistory } from '../../src/pipeline/replayHistory.js';
import { errorOf } from '../support/errors.js';
import { recordScenario, SCENARIOS, type RecordedHistory } from './fixtures/historyScenarios.js';

/**
 * Replay tests, as Temporal's `runReplayHistory`: histories recorded from real executions of the
 * default pipeline (test/fixtures/histories, written by test/pipeline/fixtures/recordHistories.ts)
 * go through the planner again, which must make the same decisions; an altered history or an
 * altered pipeline must be caught (HISTORY_MISMATCH), never replayed into different decisions.
 */
const load = (name: string): RecordedHistory =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'histories', `${name}.json`), 'utf8')) as RecordedHistory;

/** The history with its sequence numbers made dense again (as a store would number it). */
const renumber = (events: ExecutionEvent[]): ExecutionEvent[] => events.map((e, i) => ({ ...e, seq: i + 1 }));

describe('replaying recorded histories through the planner', () => {
  it.each(SCENARIOS)('%s: the recorded history replays to the same decisions', (name) => {
    const h = load(name);
    const kinds = new Set<string>(h.events.map((e) => e.type));
    // Each scenario holds what it is named after.
    const expected = { happy: 'ApprovalDecided', rejection: 'ApprovalDecided', retry: 'ActivityRetried', timeout: 'ApprovalTimedOut' }[name];
    expect(kinds.has(expected)).toBe(true);
    expect(replayHistory(h.pipeline, h.events)).toBeGreaterThan(20);
  });

  it.each(SCENARIOS)(
    '%s: a history recorded now replays too (the fixtures are not stale)',
    async (name) => {
      const h = await recordScenario(name);
      // The same events (parallel branches may interleave differently; a slow machine may skip a reminder before the timeout).
      const seen = (events: ExecutionEvent[]) =>
        events
          .map((e) => `${e.type} ${e.step ?? ''}`)
          .filter((x) => name !== 'timeout' || !/^(Timer|ApprovalNotified)/.test(x))
          .sort();
      expect(seen(h.events)).toEqual(seen(load(name).events));
      expect(replayHistory(h.pipeline, h.events)).toBeGreaterThan(20);
    },
    30_000,
  );

  it('a changed pipeline definition is caught: a choice that now goes elsewhere', () => {
    const h = load('happy');
    const changed = structuredClone(h.pipeline);
    (changed.states.decision as ChoiceState).choices[0]!.if = { path: '$.results.approval.decision', equals: 'rejected' };
    const e = errorOf(() => replayHistory(changed, h.events));
    expect(e.code).toBe('HISTORY_MISMATCH');
    expect(e.message).toMatch(/ChoiceTaken decision .*"next":"rejected".* the history recorded ChoiceTaken decision .*"next":"build"/);
  });

  it('a changed pipeline definition is caught: an input wired differently', () => {
    const h = load('happy');
    const changed = structuredClone(h.pipeline);
    (changed.states.report as TaskState).input = { file: '$.input.file' };
    const e = errorOf(() => replayHistory(changed, h.events));
    expect(e.message).toMatch(/^event \d+ \(ActivityScheduled report\): the planner decides ActivityScheduled report .*"file":"\/inbox\/batch.csv"/);
  });

  it('a changed retry policy is caught: no retry where the history retried', () => {
    const h = load('retry');
    const changed = structuredClone(h.pipeline);
    (changed.states.run_flow as TaskState).retry = { count: 0, backoff: '1s', factor: 2, maxBackoff: '10m' };
    expect(errorOf(() => replayHistory(changed, h.events)).message).toContain('the history recorded ActivityRetried run_flow');
  });

  it('reordered events are caught', () => {
    const h = load('happy');
    const i = h.events.findIndex((e) => e.type === 'ActivityScheduled' && e.step === 'report');
    const events = [...h.events];
    [events[i - 1], events[i]] = [events[i]!, events[i - 1]!];
    const e = errorOf(() => replayHistory(h.pipeline, renumber(events)));
    expect(e.message).toMatch(/the planner decides StateEntered report .*the history recorded ActivityScheduled report/);
  });

  it('a missing event is caught', () => {
    const h = load('rejection');
    const i = h.events.findIndex((e) => e.type === 'StateExited' && e.step === 'report');
    const e = errorOf(() => replayHistory(h.pipeline, renumber(h.events.filter((_, k) => k !== i))));
    expect(e.message).toContain('the planner decides StateExited report');
  });

  it('a result of an activity never started, and a decision nobody waits on, are caught', () => {
    const h = load('happy');
    const started = h.events.findIndex((e) => e.type === 'ActivityStarted' && e.step === 'notify');
    expect(errorOf(() => replayHistory(h.pipeline, renumber(h.events.filter((_, k) => k !== started)))).message).toMatch(
      /ActivitySucceeded notify\): a result of an attempt that never started/,
    );
    const decided = h.events.find((e) => e.type === 'ApprovalDecided')!;
    const early = h.events.findIndex((e) => e.type === 'StateEntered' && e.step === 'notify');
    const events = [...h.events.slice(0, early), decided, ...h.events.slice(early).filter((e) => e !== decided)];
    expect(errorOf(() => replayHistory(h.pipeline, renumber(events))).message).toContain('which the planner is not waiting on');
  });
});
