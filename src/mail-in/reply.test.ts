import { describe, expect, it } from 'vitest';
import { messageIds, newReplyToken, parseReply, recipientOf, replyAddress, stripQuoted } from './reply.js';

const D = 'drills.cert.example';

describe('reply addresses', () => {
  it('carry a 20-character token that reads back from the address, case aside', () => {
    const t = newReplyToken();
    expect(t).toMatch(/^[a-z2-7]{20}$/);
    expect(newReplyToken()).not.toBe(t);
    expect(recipientOf(replyAddress(t, D).toUpperCase(), D)).toEqual({ token: t });
    expect(recipientOf(`drill@${D}`, D)).toEqual({ bare: true });
    expect(recipientOf(`drill+short@${D}`, D)).toEqual({ foreign: true });
    expect(recipientOf(`postmaster@${D}`, D)).toEqual({ foreign: true });
    expect(recipientOf(`drill+${t}@other.example`, D)).toEqual({ foreign: true });
  });

  it('Message-IDs are read from In-Reply-To and References without their brackets', () => {
    expect(messageIds('<a-1@vulnshare>', ['<b@x.example> <a-1@vulnshare>'], undefined)).toEqual([
      'a-1@vulnshare',
      'b@x.example',
    ]);
  });
});

describe('what of a reply is the participant’s', () => {
  it.each([
    ['> lines', 'Seen.\n> quoted\n>> older', 'Seen.'],
    ['Gmail', 'Seen.\n\nOn Wed, Apr 1, 2026 at 09:00 X <x@y> wrote:\n> q', 'Seen.'],
    ['Chinese clients', '收到。\n\n在 2026年4月1日 09:00，X 写道：\n原文', '收到。'],
    ['Outlook', 'Seen.\n\n-----Original Message-----\nFrom: X', 'Seen.'],
    ['Foxmail', '收到。\n\n------------------ 原始邮件 ------------------\n发件人: X', '收到。'],
    ['a signature', 'Seen.\n-- \nSOC desk', 'Seen.'],
  ])('strips %s', (_name, body, own) => expect(stripQuoted(body)).toBe(own));
});

describe('the kind of response a reply makes', () => {
  const keys = ['ack', 'report_c2'];
  it.each([
    ['ACK', { kind: 'acknowledge', fulfils: null, text: 'ACK' }],
    ['ack: seen, on it', { kind: 'acknowledge', fulfils: null, text: 'seen, on it' }],
    ['确认 已收到', { kind: 'acknowledge', fulfils: null, text: '已收到' }],
    ['Finding\nhost 10.0.0.5 beacons', { kind: 'finding', fulfils: null, text: 'host 10.0.0.5 beacons' }],
    [
      'ACTION report_c2 C2 is 203.0.113.45',
      { kind: 'action', fulfils: 'report_c2', text: 'C2 is 203.0.113.45' },
    ],
    ['处置 report_c2：已封禁', { kind: 'action', fulfils: 'report_c2', text: '已封禁' }],
    ['action isolate_host done', { kind: 'action', fulfils: null, text: 'isolate_host done' }],
    ['QUESTION: is the sample real?', { kind: 'question', fulfils: null, text: 'is the sample real?' }],
    ['问题 样本是否真实？', { kind: 'question', fulfils: null, text: '样本是否真实？' }],
    ['Acknowledgement of receipt', { kind: 'finding', fulfils: null, text: 'Acknowledgement of receipt' }],
    ['We see beacons to the C2.', { kind: 'finding', fulfils: null, text: 'We see beacons to the C2.' }],
  ])('%j', (body, parsed) => expect(parseReply(body, keys)).toEqual(parsed));
});
