import { SluiceError } from '../../core/errors.js';
import { quoteValue } from '../../core/quoteValue.js';
import type { Prediction, RecordError } from './Predictor.js';

/** SageMaker Autopilot's inference response keys, in the order Autopilot writes them. */
export const OUTPUT_KEYS = ['predicted_label', 'probability', 'probabilities', 'labels'] as const;
export type OutputKey = (typeof OUTPUT_KEYS)[number];

export type OutputMedia = 'json' | 'csv' | 'jsonlines';

/** What a response is written as: the media type and, when chosen, the Autopilot keys. */
export interface OutputChoice {
  media: OutputMedia;
  /** Keys chosen by the request (`Accept: ...; output="..."`) or the server; undefined: the media's default. */
  keys?: OutputKey[];
}

const MEDIA: Record<string, OutputMedia> = {
  'application/json': 'json',
  'text/csv': 'csv',
  'application/jsonlines': 'jsonlines',
  'application/jsonl': 'jsonlines',
  'application/x-jsonlines': 'jsonlines',
  'application/json-lines': 'jsonlines',
};
const CONTENT_TYPE: Record<OutputMedia, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  jsonlines: 'application/jsonlines; charset=utf-8',
};
/** With no key chosen, CSV and JSON Lines answer as Autopilot does by default: the predicted label only. */
const DEFAULT_KEYS: Record<Exclude<OutputMedia, 'json'>, OutputKey[]> = { csv: ['predicted_label'], jsonlines: ['predicted_label'] };

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
  order: number;
}

/** Splits an Accept header into media ranges, honouring quoted parameter values (which may hold commas). */
export function parseAccept(accept: string): MediaRange[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of accept) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const out: MediaRange[] = [];
  parts.forEach((part, order) => {
    const [type, ...rest] = part.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    const t = (type ?? '').trim().toLowerCase();
    if (!t) return;
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      params[p.slice(0, eq).trim().toLowerCase()] = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
    }
    const q = params.q === undefined ? 1 : Number(params.q);
    out.push({ type: t, params, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0, order });
  });
  return out;
}

/** Autopilot keys from a comma-separated list (`predicted_label, probability`); an unknown key is a 400. */
export function parseOutputKeys(spec: string, where: string): OutputKey[] {
  const keys = spec
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = keys.filter((k) => !(OUTPUT_KEYS as readonly string[]).includes(k));
  if (keys.length === 0 || unknown.length > 0) {
    throw new SluiceError(
      'INVOCATION_BAD_OUTPUT_KEYS',
      `${where} ${keys.length === 0 ? 'names no keys' : `names unknown keys ${unknown.map((k) => JSON.stringify(k)).join(', ')}`}`,
      {
        hint: `choose among ${OUTPUT_KEYS.join(', ')}, comma-separated`,
      },
    );
  }
  return keys as OutputKey[];
}

/**
 * The response format for an `Accept` header: the acceptable media range with the highest
 * q-value (ties: the more specific, then the first) among JSON, CSV and JSON Lines; `*\/*`,
 * `application/*` and no header give JSON, `text/*` CSV. Nothing producible is a 406. The keys
 * come from the chosen range's `output` parameter, else from `serverKeys`
 * (`SAGEMAKER_INFERENCE_OUTPUT`).
 */
export function chooseOutput(accept: string | undefined, serverKeys?: OutputKey[]): OutputChoice {
  const ranges = accept === undefined || accept.trim() === '' ? [] : parseAccept(accept);
  if (ranges.length === 0) return { media: 'json', ...(serverKeys ? { keys: serverKeys } : {}) };
  const candidates = ranges
    .filter((r) => r.q > 0)
    .map((r) => ({ r, media: mediaOf(r.type), specific: r.type.includes('*') ? (r.type === '*/*' ? 0 : 1) : 2 }))
    .filter((c): c is { r: MediaRange; media: OutputMedia; specific: number } => c.media !== undefined)
    .sort((a, b) => b.r.q - a.r.q || b.specific - a.specific || a.r.order - b.r.order);
  const best = candidates[0];
  if (!best) {
    throw new SluiceError('INVOCATION_NOT_ACCEPTABLE', `cannot answer in any type the Accept header allows (${quoteValue(accept)})`, {
      httpStatus: 406,
      hint: 'accept application/json, text/csv or application/jsonlines',
    });
  }
  const keys = best.r.params.output !== undefined ? parseOutputKeys(best.r.params.output, 'the Accept "output" parameter') : serverKeys;
  return { media: best.media, ...(keys ? { keys } : {}) };
}

function mediaOf(type: string): OutputMedia | undefined {
  if (type === '*/*' || type === 'application/*') return 'json';
  if (type === 'text/*') return 'csv';
  return MEDIA[type];
}

/** The value of one Autopilot key for a prediction (`probability`: that of the predicted label). */
function outputValue(p: Prediction, key: OutputKey): unknown {
  switch (key) {
    case 'predicted_label':
      return p.predicted_label;
    case 'probability': {
      const i = p.labels.indexOf(p.predicted_label);
      return i >= 0 ? p.probabilities[i] : Math.max(...p.probabilities);
    }
    case 'probabilities':
      return p.probabilities;
    case 'labels':
      return p.labels;
  }
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A list as Autopilot's CSV writes it (Python's repr): `[0.9, 0.1]`, `['1', '0']`. */
function csvList(values: unknown[]): string {
  return `[${values.map((v) => (typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(v))).join(', ')}]`;
}

/**
 * The response body for the chosen format: JSON `{"predictions": [...], "model", "model_version"}`
 * (each prediction whole, or only the chosen keys); CSV without a header, one line per record
 * with the chosen keys in order, lists written as Autopilot writes them; JSON Lines, one object per
 * record with the chosen keys.
 */
export function renderPredictions(
  choice: OutputChoice,
  predictions: Array<Prediction | { error: RecordError }>,
  model: string,
  version: string,
): { contentType: string; body: string | Record<string, unknown> } {
  const contentType = CONTENT_TYPE[choice.media];
  // A record that could not be scored keeps its place: its error in JSON, empty cells in CSV.
  const failed = (p: Prediction | { error: RecordError }): p is { error: RecordError } => 'error' in p;
  if (choice.media === 'json') {
    const keys = choice.keys;
    const out = keys ? predictions.map((p) => (failed(p) ? p : Object.fromEntries(keys.map((k) => [k, outputValue(p, k)])))) : predictions;
    return { contentType, body: { predictions: out, model, model_version: version } };
  }
  const keys = choice.keys ?? DEFAULT_KEYS[choice.media];
  const lines = predictions.map((p) =>
    choice.media === 'csv'
      ? failed(p)
        ? ','.repeat(keys.length - 1)
        : keys
            .map((k) => {
              const v = outputValue(p, k);
              return csvCell(Array.isArray(v) ? csvList(v) : String(v));
            })
            .join(',')
      : JSON.stringify(failed(p) ? p : Object.fromEntries(keys.map((k) => [k, outputValue(p, k)]))),
  );
  return { contentType, body: lines.join('\n') + '\n' };
}
