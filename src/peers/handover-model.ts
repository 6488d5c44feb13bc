/**
 * Case hand-over between instances, the pure part (docs/FEDERATION.md "Case hand-over"): what a case is as a
 * policy item, which states may be handed over, which case messages a peer may have, the two message bodies
 * (`case.handover` from the sender, `case.update` back from the coordinating peer) checked field by field, and
 * how the sender's own submission follows the peer's board. No database, no HTTP: handover.ts does that.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { isOverdue, NOTIFICATION_STATES, type NotificationState } from '../coordination/rules.js';
import { ATTACHMENT_RULES } from '../submissions/service.js';
import { STATES, TABLES, type State } from '../submissions/workflow.js';
import { canTransition } from '../workflow/state-machine.js';
import type { PolicyItem } from './policy.js';

/** A case is coordinated in confidence among its parties: TLP:AMBER, not an embargoed record. */
export const CASE_TLP = 'amber' as const;

/**
 * States a submission may be handed over from: open and not yet closed or public. Duplicate, rejected, fixed and
 * published cases are done here; there is nothing left to coordinate.
 */
export const HANDOVER_STATES: readonly State[] = [
  'submitted',
  'triaged',
  'need_info',
  'verifying',
  'verified',
  'notified',
];

/** Which case messages go with a hand-over (peer_case_policies.messages), as a table of audiences. */
export const CASE_MESSAGE_LEVELS = ['none', 'reporter', 'all'] as const;
export type CaseMessageLevel = (typeof CASE_MESSAGE_LEVELS)[number];
export const AUDIENCES_SENT: Readonly<Record<CaseMessageLevel, readonly string[]>> = {
  none: [],
  reporter: ['reporter'],
  all: ['reporter', 'internal', 'recipients', 'organisation'],
};

export interface CasePolicy {
  messages: CaseMessageLevel;
  /** whether the reporter's e-mail goes with the credit */
  reporterContact: boolean;
}
export const DEFAULT_CASE_POLICY: CasePolicy = { messages: 'none', reporterContact: false };

/** The case as the item the receive and accept policies decide on. */
export function caseItem(r: { vendor: string | null }): PolicyItem {
  return { kind: 'case', tlp: CASE_TLP, embargoed: false, sectors: [], vendors: r.vendor ? [r.vendor] : [] };
}

// ---- case.handover

export interface HandoverReport {
  kind: 'general' | 'event';
  title: string;
  vendor: string | null;
  product: string | null;
  version: string | null;
  affectedOrganisation: string | null;
  affectedSystem: string | null;
  description: string;
  reproduction: string | null;
  poc: string | null;
  cveId: string | null;
  cvss: { vector: string; version: string | null; score: number | null; severity: string | null } | null;
  weakness: { cwe: string | null; nameZh: string | null } | null;
  originality: 'original' | 'collected';
  sourceUrl: string | null;
  /** the reporter as the report credits them (the organisation, or the researcher's name); null: none */
  credit: string | null;
  /** only when the peer's case policy lets the reporter's contact go */
  reporterEmail?: string;
  submittedAt: string;
}

export interface HandoverAttachment {
  filename: string;
  contentType: string;
  size: number;
  /** hex SHA-256 of the bytes */
  sha256: string;
  /** the bytes, base64 */
  content: string;
}

export interface HandoverMessage {
  /** the sender's message id (a re-send adds only ids not applied yet) */
  id: number;
  side: 'coordinator' | 'reporter' | 'recipient';
  audience: string;
  body: string;
  createdAt: string;
}

export interface HandoverBody {
  /** the sender's tracking number */
  reference: string;
  /** the sender's send count for this case: a re-send is higher; an older one changes nothing */
  version: number;
  sentAt: string;
  report: HandoverReport;
  attachments: HandoverAttachment[];
  messages: HandoverMessage[];
}

/**
 * The most a hand-over carries in attachment bytes, all together: each attachment is within the intake limit
 * (ATTACHMENT_RULES.maxBytes), and the whole message must fit the message endpoint's body limit (8 MiB) once
 * base64 made the bytes 4/3 as long.
 */
export const HANDOVER_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

const bad = (kind: string, why: string) =>
  new AppError('case_message_invalid', `${kind}: ${why}`, { kind, problem: why });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 100_000): v is string => typeof v === 'string' && v.length <= max;
const optStr = (v: unknown, max = 100_000): v is string | null => v === null || str(v, max);
const isTime = (v: unknown): v is string => typeof v === 'string' && Number.isFinite(Date.parse(v));
const isVersion = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

function checkReport(r: unknown): HandoverReport {
  const no = (why: string) => bad('case.handover', `report: ${why}`);
  if (!isObj(r)) throw no('not an object');
  if (r.kind !== 'general' && r.kind !== 'event') throw no('kind is general or event');
  if (!str(r.title, 500) || !r.title.trim()) throw no('title is 1–500 characters');
  if (!str(r.description) || !r.description.trim()) throw no('description is required');
  for (const k of [
    'vendor',
    'product',
    'version',
    'affectedOrganisation',
    'affectedSystem',
    'reproduction',
    'poc',
    'cveId',
    'sourceUrl',
    'credit',
  ])
    if (!optStr(r[k])) throw no(`${k} is a string or null`);
  if (r.originality !== 'original' && r.originality !== 'collected')
    throw no('originality is original or collected');
  if (!isTime(r.submittedAt)) throw no('submittedAt is a time');
  if (r.reporterEmail !== undefined && !str(r.reporterEmail, 320)) throw no('reporterEmail is a string');
  if (r.cvss !== null && !(isObj(r.cvss) && str(r.cvss.vector, 300))) throw no('cvss is null or { vector }');
  if (r.weakness !== null && !isObj(r.weakness)) throw no('weakness is null or { cwe, nameZh }');
  if (r.kind === 'general' && !(r.vendor && r.product)) throw no('a general report names vendor and product');
  return r as unknown as HandoverReport;
}

/** The attachment's bytes once its size, type and checksum are what it says. */
export function attachmentBytes(a: HandoverAttachment): Buffer {
  const no = (why: string) => bad('case.handover', `attachment ${a.filename}: ${why}`);
  if (!(a.contentType in ATTACHMENT_RULES.types)) throw no(`type ${a.contentType} is not accepted`);
  const bytes = Buffer.from(a.content, 'base64');
  if (bytes.length !== a.size) throw no(`${bytes.length} bytes where ${a.size} were announced`);
  if (bytes.length === 0 || bytes.length > ATTACHMENT_RULES.maxBytes)
    throw no(`must be 1 byte to ${ATTACHMENT_RULES.maxBytes / 1_048_576} MiB`);
  if (createHash('sha256').update(bytes).digest('hex') !== a.sha256)
    throw no('the bytes do not match their sha256');
  return bytes;
}

/** A case.handover body, every field checked (case_message_invalid names the first problem). */
export function parseHandover(x: unknown): HandoverBody {
  const kind = 'case.handover';
  if (!isObj(x)) throw bad(kind, 'the body is not an object');
  if (!str(x.reference, 100) || !x.reference) throw bad(kind, 'reference is the sender’s tracking number');
  if (!isVersion(x.version)) throw bad(kind, 'version is a positive integer');
  if (!isTime(x.sentAt)) throw bad(kind, 'sentAt is a time');
  const report = checkReport(x.report);
  if (!Array.isArray(x.attachments)) throw bad(kind, 'attachments is a list');
  let total = 0;
  for (const a of x.attachments as unknown[]) {
    if (
      !isObj(a) ||
      !str(a.filename, 200) ||
      !str(a.contentType, 100) ||
      !Number.isSafeInteger(a.size) ||
      !str(a.sha256, 64) ||
      !/^[0-9a-f]{64}$/.test(a.sha256) ||
      typeof a.content !== 'string'
    )
      throw bad(kind, 'an attachment lacks filename, contentType, size, sha256 (hex) or content (base64)');
    total += a.size as number;
  }
  if (total > HANDOVER_MAX_ATTACHMENT_BYTES)
    throw bad(kind, `attachments hold ${total} bytes, more than ${HANDOVER_MAX_ATTACHMENT_BYTES}`);
  if (!Array.isArray(x.messages)) throw bad(kind, 'messages is a list');
  for (const m of x.messages as unknown[])
    if (
      !isObj(m) ||
      !Number.isSafeInteger(m.id) ||
      !['coordinator', 'reporter', 'recipient'].includes(m.side as string) ||
      !str(m.audience, 40) ||
      !str(m.body, 20_000) ||
      !isTime(m.createdAt)
    )
      throw bad(kind, 'a message lacks id, side, audience, body (≤ 20,000) or createdAt');
  return { ...(x as unknown as HandoverBody), report };
}

// ---- case.update

export interface BoardEntry {
  organisation: string;
  category: string;
  state: NotificationState;
  deadline: string;
  fixUrl: string | null;
}

export interface CaseUpdateBody {
  /** the sender's (our) tracking number */
  reference: string;
  /** the coordinating peer's own tracking number */
  trackingNo: string;
  /** counts every change of the case at the peer: the newest wins, whatever the order of arrival */
  version: number;
  state: State;
  stateReason: string | null;
  vulnerabilityId: string | null;
  publishedAt: string | null;
  /** the peer's transitions (to, at), oldest first: what the case went through, not only where it is */
  timeline: Array<{ to: State; at: string }>;
  /** every notification of the case, the whole board (never a delta) */
  board: BoardEntry[];
  at: string;
}

export function parseUpdate(x: unknown): CaseUpdateBody {
  const kind = 'case.update';
  if (!isObj(x)) throw bad(kind, 'the body is not an object');
  if (!str(x.reference, 100) || !x.reference) throw bad(kind, 'reference is our tracking number');
  if (!str(x.trackingNo, 100) || !x.trackingNo) throw bad(kind, 'trackingNo is the peer’s tracking number');
  if (!isVersion(x.version)) throw bad(kind, 'version is a positive integer');
  if (!(STATES as readonly unknown[]).includes(x.state))
    throw bad(kind, `state is one of ${STATES.join(', ')}`);
  if (!optStr(x.stateReason) || !optStr(x.vulnerabilityId, 100))
    throw bad(kind, 'stateReason, vulnerabilityId');
  if (x.publishedAt !== null && !isTime(x.publishedAt)) throw bad(kind, 'publishedAt is a time or null');
  if (!isTime(x.at)) throw bad(kind, 'at is a time');
  if (
    !Array.isArray(x.timeline) ||
    !(x.timeline as unknown[]).every(
      (t) => isObj(t) && (STATES as readonly unknown[]).includes(t.to) && isTime(t.at),
    )
  )
    throw bad(kind, 'timeline is a list of { to: state, at }');
  if (
    !Array.isArray(x.board) ||
    !(x.board as unknown[]).every(
      (b) =>
        isObj(b) &&
        str(b.organisation, 500) &&
        str(b.category, 40) &&
        (NOTIFICATION_STATES as readonly unknown[]).includes(b.state) &&
        isTime(b.deadline) &&
        optStr(b.fixUrl, 2000),
    )
  )
    throw bad(kind, 'board is a list of { organisation, category, state, deadline, fixUrl }');
  return x as unknown as CaseUpdateBody;
}

/** Apply an update only when it is newer than what we hold: repeats and late arrivals change nothing. */
export const isNewer = (incoming: number, held: number): boolean => incoming > held;

/** The mirrored board as the console shows it: overdue by our clock, from the peer's deadlines. */
export const mirroredBoard = (board: BoardEntry[], now: Date) =>
  board.map((b) => ({ ...b, overdue: isOverdue(b.state, b.deadline, now) }));

/**
 * Where our own submission follows the peer's case, through the system's transition table: notified once the
 * peer notified someone, fixed once the peer's case was fixed ("a case handed over and fixed comes back fixed").
 * Only steps the table allows from where we are, in order; a case we hold in triage stays there (the peer's
 * board is shown beside it).
 */
export function followSteps(ours: State, update: Pick<CaseUpdateBody, 'timeline' | 'state'>): State[] {
  const reached = new Set<State>([update.state, ...update.timeline.map((t) => t.to)]);
  const steps: State[] = [];
  let at = ours;
  for (const to of ['notified', 'fixed'] as const) {
    if (!reached.has(to) || !canTransition(TABLES.system, at, to)) continue;
    steps.push(to);
    at = to;
  }
  return steps;
}
