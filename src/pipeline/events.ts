/**
 * The execution history vocabulary. An execution is its append-only list of events; the
 * orchestrator's planner reads nothing else to decide what happens next.
 */
export const EVENT_TYPES = [
  'ExecutionStarted',
  'DuplicateDetected',
  'ExecutionSkipped',
  'StateEntered',
  'ChoiceTaken',
  'ActivityScheduled',
  'ActivityStarted',
  'ActivitySucceeded',
  'ActivityFailed',
  'ActivityRetried',
  'TimerStarted',
  'TimerFired',
  'ApprovalRequested',
  'ApprovalNotified',
  'ApprovalDecided',
  'ApprovalTimedOut',
  'StateExited',
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionRedriven',
  'ExecutionPaused',
  'ExecutionResumed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** An event as the planner asks for it (no sequence number or time yet). */
export interface NewEvent {
  type: EventType;
  step?: string | undefined;
  data: Record<string, unknown>;
}

/** A recorded event. `seq` is 1-based and dense per execution; `at` is an ISO time. */
export interface ExecutionEvent extends NewEvent {
  executionId: string;
  seq: number;
  at: string;
}

/** A failure as recorded in the history (never a stack trace, which differs between runs). */
export interface RecordedError {
  code: string;
  message: string;
  hint?: string | undefined;
  retryable?: boolean | undefined;
}

/** The approver's decision as recorded and as the approval state's result. */
export interface ApprovalOutcome {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  via: 'token' | 'approver' | 'timeout';
  comment?: string | undefined;
  reason?: string | undefined;
  ip?: string | undefined;
  timedOut: boolean;
}
