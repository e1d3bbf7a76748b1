import type { ExecutionEvent } from '../pipeline/events.js';
import { droppedLines } from '../flow/dropReason.js';

/** The last segment of a step path (`build/models/train#2` -> `train`). */
export function stateName(step: string | undefined): string {
  return ((step ?? '').split('/').pop() ?? '').replace(/#\d+$/, '');
}

const seconds = (ms: unknown) => (typeof ms === 'number' ? (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`) : '');
const num = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
const round = (v: unknown) => (typeof v === 'number' ? String(Math.round(v * 10_000) / 10_000) : String(v));

interface Gate {
  name: string;
  passed: boolean;
  message?: string;
}
interface Warning {
  severity: string;
  code: string;
  message: string;
}

/** What a step's output says, in a few words (the salient part of each built-in's result). */
export function outputSummary(step: string, output: unknown): string[] {
  const o = (output ?? {}) as Record<string, unknown>;
  switch (step) {
    case 'run_flow':
      return [
        `${num(o.rows)} rows × ${Array.isArray(o.columns) ? o.columns.length : '?'} columns after the recipe`,
        ...droppedLines(o.dropped as Parameters<typeof droppedLines>[0]).map((l) => `  ${l}`),
      ];
    case 'report': {
      const gates = (o.gates as Gate[] | undefined) ?? [];
      const warnings = (o.warnings as Warning[] | undefined) ?? [];
      const high = warnings.filter((w) => w.severity === 'high').length;
      const lines = [
        `gates ${String(o.verdict)} (${gates.filter((g) => g.passed).length}/${gates.length} pass), ${high} high warning${high === 1 ? '' : 's'}, ${o.baseline ? `drift ${o.drift === 'drift' ? 'DETECTED' : 'none'} against the last approved batch` : 'no approved batch yet to measure drift against'}`,
      ];
      for (const w of warnings.filter((x) => x.code === 'drift')) lines.push(`⚠ drift: ${w.message}`);
      for (const g of gates.filter((x) => !x.passed)) lines.push(`✗ gate failed: ${g.name}${g.message ? ` (${g.message})` : ''}`);
      if (typeof o.reportUrl === 'string') lines.push(`report: ${o.reportUrl}`);
      return lines;
    }
    case 'notify':
      return [];
    case 'ingest_features':
      return [
        `${num(o.rows)} records into feature group ${String(o.group)}${o.created ? ' (created)' : ''}${typeof o.duplicatesDropped === 'number' && o.duplicatesDropped > 0 ? `; ${num(o.duplicatesDropped)} rows with a repeated record id not stored` : ''}`,
      ];
    case 'train': {
      const c = o.candidate as { value?: number } | undefined;
      const ch = o.champion as { version?: number; value?: number } | null | undefined;
      return [
        `${String(o.candidates ?? '?')} candidates, best ${String((o.best as { learner?: string } | undefined)?.learner ?? '?')}: holdout ${String(o.metric)} ${round(c?.value)}${ch ? ` vs champion v${ch.version} ${round(ch.value)}` : ' (no champion yet)'}`,
      ];
    }
    case 'register_model':
      return [
        `registered ${String(o.model ?? o.name ?? 'model')} v${String(o.version)}${o.betterThanChampion === true ? ', better than the champion' : o.betterThanChampion === false ? ', not better than the champion' : ''}`,
      ];
    case 'deploy':
      return [`${String(o.model ?? 'model')} v${String(o.version)}: ${String(o.decision ?? 'deployed')}${o.reason ? ` (${String(o.reason)})` : ''}`];
    default:
      return [];
  }
}

/**
 * The lines the demo prints for one recorded event: each state as it is entered and left, with
 * the salient output, failures, retries, the approval and the end. Events that only repeat what
 * another line says print nothing.
 */
export function progressLines(e: ExecutionEvent): string[] {
  const step = stateName(e.step);
  const d = e.data;
  switch (e.type) {
    case 'StateEntered':
      return d.type === 'task' || d.type === 'parallel' ? [`▶ ${step}`] : [];
    case 'ActivitySucceeded':
      return [`✓ ${step} (${seconds(d.ms)})`, ...outputSummary(step, d.output).map((l) => `    ${l}`)];
    case 'ActivityFailed': {
      const err = d.error as { code?: string; message?: string } | undefined;
      return [`✗ ${step}: ${err?.code ?? 'ERROR'}: ${err?.message ?? ''}`];
    }
    case 'ActivityRetried':
      return [`↻ ${step}: retrying (attempt ${String(d.attempt)})`];
    case 'ChoiceTaken':
      return [`→ ${step}: ${String(d.next)}`];
    case 'ApprovalRequested':
      return [`⏸ ${step}: waiting for a decision`];
    case 'ApprovalDecided':
    case 'ApprovalTimedOut':
      return [
        `${d.decision === 'approved' ? '✓' : '✗'} ${step}: ${String(d.decision)} by ${String(d.by)}${d.comment ? ` — "${String(d.comment)}"` : ''}${d.reason ? ` — reason: "${String(d.reason)}"` : ''}`,
      ];
    case 'ExecutionSucceeded':
      return [`■ finished: ${String(d.outcome)}`];
    case 'ExecutionFailed': {
      const err = d.error as { code?: string; message?: string; hint?: string } | undefined;
      return [`■ failed: ${err?.code ?? 'ERROR'}: ${err?.message ?? ''}${err?.hint ? `\n    hint: ${err.hint}` : ''}`];
    }
    case 'DuplicateDetected':
      return [`= same content as ${String(d.duplicateOf)}`];
    default:
      return [];
  }
}
