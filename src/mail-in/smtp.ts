/**
 * The inbound SMTP listener (smtp-server): it takes mail for the reply addresses of one domain and hands each
 * message, parsed with mailparser, to a receiver. What is refused is refused in the SMTP conversation, so the
 * sender's own server tells the sender: a recipient outside the domain or an unknown reply token at RCPT TO
 * (550), a message over the size limit (552), and whatever the receiver refuses (an AppError: 550 for a
 * sender or address it does not accept, 554 otherwise). Every refusal is logged. No authentication and no TLS
 * here: the listener sits behind the domain's mail exchanger, which delivers to it.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { isAppError } from '../errors.js';
import { INBOUND_LIMITS, messageIds, recipientOf } from './reply.js';

/** One received message, as the receiver gets it. */
export interface InboundMail {
  /** The token of the reply address it was sent to, when it was sent to one. */
  token?: string;
  /** In-Reply-To and References, without <>. */
  references: string[];
  /** The From header's address (the envelope sender when the header has none). */
  from: string;
  messageId?: string;
  subject: string;
  text: string;
}

export interface InboundOptions {
  host: string;
  port: number;
  /** The domain of the reply addresses: mail for any other is refused. */
  domain: string;
  /** Whether a reply token is one the platform gave out (checked at RCPT TO). */
  knownToken: (token: string) => Promise<boolean>;
  /** Records the message; what it answers goes into the 250 reply. Throws to refuse it. */
  receive: (mail: InboundMail) => Promise<string>;
  log: (line: string) => void;
  maxBytes?: number;
}

type SmtpError = Error & { responseCode: number };
const smtpError = (code: number, message: string): SmtpError =>
  Object.assign(new Error(message), { responseCode: code });

/** Listen; `ready` answers the bound address (port 0: any free one). */
export function startInboundMail(o: InboundOptions): {
  ready: Promise<{ host: string; port: number }>;
  stop: () => Promise<void>;
} {
  const maxBytes = o.maxBytes ?? INBOUND_LIMITS.messageBytes;
  const refuse = (session: { envelope: { mailFrom: false | { address: string } } }, e: SmtpError) => {
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '?';
    o.log(`inbound mail: refused from ${from}: ${e.responseCode} ${e.message}`);
    return e;
  };
  const server = new SMTPServer({
    banner: 'vulnshare: replies to exercise injects',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    onRcptTo(address, session, callback) {
      if (session.envelope.rcptTo.length >= INBOUND_LIMITS.recipients)
        return callback(refuse(session, smtpError(452, '4.5.3 Too many recipients')));
      const r = recipientOf(address.address, o.domain);
      if ('foreign' in r)
        return callback(refuse(session, smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`)));
      if ('bare' in r) return callback();
      o.knownToken(r.token).then(
        (known) =>
          known
            ? callback()
            : callback(refuse(session, smtpError(550, `5.1.1 <${address.address}>: unknown reply address`))),
        (e: unknown) =>
          callback(refuse(session, smtpError(451, `4.3.0 cannot check the address now (${String(e)})`))),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= maxBytes) chunks.push(c);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > maxBytes)
          return callback(
            refuse(session, smtpError(552, `5.3.4 Message too big: a reply is at most ${maxBytes} bytes`)),
          );
        const tokens = session.envelope.rcptTo.flatMap((a) => {
          const r = recipientOf(a.address, o.domain);
          return 'token' in r ? [r.token] : [];
        });
        void (async () => {
          const parsed = await simpleParser(Buffer.concat(chunks));
          const from =
            parsed.from?.value[0]?.address ??
            (session.envelope.mailFrom ? session.envelope.mailFrom.address : '');
          const mail: InboundMail = {
            ...(tokens[0] ? { token: tokens[0] } : {}),
            references: messageIds(parsed.inReplyTo, parsed.references),
            from,
            ...(parsed.messageId ? { messageId: messageIds(parsed.messageId)[0] ?? parsed.messageId } : {}),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          };
          return o.receive(mail);
        })().then(
          (answer) => {
            o.log(`inbound mail: ${answer}`);
            callback(null, answer);
          },
          (e: unknown) => {
            const refused = isAppError(e)
              ? smtpError(e.code === 'not_found' || e.code === 'forbidden' ? 550 : 554, `5.7.1 ${e.message}`)
              : smtpError(451, `4.3.0 not recorded (${e instanceof Error ? e.message : String(e)})`);
            callback(refuse(session, refused));
          },
        );
      });
    },
  });
  const ready = new Promise<{ host: string; port: number }>((resolve, reject) => {
    server.on('error', (e) => {
      o.log(`inbound mail: ${String(e)}`);
      reject(e);
    });
    server.listen(o.port, o.host, () => {
      const a = server.server.address() as AddressInfo;
      o.log(`inbound mail: listening on ${o.host}:${a.port} for replies to @${o.domain}`);
      resolve({ host: o.host, port: a.port });
    });
  });
  return {
    ready,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
