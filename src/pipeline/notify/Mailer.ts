import nodemailer, { type Transporter } from 'nodemailer';
import { SluiceError } from '../../core/errors.js';

/** SMTP settings (sluice.yaml `smtp`). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean | undefined;
  /** Skip STARTTLS (only for a local relay or a test server). */
  ignoreTLS?: boolean | undefined;
  user?: string | undefined;
  pass?: string | undefined;
  from: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
}

/** Sends e-mail over SMTP with nodemailer. One transport (pooled connections) per mailer. */
export class Mailer {
  private readonly transport: Transporter;

  constructor(private readonly settings: SmtpSettings) {
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure ?? false,
      ignoreTLS: settings.ignoreTLS ?? false,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.pass ?? '' } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
    });
  }

  async send(m: MailMessage): Promise<string> {
    try {
      const info = await this.transport.sendMail({ from: this.settings.from, to: m.to, subject: m.subject, text: m.text, ...(m.html ? { html: m.html } : {}) });
      return String(info.messageId);
    } catch (e) {
      throw new SluiceError('SMTP_FAILED', `sending mail to ${m.to} via ${this.settings.host}:${this.settings.port} failed: ${(e as Error).message}`, {
        retryable: true,
        hint: 'check the smtp settings in sluice.yaml (host, port, secure, user)',
        cause: e,
      });
    }
  }

  close(): void {
    this.transport.close();
  }
}
