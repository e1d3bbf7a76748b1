import { SluiceError } from '../../core/errors.js';
import type { Activity } from './Activity.js';

/** Activities by name. The orchestrator looks a task's `activity` up here when it runs it. */
export class ActivityRegistry {
  // biome-ignore lint/suspicious/noExplicitAny: an activity's input is the JSON its step was given; each activity types it itself
  private readonly byName = new Map<string, Activity<any, unknown>>();

  /** Registers (or replaces) an activity. Returns the registry, for chaining. */
  register<I, O>(name: string, activity: Activity<I, O>): this {
    // biome-ignore lint/suspicious/noExplicitAny: an activity's input is the JSON its step was given; each activity types it itself
    this.byName.set(name, activity as Activity<any, unknown>);
    return this;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** The activity, or a non-retryable SluiceError naming it and what exists. */
  // biome-ignore lint/suspicious/noExplicitAny: an activity's input is the JSON its step was given; each activity types it itself
  get(name: string): Activity<any, unknown> {
    const a = this.byName.get(name);
    if (!a) {
      throw new SluiceError('ACTIVITY_UNKNOWN', `activity "${name}" is not registered`, {
        retryable: false,
        hint: `known activities: ${this.names().join(', ') || '(none)'}; check the task's \`activity\``,
      });
    }
    return a;
  }
}
