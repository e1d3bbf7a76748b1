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
  /** The environment variable holding the password, read when a message is sent. */
  passEnv?: string | undefined;
  from: string;
}

/** A file sent with a message; with `cid`, the HTML part shows it inline (`<img src="cid:...">`). */
export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
  cid?: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  attachments?: MailAttachment[] | undefined;
}

/** Sends e-mail over SMTP with nodemailer. One transport (pooled connections) per mailer. */
export class Mailer {
  private transportCache: Transporter | undefined;

  constructor(private readonly settings: SmtpSettings) {}

  /** The transport, made on first use: a command that sends nothing never needs the password. */
  private transport(): Transporter {
    if (this.transportCache) return this.transportCache;
    const s = this.settings;
    let pass = s.pass;
    if (s.passEnv) {
      pass = process.env[s.passEnv];
      if (pass === undefined) {
        throw new SluiceError('CONFIG_SECRET_MISSING', `smtp.passEnv names ${s.passEnv}, which is not set`, {
          hint: `export ${s.passEnv}=... before starting Sluice`,
          retryable: false,
        });
      }
    }
    this.transportCache = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure ?? false,
      ignoreTLS: s.ignoreTLS ?? false,
      ...(s.user ? { auth: { user: s.user, pass: pass ?? '' } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
    });
    return this.transportCache;
  }

  async send(m: MailMessage): Promise<string> {
    const transport = this.transport();
    try {
      const info = await transport.sendMail({
        from: this.settings.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        ...(m.attachments?.length ? { attachments: m.attachments } : {}),
      });
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
    this.transportCache?.close();
  }
}
