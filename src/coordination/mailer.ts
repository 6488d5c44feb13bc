/** E-mail over SMTP with nodemailer: the outbox's mailer. */
import nodemailer from 'nodemailer';
import type { Mailer } from './outbox.js';

export function createSmtpMailer(url: string, from: string): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        messageId: m.messageId,
        headers: m.headers,
      });
    },
    close: () => transport.close(),
  };
}
