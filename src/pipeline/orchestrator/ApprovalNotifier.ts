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
    results: Record<string, unknown>;
  }): Promise<{ channels: string[]; recipients: string[]; errors: string[] }>;
}
