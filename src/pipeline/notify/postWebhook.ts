import { SluiceError } from '../../core/errors.js';
import type { Findings } from './findings.js';

/** A webhook receiver (sluice.yaml `webhooks`): Slack incoming webhooks and any JSON endpoint. */
export interface WebhookSettings {
  url: string;
  name?: string | undefined;
}

/**
 * A Slack-compatible body (`text` plus `blocks`), which generic receivers read as JSON too; the
 * structured fields (`sluice`) are there for machines. No approval token ever goes to a webhook:
 * a channel is read by many, so the link is the execution page, where an approver logs in.
 */
export function webhookBody(m: {
  title: string;
  executionId: string;
  file?: string | null | undefined;
  findings: Findings;
  executionUrl: string;
  event: string;
}): Record<string, unknown> {
  const f = m.findings;
  const lines = [
    `*${m.title}*`,
    f.verdict ? `Verdict: *${f.verdict}*` : undefined,
    f.gates.length ? `Gates: ${f.gates.map((g) => `${g.passed ? ':white_check_mark:' : ':x:'} ${g.name}`).join(', ')}` : undefined,
    f.highWarnings.length ? `High warnings: ${f.highWarnings.join('; ')}` : undefined,
    f.figures.length ? f.figures.map(([k, v]) => `${k}: ${v}`).join(' · ') : undefined,
    `<${m.executionUrl}|Open execution ${m.executionId}>`,
  ].filter((x): x is string => x !== undefined);
  return {
    text: `${m.title} (${m.executionUrl})`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
    sluice: {
      event: m.event,
      executionId: m.executionId,
      file: m.file ?? null,
      verdict: f.verdict ?? null,
      gates: f.gates,
      highWarnings: f.highWarnings,
      figures: Object.fromEntries(f.figures),
      executionUrl: m.executionUrl,
    },
  };
}

/** POSTs JSON to a webhook; a non-2xx answer or a network error is a retryable SluiceError. */
export async function postWebhook(hook: WebhookSettings, body: unknown, signal?: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: signal ?? AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new SluiceError('WEBHOOK_FAILED', `webhook ${hook.name ?? hook.url} could not be reached: ${(e as Error).message}`, {
      retryable: true,
      hint: 'check the webhook url in sluice.yaml',
      cause: e,
    });
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200);
    throw new SluiceError('WEBHOOK_FAILED', `webhook ${hook.name ?? hook.url} answered ${res.status}${text ? `: ${text}` : ''}`, {
      retryable: res.status >= 500 || res.status === 429,
      hint: 'check the webhook url and what the receiver expects',
    });
  }
}
