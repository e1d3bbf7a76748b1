import type { ApprovalState, TaskState } from '../definition/pipelineSchema.js';

/** A side effect the planner asks for; the orchestrator performs it and records its result as facts. */
export type Command =
  | { kind: 'runActivity'; step: string; state: string; task: TaskState; attempt: number; input: unknown }
  | { kind: 'startTimer'; step: string; timer: string; delayMs?: number; fireAt?: string }
  | { kind: 'awaitTimer'; step: string; timer: string; fireAt: string }
  | { kind: 'requestApproval'; step: string; state: string; approval: ApprovalState }
  | {
      kind: 'notifyApproval';
      step: string;
      state: string;
      approval: ApprovalState;
      notice: 'request' | 'reminder';
      n: number;
      /** The approval's input, resolved: `findings`, what the approvers are shown. */
      input: { findings?: unknown };
    };

/** A string key for a command, so the runner never starts the same side effect twice at once. */
export function commandKey(c: Command): string {
  if (c.kind === 'runActivity') return `activity:${c.step}:${c.attempt}`;
  if (c.kind === 'startTimer' || c.kind === 'awaitTimer') return `timer:${c.step}:${c.timer}`;
  if (c.kind === 'notifyApproval') return `notify:${c.step}:${c.notice}:${c.n}`;
  return `approval:${c.step}`;
}
