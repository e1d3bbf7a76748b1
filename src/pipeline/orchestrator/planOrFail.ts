import { toSluiceError } from '../../core/errors.js';
import type { Pipeline } from '../definition/pipelineSchema.js';
import type { ExecutionEvent } from '../events.js';
import { plan, type Plan } from '../plan.js';
import { recordError } from './recordError.js';

/** The plan, or (the planner threw: a definition it cannot follow) a plan that fails the execution. */
export function planOrFail(pipeline: Pipeline, history: readonly ExecutionEvent[]): Plan {
  try {
    return plan(pipeline, history);
  } catch (e) {
    const err = recordError(toSluiceError(e, 'PLANNER_ERROR'));
    return { records: [{ type: 'ExecutionFailed', data: { error: err } }], commands: [], current: [], results: {}, terminal: { status: 'failed', error: err } };
  }
}
