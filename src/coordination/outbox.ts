/**
 * The transactional outbox worker. Messages are rows written in the same transaction as the state change that
 * causes them; this worker leases due rows (FOR UPDATE SKIP LOCKED, so several workers never take the same
 * row), delivers them, and marks them sent — or schedules a retry with backoff, and gives up after the last.
 *
 * A worker killed at any point loses nothing: a leased row becomes due again when its lease ends. A kill
 * between the receiver accepting a message and the row being marked sent makes the message go out again with
 * the same delivery id (e-mail Message-ID, webhook X-Vulnshare-Delivery), so the receiver drops the repeat;
 * the in-portal inbox is written with the mark in one transaction, so it is exactly once.
 *
 * A webhook goes only where its URL says: a redirect (3xx) is a failed delivery, never followed, and internal
 * addresses (loopback, private, link-local, metadata …) are refused when connecting unless `internalTargets`
 * admits them.
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { createGuardedFetch } from '../outbound/fetch.js';
import { NO_INTERNAL_TARGETS, type InternalAllowance } from '../outbound/targets.js';
import { LEASE_SECONDS, RETRY_BACKOFF_SECONDS } from './rules.js';
import { deliverToRobot } from './robots.js';
import * as store from './store.js';
import type { OutboxRow } from './store.js';

export type { OutboxRow } from './store.js';

export interface Mailer {
  send(m: {
    to: string;
    subject: string;
    text: string;
    messageId: string;
    headers: Record<string, string>;
  }): Promise<void>;
}

export interface OutboxDeps {
  db: Kysely<DB>;
  mailer: Mailer | null;
  /** Default: a fetch that refuses internal addresses at connection time (src/outbound/fetch.ts). */
  fetch?: typeof fetch;
  /** Internal addresses webhooks may reach (VULNSHARE_ALLOW_INTERNAL_TARGETS); default none. */
  internalTargets?: InternalAllowance;
  clock?: () => Date;
  /** Webhook request timeout. */
  timeoutMs?: number;
}

/** "t=<unix>,v1=<hex hmac-sha256 of `${t}.${body}`>": what a webhook receiver checks. */
export function webhookSignature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export function textOf(body: Record<string, unknown>): string {
  return typeof body.text === 'string' ? body.text : JSON.stringify(body, null, 2);
}

export function createOutboxWorker(deps: OutboxDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const doFetch =
    deps.fetch ?? createGuardedFetch({ allowance: deps.internalTargets ?? NO_INTERNAL_TARGETS });

  async function lease(batch: number): Promise<OutboxRow[]> {
    const now = clock();
    const until = new Date(now.getTime() + LEASE_SECONDS * 1000).toISOString();
    return db.transaction().execute((tx) => store.leaseDue(tx, batch, now.toISOString(), until));
  }

  async function deliver(row: OutboxRow): Promise<void> {
    switch (row.channel) {
      case 'email': {
        if (!deps.mailer) throw new Error('no SMTP server configured (VULNSHARE_SMTP_URL)');
        await deps.mailer.send({
          to: row.target,
          subject: row.subject,
          text: textOf(row.body),
          messageId: `<${row.delivery_id}@vulnshare>`,
          headers: {
            'X-Vulnshare-Delivery': row.delivery_id,
            // a message that asks for answers by reply (an exercise inject) names its reply address
            ...(typeof row.body.replyTo === 'string' ? { 'Reply-To': row.body.replyTo } : {}),
          },
        });
        return;
      }
      case 'webhook': {
        const payload = JSON.stringify({ deliveryId: row.delivery_id, subject: row.subject, ...row.body });
        const t = Math.floor(clock().getTime() / 1000);
        const res = await doFetch(row.target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-vulnshare-delivery': row.delivery_id,
            'x-vulnshare-signature': webhookSignature(row.secret ?? '', payload, t),
          },
          body: payload,
          // never followed: a redirect would re-post the signed payload, the report and its link elsewhere
          redirect: 'manual',
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
        });
        await res.body?.cancel().catch(() => undefined);
        if (res.status >= 300 && res.status < 400)
          throw new Error(
            `webhook answered ${res.status} (a redirect to ${res.headers.get('location') ?? 'nowhere'}); webhooks never follow redirects`,
          );
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
        return;
      }
      // chat robots (robots.ts): the robot's own message format and signature
      case 'dingtalk':
      case 'wecom':
      case 'feishu':
        await deliverToRobot(doFetch, row, clock(), deps.timeoutMs ?? 10_000);
        return;
      case 'inbox':
        return; // written with the mark, below
      default:
        throw new Error(`unknown channel ${row.channel}`);
    }
  }

  async function markSent(row: OutboxRow): Promise<void> {
    const at = clock().toISOString();
    await db.transaction().execute(async (tx) => {
      if (row.channel === 'inbox')
        await store.insertInboxMessage(tx, {
          delivery_id: row.delivery_id,
          organisation_id: Number(row.target),
          notification_id: row.notification_id,
          subject: row.subject,
          body: JSON.stringify(row.body),
        });
      await store.markOutboxSent(tx, row.id, at);
      // the first message delivered moves a sent notification to delivered (a system transition)
      if (row.notification_id !== null)
        await store.moveNotification(tx, {
          id: row.notification_id,
          from: 'sent',
          to: 'delivered',
          at,
          actor: 'system',
          note: row.channel,
          onlyFrom: true,
        });
    });
  }

  async function markFailed(row: OutboxRow, error: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const wait = RETRY_BACKOFF_SECONDS[attempts - 1];
    const now = clock();
    const lastError = String(error instanceof Error ? error.message : error).slice(0, 1000);
    await store.markOutboxFailed(
      db,
      row.id,
      wait === undefined
        ? { attempts, lastError, failedAt: now.toISOString() }
        : { attempts, lastError, nextAttemptAt: new Date(now.getTime() + wait * 1000).toISOString() },
    );
  }

  /** Deliver what is due now; resolves to how many were sent and how many failed this round. */
  async function runOnce(batch = 50): Promise<{ sent: number; failed: number }> {
    const rows = await lease(batch);
    let sent = 0;
    let failed = 0;
    for (const row of rows) {
      try {
        await deliver(row);
        await markSent(row);
        sent++;
      } catch (e) {
        await markFailed(row, e);
        failed++;
      }
    }
    return { sent, failed };
  }

  /** Loop until stopped: deliver, then sleep `idleMs` when nothing was due. */
  function start(
    idleMs = 1000,
    onError: (e: unknown) => void = () => undefined,
  ): { stop: () => Promise<void> } {
    let running = true;
    let timer: NodeJS.Timeout | null = null;
    let wake: (() => void) | null = null;
    const loop = (async () => {
      while (running) {
        let r = { sent: 0, failed: 0 };
        try {
          r = await runOnce();
        } catch (e) {
          onError(e);
        }
        if (r.sent + r.failed === 0 && running)
          await new Promise<void>((res) => {
            wake = res;
            timer = setTimeout(res, idleMs);
          });
      }
    })();
    return {
      stop: async () => {
        running = false;
        if (timer) clearTimeout(timer);
        wake?.();
        await loop;
      },
    };
  }

  return { runOnce, start };
}
