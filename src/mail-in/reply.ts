/**
 * E-mail replies to exercise injects, as text: the reply address (drill+<token>@<domain>), what of a reply is
 * the participant's own words (quoted text and signatures stripped) and what kind of response it is — the
 * first line names it (ACK, FINDING, ACTION <expected key>, QUESTION, or 确认 / 发现 / 处置 / 问题), the rest is
 * its text. No I/O.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ResponseKind } from '../drills/model.js';

/** The bounds of inbound mail; an operator changes a number here, never an `if`. */
export const INBOUND_LIMITS = {
  /** A message larger than this is refused (552) while it is received: a reply is text, not a file. */
  messageBytes: 256 * 1024,
  /** Recipients of one message. */
  recipients: 5,
  /** The text of one response (as the portal takes it). */
  textChars: 20_000,
} as const;

/** The local part of every reply address: drill+<token>@<domain>. */
export const REPLY_LOCAL = 'drill';

/** The keywords a reply's first line begins with, per kind (case does not matter). */
export const RESPONSE_KEYWORDS: Readonly<Record<ResponseKind, readonly string[]>> = {
  acknowledge: ['acknowledged', 'acknowledge', 'ack', '确认', '收到'],
  finding: ['findings', 'finding', '发现'],
  action: ['actions', 'action', '处置', '已处置'],
  question: ['question', '问题', '提问'],
};
/** A reply whose first line names no kind is taken as what the participant found. */
export const DEFAULT_KIND: ResponseKind = 'finding';

/** A new reply token: 20 random base32 characters (100 bits), lower case, safe in an address's local part. */
export function newReplyToken(random: (n: number) => Buffer = randomBytes): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from(random(20), (b) => alphabet[b & 31] ?? 'a').join('');
}
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export const replyAddress = (token: string, domain: string): string => `${REPLY_LOCAL}+${token}@${domain}`;

/**
 * What an envelope recipient is to the listener: a reply address with its token, the bare drill@<domain>
 * (matched by In-Reply-To / References), or none of its addresses.
 */
export function recipientOf(
  address: string,
  domain: string,
): { token: string } | { bare: true } | { foreign: true } {
  const m = /^([^@]+)@(.+)$/.exec(address.trim().toLowerCase());
  if (!m?.[1] || m[2] !== domain.toLowerCase()) return { foreign: true };
  if (m[1] === REPLY_LOCAL) return { bare: true };
  const t = new RegExp(`^${REPLY_LOCAL}\\+([a-z2-7]{20})$`).exec(m[1]);
  return t?.[1] ? { token: t[1] } : { foreign: true };
}

/** Message-IDs as a header lists them ("<a@b> <c@d>"), without the angle brackets. */
export function messageIds(...headers: Array<string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const h of headers.flat())
    for (const m of (h ?? '').matchAll(/<?([^<>\s]+@[^<>\s]+)>?/g)) if (m[1]) out.push(m[1]);
  return [...new Set(out)];
}

/** Lines that begin the quoted original in the usual mail clients (English and Chinese). */
const QUOTE_HEADERS = [
  /^On .+wrote:\s*$/i,
  /^在.+写道[:：]\s*$/,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^-{2,}\s*原始邮件\s*-{2,}\s*$/,
  /^_{5,}\s*$/,
  /^(From|发件人)\s*[:：].+$/i,
];

/** The participant's own words: the text above the quoted original, without '>' lines or a signature. */
export function stripQuoted(text: string): string {
  const kept: string[] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (QUOTE_HEADERS.some((r) => r.test(line.trim()))) break;
    if (line === '-- ' || line === '--') break; // the signature delimiter
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n').trim();
}

export interface ParsedReply {
  kind: ResponseKind;
  /** The expected action named after ACTION (or any kind's keyword), when the inject expects it. */
  fulfils: string | null;
  text: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const KEYWORD = new RegExp(
  `^(${Object.values(RESPONSE_KEYWORDS)
    .flat()
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')})(?=$|[\\s:：,，.。;；!！-])[\\s:：,，.。;；!！-]*`,
  'i',
);

/**
 * The response a reply makes. The first line's keyword names the kind; a word after it that is one of the
 * inject's expected keys is the action it fulfils ("ACTION report_c2 C2 is 203.0.113.45"); the rest of the
 * first line and the lines below are the text. Without a keyword the whole reply is a finding.
 */
export function parseReply(body: string, expectedKeys: readonly string[]): ParsedReply {
  const own = stripQuoted(body);
  const lines = own.split('\n');
  const first = (lines[0] ?? '').trim();
  const m = KEYWORD.exec(first);
  if (!m?.[1]) return { kind: DEFAULT_KIND, fulfils: null, text: own };
  const word = m[1].toLowerCase();
  const kind = (Object.keys(RESPONSE_KEYWORDS) as ResponseKind[]).find((k) =>
    RESPONSE_KEYWORDS[k].some((w) => w.toLowerCase() === word),
  );
  let rest = first.slice(m[0].length);
  let fulfils: string | null = null;
  const key = /^([a-z][a-z0-9_]{0,39})(?=$|[\s:：,，.。;；-])[\s:：,，.。;；-]*/.exec(rest);
  if (key?.[1] && expectedKeys.includes(key[1])) {
    fulfils = key[1];
    rest = rest.slice(key[0].length);
  }
  const text = [rest, ...lines.slice(1)].join('\n').trim();
  return { kind: kind ?? DEFAULT_KIND, fulfils, text: text || first };
}

/** The lines an inject e-mail ends with: how to answer it by replying. */
export function replyInstructions(address: string): string {
  return [
    `Reply to this e-mail to answer (to ${address}): begin with ACK, FINDING, ACTION <expected key> or QUESTION.`,
    `回复本邮件即可作答（发往 ${address}）：首行写 确认、发现、处置 <预期动作键> 或 问题。`,
  ].join('\n');
}
