import { drawPipeline } from './drawPipeline.js';
import type { ExecutionEvent } from './events.js';
import type { ExecutionRecord } from './store/ExecutionStore.js';

/** One line per execution: id, status, outcome or current steps, file, age. */
export function formatExecutionList(rows: readonly ExecutionRecord[]): string {
  if (rows.length === 0) return 'no executions';
  const head = ['ID', 'STATUS', 'AT / OUTCOME', 'FILE', 'STARTED'];
  const body = rows.map((r) => [
    r.id,
    r.status,
    r.status === 'running' || r.status === 'waiting' ? r.current.join(', ') || '-' : (r.outcome ?? r.error?.code ?? '-'),
    r.file ? (r.file.split(/[\\/]/).pop() ?? r.file) : '-',
    r.createdAt.replace('T', ' ').slice(0, 19),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body]
    .map((cols) =>
      cols
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A timeline of the history, one event per line, with the salient data of each. */
export function formatHistory(events: readonly ExecutionEvent[]): string {
  return events
    .map((e) =>
      `${String(e.seq).padStart(4)}  ${e.at.replace('T', ' ').slice(0, 23)}  ${e.type.padEnd(18)} ${(e.step ?? '').padEnd(20)} ${summarize(e)}`.trimEnd(),
    )
    .join('\n');
}

function summarize(e: ExecutionEvent): string {
  const d = e.data;
  switch (e.type) {
    case 'ExecutionStarted':
      return `${d.pipeline as string}${(d.input as { file?: string })?.file ? ` file=${(d.input as { file: string }).file}` : ''}`;
    case 'ActivityScheduled':
      return `${d.activity ? `activity=${d.activity as string}` : `command=${JSON.stringify(d.command)}`} attempt=${d.attempt as number}`;
    case 'ActivityStarted':
      return `attempt=${d.attempt as number}${d.by ? ` by=${d.by as string}` : ''}`;
    case 'ActivitySucceeded':
      return `attempt=${d.attempt as number} ${d.ms as number}ms ${short(d.output)}`;
    case 'ActivityFailed':
      return `attempt=${d.attempt as number} ${(d.error as { code: string }).code}: ${(d.error as { message: string }).message}`;
    case 'ActivityRetried':
      return `attempt=${d.attempt as number} after ${d.delayMs as number}ms (${d.after as string})`;
    case 'TimerStarted':
      return `${d.timer as string} fires at ${d.fireAt as string}`;
    case 'TimerFired':
      return d.timer as string;
    case 'ChoiceTaken':
      return `→ ${d.next as string} (rule ${String(d.rule)})`;
    case 'ApprovalRequested':
      return `expires ${d.expiresAt as string}, default ${d.default as string}`;
    case 'ApprovalNotified':
      return `${d.notice as string}${d.n ? ` ${d.n as number}` : ''} to ${(d.recipients as string[]).join(', ') || 'nobody'}${(d.errors as string[]).length ? ` errors: ${(d.errors as string[]).join('; ')}` : ''}`;
    case 'ApprovalDecided':
    case 'ApprovalTimedOut':
      return `${d.decision as string} by ${d.by as string}${d.ip ? ` from ${d.ip as string}` : ''}${d.comment ? ` comment="${d.comment as string}"` : ''}${d.reason ? ` reason="${d.reason as string}"` : ''}`;
    case 'ExecutionSucceeded':
      return `outcome=${d.outcome as string}`;
    case 'ExecutionFailed':
      return `${(d.error as { code: string }).code}: ${(d.error as { message: string }).message}`;
    case 'DuplicateDetected':
      return `same content as ${d.duplicateOf as string}`;
    case 'ExecutionRedriven':
      return `by ${d.by as string} from ${String(d.fromStep)}`;
    case 'ExecutionPaused':
      return `${d.reason as string} ${d.code as string} at ${String(d.path ?? 'the project state')}${d.resumeAt ? `, retry at ${d.resumeAt as string}` : ''}${d.recordedLate ? ` (since ${d.since as string}, recorded once the database could write)` : ''}`;
    case 'ExecutionResumed':
      return `after ${d.after as string}${d.by ? ` by ${d.by as string}` : ''}`;
    default:
      return '';
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** `sluice executions show`: summary, then the pipeline drawn with the current state marked. */
export function formatExecution(rec: ExecutionRecord, events: readonly ExecutionEvent[]): string {
  const done = events
    .filter((e) => e.type === 'StateExited' || e.type === 'ChoiceTaken')
    .map((e) => e.step!)
    .filter(Boolean);
  const failed = rec.status === 'failed' ? [...events].reverse().find((e) => e.type === 'ExecutionFailed')?.step : undefined;
  const lines = [
    `execution ${rec.id}`,
    `  pipeline  ${rec.pipeline}`,
    `  status    ${rec.status}${rec.outcome ? ` (${rec.outcome})` : ''}`,
    ...(rec.file ? [`  file      ${rec.file}`] : []),
    ...(rec.sha256 ? [`  sha256    ${rec.sha256}`] : []),
    ...(rec.duplicateOf ? [`  duplicate of ${rec.duplicateOf}`] : []),
    ...(rec.error ? [`  error     ${rec.error.code}: ${rec.error.message}`, ...(rec.error.hint ? [`  hint      ${rec.error.hint}`] : [])] : []),
    `  started   ${rec.createdAt}`,
    `  updated   ${rec.updatedAt}`,
    '',
    drawPipeline(rec.definition, { current: rec.current, done, failed }),
  ];
  return lines.join('\n');
}
