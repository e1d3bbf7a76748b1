import type { ApprovalState } from '../definition/pipelineSchema.js';
import type { ExecutionRecord } from '../store/ExecutionStore.js';

/** Tells approvers that a decision is wanted (creating their single-use tokens). */
export interface ApprovalNotifier {
  notify(req: {
    execution: ExecutionRecord;
    step: string;
    state: ApprovalState;
    notice: 'request' | 'reminder';
    n: number;
    expiresAt: string;
    /** What the approval state's input wires (`findings: $.results.<report state>`), resolved. */
    findings: unknown;
  }): Promise<{ channels: string[]; recipients: string[]; errors: string[] }>;
}
