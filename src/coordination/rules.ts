/** Disposal rules as tables: deadlines per severity, reminders, escalation, retries, recipient actions. */
import type { Severity } from '../vulns/model.js';
import { tableOf, type TransitionTable } from '../workflow/state-machine.js';

export const RECIPIENT_CATEGORIES = [
  'vendor', // 通用型: the product's vendor
  'affected_org', // 事件型: the organisation whose system is affected
  'critical_sector', // 重要行业单位 (banking, insurance, energy…)
  'telecom_operator', // 基础电信企业
  'regional_branch', // 分中心 (local government bodies)
  'education_cert', // 教育行业应急组织
  'authority', // 上级信息安全协调机构
] as const;
export type RecipientCategory = (typeof RECIPIENT_CATEGORIES)[number];

/** Days a recipient has to fix, by severity (unrated: as medium). */
export const SLA_DAYS: Record<Severity | 'unrated', number> = { high: 15, medium: 30, low: 45, unrated: 30 };
/** A reminder goes out this many days before the deadline; past the deadline by this many, it escalates. */
export const REMIND_BEFORE_DAYS = 3;
export const ESCALATE_AFTER_DAYS = 7;
/** How long a recipient's link works. */
export const LINK_DAYS = 90;

export const NOTIFICATION_STATES = [
  'sent',
  // no channel to send on (the organisation has no contact): nothing was sent; the analyst passes the link
  'undeliverable',
  'delivered',
  'acknowledged',
  'fixed',
  'disputed',
  'no_response',
] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];
/** States that close a notification: nothing more is due from the recipient. */
export const CLOSED_STATES: readonly NotificationState[] = ['fixed', 'disputed'];
/** Still open past its deadline. */
export const isOverdue = (state: string, deadline: string, now: Date): boolean =>
  !(CLOSED_STATES as readonly string[]).includes(state) && Date.parse(deadline) < now.getTime();

/** What a recipient may do, from which states. */
export const RECIPIENT_ACTIONS: Record<
  'acknowledge' | 'fix' | 'dispute',
  { from: NotificationState[]; to: NotificationState }
> = {
  acknowledge: { from: ['sent', 'undeliverable', 'delivered', 'no_response'], to: 'acknowledged' },
  fix: { from: ['sent', 'undeliverable', 'delivered', 'acknowledged', 'no_response'], to: 'fixed' },
  dispute: { from: ['sent', 'undeliverable', 'delivered', 'acknowledged', 'no_response'], to: 'disputed' },
};
export type RecipientAction = keyof typeof RECIPIENT_ACTIONS;

/**
 * The notification workflow per actor. A recipient (or an analyst on its behalf) takes RECIPIENT_ACTIONS; the
 * system marks what it saw: nothing could be sent (undeliverable), the outbox delivered a message (delivered),
 * the deadline passed long ago with no answer (no_response, escalated by `sweep`). A notification starts as
 * `sent`.
 */
export const NOTIFICATION_TRANSITIONS: Readonly<
  Record<'recipient' | 'system', TransitionTable<NotificationState>>
> = {
  recipient: tableOf(NOTIFICATION_STATES, Object.values(RECIPIENT_ACTIONS)),
  system: tableOf(NOTIFICATION_STATES, [
    { from: ['sent'], to: 'undeliverable' },
    { from: ['sent'], to: 'delivered' },
    { from: ['sent', 'delivered'], to: 'no_response' },
  ]),
};
/** The state every notification starts in. */
export const INITIAL_NOTIFICATION_STATE: NotificationState = 'sent';

/** Delivery retries: wait before attempt n+1 (seconds); after the last, the message is marked failed. */
export const RETRY_BACKOFF_SECONDS = [10, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600];
export const LEASE_SECONDS = 60;
