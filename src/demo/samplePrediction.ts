import { readFile } from 'node:fs/promises';
import { SluiceError } from '../core/errors.js';
import { sleep } from './sleep.js';

export interface SamplePrediction {
  record: Record<string, string>;
  status: number;
  body: { predictions?: Array<{ predicted_label?: unknown; probabilities?: number[]; labels?: string[] }>; model?: string; model_version?: string };
}

/**
 * Sends one record of `csvFile` (its header and row `row`) to `POST {baseUrl}/invocations` as
 * text/csv, the way any client would, and returns the answer. While the endpoint has not loaded
 * the new champion yet (503), it asks again, for up to `timeoutMs`.
 */
export async function samplePrediction(
  baseUrl: string,
  csvFile: string,
  signal: AbortSignal,
  opts: { row?: number; timeoutMs?: number } = {},
): Promise<SamplePrediction> {
  const lines = (await readFile(csvFile, 'utf8')).split(/\r?\n/, (opts.row ?? 1) + 1);
  const header = lines[0] ?? '';
  const line = lines[opts.row ?? 1] ?? '';
  const names = header.split(',');
  const cells = line.split(',');
  const record = Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const res = await fetch(`${baseUrl}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: `${header}\n${line}\n`, signal });
    const body = (await res.json().catch(() => ({}))) as SamplePrediction['body'] & { error?: { code?: string; message?: string } };
    if (res.status === 200) return { record, status: res.status, body };
    if (res.status !== 503 || Date.now() > deadline) {
      throw new SluiceError(
        'DEMO_PREDICTION_FAILED',
        `POST ${baseUrl}/invocations answered ${res.status}${body.error ? `: ${body.error.code}: ${body.error.message}` : ''}`,
        {
          hint: res.status === 404 ? 'this server has no prediction endpoint mounted' : 'see docs/endpoint.md; GET /ping tells whether a model is loaded',
        },
      );
    }
    await sleep(250, signal);
  }
}
