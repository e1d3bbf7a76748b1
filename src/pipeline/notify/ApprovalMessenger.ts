import { toSluiceError } from '../../core/errors.js';
import { createApprovalToken } from '../approvals/approvalTokens.js';
import { mayDecide, type Approver } from '../approvals/Approver.js';
import type { ApprovalNotifier } from '../orchestrator/ApprovalNotifier.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';
import { approvalEmail } from './approvalEmail.js';
import { findingsOf } from './findings.js';
import type { Mailer } from './Mailer.js';
import { postWebhook, webhookBody, type WebhookSettings } from './postWebhook.js';

/** Where and to whom notices go. */
export interface NotificationSettings {
  /** The server's public base URL, for links (`http://host:port`). */
  publicUrl: string;
  approvers: readonly Approver[];
  mailer?: Mailer | undefined;
  webhooks: readonly WebhookSettings[];
}

/**
 * Tells approvers an approval is wanted, with the findings the approval state's input wires
 * (`findings: $.results.<report state>`, checked when the pipeline loads). Each approver with an e-mail gets their own
 * single-use token in their link (so the link decides as them, and only once); webhooks get the
 * findings and the execution link, never a token. Failures are collected, not thrown: the
 * approval still waits, and can be decided in the console or by CLI.
 */
export class ApprovalMessenger implements ApprovalNotifier {
  constructor(
    private readonly store: ExecutionStore,
    private readonly settings: NotificationSettings,
  ) {}

  async notify(req: Parameters<ApprovalNotifier['notify']>[0]): Promise<{ channels: string[]; recipients: string[]; errors: string[] }> {
    const channels: string[] = [];
    const recipients: string[] = [];
    const errors: string[] = [];
    const base = this.settings.publicUrl.replace(/\/$/, '');
    const executionUrl = `${base}/executions/${encodeURIComponent(req.execution.id)}`;
    const findings = findingsOf(req.findings);
    if (req.state.notify.includes('email')) {
      channels.push('email');
      const who = this.settings.approvers.filter((a) => a.email && mayDecide(a, req.state.approvers));
      if (!this.settings.mailer) errors.push('email: no smtp server is configured');
      else if (who.length === 0) errors.push('email: no approver with an e-mail address may decide this step');
      for (const a of this.settings.mailer ? who : []) {
        try {
          const { token } = await createApprovalToken(this.store.db, {
            executionId: req.execution.id,
            step: req.step,
            approver: a.name,
            expiresAt: Date.parse(req.expiresAt),
          });
          const mail = approvalEmail({
            executionId: req.execution.id,
            file: req.execution.file,
            approverName: a.name,
            notice: req.notice,
            n: req.n,
            expiresAt: req.expiresAt,
            findings,
            decisionUrl: `${base}/approve/${token}`,
            executionUrl,
          });
          await this.settings.mailer!.send({ to: a.email!, ...mail });
          recipients.push(a.email!);
        } catch (e) {
          errors.push(`email to ${a.email}: ${toSluiceError(e).message}`);
        }
      }
    }
    if (req.state.notify.includes('webhook') && this.settings.webhooks.length > 0) {
      channels.push('webhook');
      const title = `${req.notice === 'reminder' ? `Reminder ${req.n}: ` : ''}approval needed for ${req.execution.file ?? req.execution.id}`;
      for (const hook of this.settings.webhooks) {
        try {
          await postWebhook(
            hook,
            webhookBody({ title, executionId: req.execution.id, file: req.execution.file, findings, executionUrl, event: `approval.${req.notice}` }),
          );
          recipients.push(hook.name ?? hook.url);
        } catch (e) {
          errors.push(toSluiceError(e).message);
        }
      }
    }
    return { channels, recipients, errors };
  }
}
