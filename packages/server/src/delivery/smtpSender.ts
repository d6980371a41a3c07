import nodemailer, { type Transporter } from 'nodemailer';
import type { CodeMessage, CodeSender } from '../domain/sender.js';
import type { Logger } from '../services.js';

/** SMTP delivery through nodemailer (LATCHKEY_SMTP_URL). Codes are never logged on this path. */
export class SmtpSender implements CodeSender {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
    private readonly log: Logger,
  ) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(m: CodeMessage): Promise<void> {
    if (!m.destination.includes('@')) throw new Error('SMTP delivery needs an email destination');
    await this.transport.sendMail({ from: this.from, to: m.destination, subject: m.subject, text: m.body });
    this.log.info({ poolId: m.poolId, subject: m.subject }, 'code message sent by SMTP');
  }
}
