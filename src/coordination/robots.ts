/**
 * Chat robots as a contact's channel: a DingTalk (钉钉) custom robot, a WeCom (企业微信) group robot or a
 * Feishu/Lark (飞书) custom bot. A notification to such a contact is an outbox row like a webhook (at least
 * once, the outbox's retries); delivering it posts the robot's own message format, signed as its vendor
 * documents:
 *
 * - DingTalk: `timestamp` (ms) and `sign` = base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)),
 *   URL-encoded, added to the webhook URL's query; the body is a markdown message.
 * - WeCom: the webhook key is in the URL itself (no signature); the body is a markdown message.
 * - Feishu/Lark: `timestamp` (s) and `sign` = base64(HMAC-SHA256(key = timestamp + "\n" + secret, empty
 *   message)) in the JSON body beside a text message.
 *
 * All three answer HTTP 200 for a refused message too, with their own code in the body (DingTalk and WeCom
 * `errcode`, Feishu `code` / `StatusCode`): anything but 0 is a failed delivery, retried.
 */
import { createHmac } from 'node:crypto';

export const ROBOT_KINDS = ['dingtalk', 'wecom', 'feishu'] as const;
export type RobotKind = (typeof ROBOT_KINDS)[number];
export const isRobotKind = (s: string): s is RobotKind => (ROBOT_KINDS as readonly string[]).includes(s);

export const ROBOT_LABELS: Record<RobotKind, string> = {
  dingtalk: '钉钉 DingTalk',
  wecom: '企业微信 WeCom',
  feishu: '飞书 Feishu/Lark',
};

/** What a robot message says (the outbox row's body carries it as `robot`). */
export interface RobotFacts {
  trackingNo?: string;
  vulnId?: string | null;
  title: string;
  severity?: string | null;
  deadline?: string;
  link?: string | null;
  /** a reminder before the deadline, not the first notification */
  reminder?: boolean;
}

const SEVERITY_ZH: Record<string, string> = { high: '高危', medium: '中危', low: '低危' };

/** The message in Chinese, one fact a line (a robot's group reads it at a glance). */
export function robotLines(f: RobotFacts): string[] {
  return [
    f.reminder ? '【vulnshare 漏洞处置提醒】' : '【vulnshare 漏洞通报】',
    ...(f.trackingNo ? [`报告编号：${f.trackingNo}`] : []),
    ...(f.vulnId ? [`漏洞编号：${f.vulnId}`] : []),
    `标题：${f.title}`,
    `危害级别：${f.severity ? (SEVERITY_ZH[f.severity] ?? f.severity) : '未评级'}`,
    ...(f.deadline ? [`修复期限：${f.deadline.slice(0, 10)}`] : []),
    ...(f.link ? [`确认、提交修复或提出异议：${f.link}`] : []),
  ];
}

/** DingTalk's `sign` before URL-encoding: base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)). */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** Feishu's `sign`: base64 of the HMAC-SHA256 keyed with `${timestamp}\n${secret}` over an empty message. */
export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');
}

/** The request a robot delivery makes (pure: the caller posts it). */
export function robotRequest(
  kind: RobotKind,
  webhookUrl: string,
  secret: string | null,
  facts: RobotFacts,
  now: Date,
): { url: string; body: Record<string, unknown> } {
  const lines = robotLines(facts);
  const title = `${facts.reminder ? '处置提醒' : '漏洞通报'}：${facts.title}`.slice(0, 100);
  switch (kind) {
    case 'dingtalk': {
      const url = new URL(webhookUrl);
      if (secret) {
        const t = now.getTime();
        url.searchParams.set('timestamp', String(t));
        url.searchParams.set('sign', dingtalkSign(secret, t));
      }
      const [head = '', ...rest] = lines;
      return {
        url: url.toString(),
        body: {
          msgtype: 'markdown',
          markdown: { title, text: [`### ${head}`, ...rest.map((l) => `- ${l}`)].join('\n') },
        },
      };
    }
    case 'wecom': {
      const [head = '', ...rest] = lines;
      return {
        url: webhookUrl,
        body: { msgtype: 'markdown', markdown: { content: [`**${head}**`, ...rest].join('\n') } },
      };
    }
    case 'feishu': {
      const t = Math.floor(now.getTime() / 1000);
      return {
        url: webhookUrl,
        body: {
          ...(secret ? { timestamp: String(t), sign: feishuSign(secret, t) } : {}),
          msg_type: 'text',
          content: { text: lines.join('\n') },
        },
      };
    }
  }
}

/** Why a robot refused the message (its code and message), or null when it took it. */
export function robotRefusal(kind: RobotKind, answer: unknown): string | null {
  const a = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  const code = kind === 'feishu' ? (a.code ?? a.StatusCode) : a.errcode;
  if (code === 0 || code === '0') return null;
  const msg = kind === 'feishu' ? (a.msg ?? a.StatusMessage) : a.errmsg;
  return `${ROBOT_LABELS[kind]} robot refused the message: ${typeof code === 'string' || typeof code === 'number' ? String(code) : 'no code'} ${typeof msg === 'string' ? msg : ''}`.trim();
}

/** Problems with a contact's robot channel (kind, URL, secret), for the contact's validation. */
export function robotProblems(r: { kind: string; url: string; secret?: string | null }): string[] {
  if (!isRobotKind(r.kind)) return [`robot.kind must be one of ${ROBOT_KINDS.join(', ')}`];
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    return [`robot.url "${r.url}" is not a URL`];
  }
  const problems: string[] = [];
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push('robot.url must be http(s)');
  if (r.kind === 'dingtalk' && !url.searchParams.get('access_token'))
    problems.push('a DingTalk robot URL carries its access_token (…/robot/send?access_token=…)');
  if (r.kind === 'wecom' && !url.searchParams.get('key'))
    problems.push('a WeCom robot URL carries its key (…/cgi-bin/webhook/send?key=…)');
  if (r.kind === 'wecom' && r.secret)
    problems.push('a WeCom group robot signs nothing: its key is in the URL; give no secret');
  if (r.kind === 'feishu' && !/\/hook\/[^/]+$/.test(url.pathname))
    problems.push('a Feishu/Lark bot URL ends in /open-apis/bot/v2/hook/<id>');
  return problems;
}

/** Post one robot message; throws (so the outbox retries) when it is not taken. */
export async function deliverToRobot(
  doFetch: typeof fetch,
  row: { channel: string; target: string; secret: string | null; body: Record<string, unknown> },
  now: Date,
  timeoutMs: number,
): Promise<void> {
  if (!isRobotKind(row.channel)) throw new Error(`not a robot channel: ${row.channel}`);
  const b = row.body;
  const facts: RobotFacts =
    typeof b.robot === 'object' && b.robot !== null
      ? (b.robot as RobotFacts)
      : { title: typeof b.text === 'string' ? b.text : '' };
  const req = robotRequest(row.channel, row.target, row.secret, facts, now);
  const res = await doFetch(req.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(req.body),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text().catch(() => '');
  if (res.status >= 300 && res.status < 400)
    throw new Error(`robot answered ${res.status} (a redirect); robots never follow redirects`);
  if (!res.ok) throw new Error(`robot answered ${res.status}`);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(`robot answered ${res.status} with no JSON: ${text.slice(0, 200)}`);
  }
  const refused = robotRefusal(row.channel, answer);
  if (refused) throw new Error(refused);
}
