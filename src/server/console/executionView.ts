import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportDir } from '../../core/projectLayout.js';
import { pendingApproval } from '../../pipeline/approvals/decideApproval.js';
import type { ExecutionEvent } from '../../pipeline/events.js';
import { approvalFindings } from '../../pipeline/approvals/approvalFindings.js';
import { findingsOf, type Findings } from '../../pipeline/notify/findings.js';
import { plan } from '../../pipeline/plan.js';
import type { ProjectRuntime } from '../../pipeline/project/ProjectRuntime.js';
import type { ExecutionRecord } from '../../pipeline/store/ExecutionStore.js';

/** Drift against the last approved batch, as the report recorded it. */
export interface DriftView {
  verdict: string;
  baseline?: string | undefined;
  baselineRows?: number | undefined;
  columns: Array<{ name: string; kind: string; psi: number | null; drifted: boolean; newCategories: string[] }>;
  newColumns: string[];
  missingColumns: string[];
}

/** Everything the execution pages read about one execution, from the store and its report files. */
export interface ExecutionView {
  execution: ExecutionRecord;
  history: ExecutionEvent[];
  results: Record<string, unknown>;
  findings: Findings;
  pending: { step: string; requestedAt: string; expiresAt: string | undefined; approvers: string[] | null } | undefined;
  drift: DriftView | undefined;
  hasReport: boolean;
}

/** Reads an execution's history, state results, findings, pending approval and drift. */
export async function executionView(runtime: ProjectRuntime, execution: ExecutionRecord): Promise<ExecutionView> {
  const history = await runtime.store.events(execution.id);
  const results = plan(execution.definition, history).results;
  const p = pendingApproval(history);
  const dir = reportDir(runtime.project.paths, execution.id);
  const report = approvalFindings(execution.definition, { input: execution.input, results }, p?.step);
  return {
    execution,
    history,
    results,
    findings: findingsOf(report),
    pending:
      p && (execution.status === 'waiting' || execution.status === 'running')
        ? {
            step: p.step,
            requestedAt: p.requested.at,
            expiresAt: p.requested.data.expiresAt as string | undefined,
            approvers: (p.requested.data.approvers as string[] | null | undefined) ?? null,
          }
        : undefined,
    drift: readDrift(join(dir, 'report.json'), report),
    hasReport: existsSync(join(dir, 'report.html')),
  };
}

/** The drift section of the stored report.json; the report summary's verdict alone when the file is absent. */
function readDrift(file: string, reportSummary: unknown): DriftView | undefined {
  const summary = (reportSummary ?? {}) as { drift?: string; baseline?: string };
  let report: { drift?: Record<string, unknown> } | undefined;
  try {
    report = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { drift?: Record<string, unknown> }) : undefined;
  } catch {
    report = undefined;
  }
  const d = report?.drift;
  if (!d && !summary.drift) return undefined;
  const cols = Array.isArray(d?.columns) ? (d.columns as Array<Record<string, unknown>>) : [];
  return {
    verdict: String(d?.verdict ?? summary.drift),
    baseline: summary.baseline,
    baselineRows: typeof d?.baselineRows === 'number' ? d.baselineRows : undefined,
    columns: cols.map((c) => ({
      name: String(c.name),
      kind: String(c.kind ?? ''),
      psi: typeof c.psi === 'number' ? c.psi : null,
      drifted: c.drifted === true,
      newCategories: Array.isArray(c.newCategories) ? c.newCategories.map(String) : [],
    })),
    newColumns: Array.isArray(d?.newColumns) ? (d.newColumns as unknown[]).map(String) : [],
    missingColumns: Array.isArray(d?.missingColumns) ? (d.missingColumns as unknown[]).map(String) : [],
  };
}
