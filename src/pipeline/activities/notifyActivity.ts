import { SluiceError, toSluiceError } from '../../core/errors.js';
import type { StateDb } from '../../state/StateDb.js';
import { approvalEmail } from '../notify/approvalEmail.js';
import { findingsOf } from '../notify/findings.js';
import type { NotificationSettings } from '../notify/ApprovalMessenger.js';
import { postWebhook, webhookBody } from '../notify/postWebhook.js';
import type { Activity } from './Activity.js';

/** What notify tells: the report's findings (wired to the preceding report's result), the batch file, the channels. */
export interface NotifyInput {
  findings?: Record<string, unknown>;
  file?: string;
  channels?: string[];
}

/** Who was told, who had been told already (a retry), and what failed. */
export interface NotifyOutput {
  sent: string[];
  skipped: string[];
  errors: string[];
}

/**
 * The built-in `notify` activity: tells the approvers (e-mail) and the webhooks what the report
 * found (verdict, gates, high warnings, key figures) with a link to the execution. Input:
 * `{ findings?: $.results.<report state>, file?: $.input.file, channels?: ['email','webhook'] }`.
 * Each recipient is told once per step (a retry skips those already told). It fails (and is
 * retried) when nobody could be told.
 */
export function notifyActivity(db: StateDb, settings: NotificationSettings): Activity<NotifyInput, NotifyOutput> {
  return async (input, ctx) => {
    const channels = input.channels ?? ['email', 'webhook'];
    const findings = findingsOf(input.findings);
    const base = settings.publicUrl.replace(/\/$/, '');
    const executionUrl = `${base}/executions/${encodeURIComponent(ctx.executionId)}`;
    const file = input.file ?? null;
    const sent: string[] = [];
    const skipped: string[] = [];
    const errors: string[] = [];
    const once = async (recipient: string, send: () => Promise<void>) => {
      const key = `${ctx.idempotencyKey}:${recipient}`;
      if (await db.one('SELECT 1 AS sent FROM pipeline_notifications WHERE key = ?', [key])) {
        skipped.push(recipient);
        return;
      }
      try {
        await send();
        await db.run('INSERT INTO pipeline_notifications (key, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING', [key, new Date().toISOString()]);
        sent.push(recipient);
      } catch (e) {
        errors.push(toSluiceError(e).message);
      }
    };
    if (channels.includes('email') && settings.mailer) {
      for (const a of settings.approvers.filter((x) => x.email && x.role !== 'viewer')) {
        await once(`mail:${a.email}`, async () => {
          await settings.mailer!.send({
            to: a.email!,
            ...approvalEmail({ executionId: ctx.executionId, file, approverName: a.name, notice: 'findings', findings, executionUrl }),
          });
        });
      }
    }
    if (channels.includes('webhook')) {
      for (const hook of settings.webhooks) {
        await once(`hook:${hook.url}`, () =>
          postWebhook(
            hook,
            webhookBody({ title: `New batch ${file ?? ctx.executionId}`, executionId: ctx.executionId, file, findings, executionUrl, event: 'batch.report' }),
            ctx.signal,
          ),
        );
      }
    }
    if (errors.length > 0 && sent.length + skipped.length === 0) {
      throw new SluiceError('NOTIFY_FAILED', `nobody could be notified: ${errors.join('; ')}`, {
        retryable: true,
        hint: 'check the smtp and webhooks settings in sluice.yaml',
      });
    }
    return { sent, skipped, errors };
  };
}
