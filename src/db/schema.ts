/** Row types of the tables, as Kysely sees them (kept in step with migrations/). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { State as SubmissionState } from '../submissions/workflow.js';
import type { NotificationState } from '../coordination/rules.js';
import type { IncidentStatus } from '../incidents/tables.js';

type Timestamp = ColumnType<string, string | undefined, string>;

export interface SourceRecordsTable {
  id: Generated<number>;
  source: string;
  key: string;
  state: string;
  hash: string;
  /** the PreparedRecord as JSON text (migration 0037) */
  record: string;
  /** a CSAF vulnerability's CVE id: what an enrichment record attaches by when its key is another id */
  anchor: Generated<string | null>;
  raw: string;
  file: string | null;
  first_seen_at: Generated<string>;
  updated_at: Timestamp;
}

export interface VulnerabilitiesTable {
  id: Generated<number>;
  public_id: string;
  identity: string | null;
  state: string;
  doc: JSONColumnType<Record<string, unknown>, string, string>;
  doc_hash: string;
  aliases: string[];
  vendors: string[];
  products: string[];
  object_type: string | null;
  industries: string[];
  cwes: string[];
  sources: string[];
  score: number | null;
  severity: string | null;
  kind: string;
  zero_day: boolean | null;
  exploited: boolean;
  poc_available: boolean;
  has_patch: boolean;
  submitted_at: string | null;
  collected_at: string | null;
  published_at: string | null;
  updated_at: string | null;
  sort_date: string;
  search: string;
  created_at: Generated<string>;
  modified_at: Timestamp;
}

export interface VulnSourcesTable {
  vuln_id: number;
  source_record_id: number;
}

export interface VulnAliasesTable {
  alias: string;
  vuln_id: number;
}

export interface VulnHistoryTable {
  id: Generated<number>;
  vuln_id: number;
  at: Generated<string>;
  change: string;
  source: string | null;
  source_key: string | null;
  fields: JSONColumnType<Record<string, unknown>, string, string>;
}

export interface ImportRunsTable {
  id: Generated<number>;
  format: string;
  paths: string[];
  started_at: Generated<string>;
  finished_at: string | null;
  counts: JSONColumnType<Record<string, unknown>, string, string>;
  issues: JSONColumnType<unknown[], string, string>;
}

export interface BulletinsTable {
  id: string;
  year: number;
  week: number;
  start_date: string;
  end_date: string;
  state: 'draft' | 'published';
  editorial: JSONColumnType<Record<string, unknown>, string, string>;
  data: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: Generated<string>;
  updated_at: Timestamp;
  published_at: string | null;
}

export interface DB {
  source_records: SourceRecordsTable;
  vulnerabilities: VulnerabilitiesTable;
  vuln_sources: VulnSourcesTable;
  vuln_aliases: VulnAliasesTable;
  vuln_history: VulnHistoryTable;
  import_runs: ImportRunsTable;
  bulletins: BulletinsTable;
  organisations: OrganisationsTable;
  contacts: ContactsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  sign_in_throttle: SignInThrottleTable;
  audit_log: AuditLogTable;
  submissions: SubmissionsTable;
  submission_transitions: SubmissionTransitionsTable;
  verifications: VerificationsTable;
  blobs: BlobsTable;
  submission_attachments: SubmissionAttachmentsTable;
  id_counters: IdCountersTable;
  notifications: NotificationsTable;
  notification_events: NotificationEventsTable;
  outbox: OutboxTable;
  inbox_messages: InboxMessagesTable;
  case_messages: CaseMessagesTable;
}

export interface OrganisationsTable {
  id: Generated<number>;
  kind: string;
  name: string;
  name_en: string | null;
  sector: string | null;
  region: string | null;
  alliance_cert: string | null;
  created_at: Generated<string>;
  updated_at: Generated<string>;
  /** standing: set by an analyst or admin; only verified organisations of a receiving kind are notified */
  verified_at: string | null;
  verified_by: number | null;
}

export interface ContactsTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  email: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  portal: Generated<boolean>;
  mechanism: Generated<string>;
  created_at: Generated<string>;
  /** a chat robot channel (0029): dingtalk | wecom | feishu, its webhook URL and signing secret */
  robot_kind: ColumnType<string | null, string | null | undefined, string | null>;
  robot_url: ColumnType<string | null, string | null | undefined, string | null>;
  robot_secret: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  display_name: string;
  password_hash: string;
  role: string;
  organisation_id: number | null;
  disabled: Generated<boolean>;
  created_at: Generated<string>;
  last_login_at: string | null;
  failed_sign_ins: Generated<number>;
  failed_sign_ins_before_login: Generated<number>;
  sign_in_warning_sent_at: string | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Generated<string>;
  expires_at: string;
  last_seen: Generated<string>;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string[];
  expires_at: string;
  created_at: Generated<string>;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SignInThrottleTable {
  key: string;
  attempts: number;
  last_at: string;
  next_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<string>;
  actor_id: number | null;
  actor: string;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  detail: JSONColumnType<Record<string, unknown>, string, string>;
  ip: string | null;
}

export interface SubmissionsTable {
  id: Generated<number>;
  tracking_no: string;
  reporter_id: number;
  reporter_org_id: number | null;
  kind: string;
  title: string;
  vendor: string | null;
  product: string | null;
  version: string | null;
  affected_org: string | null;
  affected_system: string | null;
  description: string;
  reproduction: string | null;
  poc: string | null;
  cve_id: string | null;
  cvss_vector: string | null;
  cvss_version: string | null;
  cvss_score: number | null;
  severity: string | null;
  weakness_cwe: string | null;
  weakness_zh: string | null;
  originality: string;
  source_url: string | null;
  state: Generated<SubmissionState>;
  state_reason: string | null;
  assignee_id: number | null;
  duplicate_of: number | null;
  vuln_public_id: string | null;
  vendor_key: string | null;
  product_key: string | null;
  created_at: Generated<string>;
  updated_at: Generated<string>;
  embargo_until: Generated<string | null>;
  published_at: Generated<string | null>;
  /** report (a reporter's) | incident (a case the coordinator opened from an incident) */
  origin: Generated<string>;
}

export interface SubmissionTransitionsTable {
  id: Generated<number>;
  submission_id: number;
  at: Generated<string>;
  actor_id: number | null;
  actor: string;
  from_state: SubmissionState | null;
  to_state: SubmissionState;
  note: string | null;
}

export interface VerificationsTable {
  id: Generated<number>;
  submission_id: number;
  environment: string;
  steps: string;
  result: string;
  poc_url: string | null;
  verifier: string;
  verified_by: number | null;
  at: Generated<string>;
}

export interface BlobsTable {
  sha256: string;
  size: number;
  content_type: string;
  content: Buffer;
  created_at: Generated<string>;
}

export interface SubmissionAttachmentsTable {
  submission_id: number;
  sha256: string;
  filename: string;
}

export interface IdCountersTable {
  prefix: string;
  year: number;
  last: Generated<number>;
}

export interface NotificationsTable {
  id: Generated<number>;
  submission_id: number;
  organisation_id: number;
  category: string;
  state: NotificationState;
  deadline: string;
  link_hash: string;
  link_expires_at: string;
  fix_url: string | null;
  answer: string | null;
  reminded_at: string | null;
  escalated_at: string | null;
  created_at: Generated<string>;
  updated_at: Generated<string>;
}

export interface NotificationEventsTable {
  id: Generated<number>;
  notification_id: number;
  at: Generated<string>;
  actor: string;
  /** coordinator | recipient: outsiders see "coordinator" for the coordinator's side, never who */
  actor_side: Generated<string>;
  from_state: NotificationState | null;
  to_state: NotificationState;
  note: string | null;
}

export interface OutboxTable {
  id: Generated<number>;
  delivery_id: string;
  notification_id: number | null;
  channel: string;
  target: string;
  secret: string | null;
  subject: string;
  body: JSONColumnType<Record<string, unknown>, string, string>;
  attempts: Generated<number>;
  next_attempt_at: Generated<string>;
  leased_until: string | null;
  sent_at: string | null;
  failed_at: string | null;
  last_error: string | null;
  created_at: Generated<string>;
}

export interface InboxMessagesTable {
  id: Generated<number>;
  delivery_id: string;
  organisation_id: number;
  notification_id: number | null;
  subject: string;
  body: JSONColumnType<Record<string, unknown>, string, string>;
  created_at: Generated<string>;
  read_at: string | null;
}

export interface CaseMessagesTable {
  id: Generated<number>;
  submission_id: number;
  author_id: number | null;
  author: string;
  author_side: string;
  audience: string;
  organisation_id: number | null;
  reply_to: number | null;
  body: string;
  created_at: Generated<string>;
}

export interface FeedsTable {
  name: string;
  format: string;
  url: string;
  schedule_ms: number | null;
  created_at: Generated<string>;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_outcome: string | null;
  last_http_status: number | null;
  last_error: string | null;
  last_error_at: string | null;
  etag: string | null;
  last_modified: string | null;
  last_read: Generated<number>;
  last_imported: Generated<number>;
  last_updated: Generated<number>;
  last_unchanged: Generated<number>;
  last_rejected: Generated<number>;
  consecutive_failures: Generated<number>;
  next_run_at: string | null;
  leased_until: string | null;
  lease_token: string | null;
}

export interface FeedRunsTable {
  id: Generated<number>;
  feed_name: string;
  url: string;
  started_at: string;
  finished_at: string;
  outcome: string;
  http_status: number | null;
  attempts: Generated<number>;
  bytes: Generated<number>;
  read: Generated<number>;
  imported: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  import_run_id: number | null;
  error: string | null;
}

/** Feeds (0010_feeds.sql), merged into DB above. */
export interface DB {
  feeds: FeedsTable;
  feed_runs: FeedRunsTable;
}

export interface IncidentsTable {
  id: Generated<number>;
  public_id: string;
  doc: JSONColumnType<Record<string, unknown>, string, string>;
  title: string;
  status: IncidentStatus;
  tlp: string;
  vector: string;
  sectors: string[];
  victim_org_ids: ColumnType<Array<number | string>, number[], number[]>;
  shared_org_ids: ColumnType<Array<number | string>, number[], number[]>;
  discovered_at: string;
  search: string;
  case_submission_id: number | null;
  /** the STIX id the incident is known by (imported: the bundle's; created here: vulnshare's own) */
  stix_id: Generated<string | null>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: number;
  at: Timestamp;
  actor_id: number | null;
  actor: string;
  kind: string;
  from_status: IncidentStatus | null;
  to_status: IncidentStatus | null;
  fields: ColumnType<string[], string[] | undefined, string[]>;
  note: string | null;
}

export interface IncidentCountersTable {
  year: number;
  last: Generated<number>;
}

/** Incidents (0011_incidents.sql), merged into DB above. */
export interface DB {
  incidents: IncidentsTable;
  incident_events: IncidentEventsTable;
  incident_counters: IncidentCountersTable;
}

export interface WatchlistsTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  delivery: Generated<string>;
  created_by: string;
  created_at: Generated<string>;
  updated_at: Generated<string>;
}

export interface WatchItemsTable {
  id: Generated<number>;
  watchlist_id: number;
  kind: string;
  vendor: string | null;
  product: string | null;
  range: string | null;
  cpe: string | null;
  keyword: string | null;
  vendor_key: string | null;
  created_at: Generated<string>;
}

export interface WatchIndexVersionTable {
  id: Generated<number>;
  version: Generated<number>;
}

export interface WatchAlertsTable {
  id: Generated<number>;
  organisation_id: number;
  watchlist_id: number | null;
  watch_item_id: number | null;
  vuln_id: number;
  reason: string;
  delivery: string;
  match_reason: string;
  created_at: Generated<string>;
  delivered_at: string | null;
  digest_sent_at: string | null;
}

/** Watchlists (0012_watchlists.sql), merged into DB above. */
export interface DB {
  watchlists: WatchlistsTable;
  watch_items: WatchItemsTable;
  watch_index_version: WatchIndexVersionTable;
  watch_alerts: WatchAlertsTable;
}

export interface PeriodicReportsTable {
  /** "2023-12" (month) or "2023" (year) */
  id: string;
  kind: 'month' | 'year';
  start_date: string;
  end_date: string;
  state: 'draft' | 'published';
  data: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: Generated<string>;
  updated_at: Timestamp;
  published_at: string | null;
}

/** Monthly and annual reports (0030_periodic_reports.sql), merged into DB above. */
export interface DB {
  periodic_reports: PeriodicReportsTable;
}

/** First run (0028): one-time setup links, kept hashed. */
export interface SetupTokensTable {
  token_hash: string;
  created_at: Generated<string>;
  used_at: string | null;
}

export interface DB {
  setup_tokens: SetupTokensTable;
}

export interface RateLimitCountersTable {
  key: string;
  window_start: string;
  hits: number;
}

export interface ProcessLeasesTable {
  name: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

/** State shared by app processes (0024_scale_out.sql), merged into DB above. */
export interface DB {
  rate_limit_counters: RateLimitCountersTable;
  process_leases: ProcessLeasesTable;
}

export interface AllianceMembershipsTable {
  organisation_id: number;
  certificate: string;
  certificate_raw: string;
  joined_on: ColumnType<string, string, string>;
  status: ColumnType<'active' | 'suspended' | 'expired', 'active' | 'suspended' | 'expired' | undefined>;
  renewal_on: string | null;
  source: string | null;
  created_at: Generated<string>;
  updated_at: Generated<string>;
}

export interface TipoffsTable {
  id: Generated<number>;
  receipt_hash: string;
  submission_id: number;
  kind: 'incident' | 'vulnerability';
  contact: string | null;
  created_at: Generated<string>;
}

/** The alliance registry (0026_alliance.sql) and public tip-offs (0027_tipoffs.sql), merged into DB above. */
export interface DB {
  alliance_memberships: AllianceMembershipsTable;
  tipoffs: TipoffsTable;
}

export interface DrillsTable {
  id: Generated<number>;
  title: string;
  scenario_zh: string;
  scenario_en: string;
  state: ColumnType<'draft' | 'running' | 'ended', 'draft' | 'running' | 'ended' | undefined>;
  created_by: string;
  created_at: Generated<string>;
  started_at: string | null;
  ended_at: string | null;
}

export interface DrillParticipantsTable {
  drill_id: number;
  organisation_id: number;
}

export interface DrillInjectsTable {
  id: Generated<number>;
  drill_id: number;
  seq: number;
  due_at: string;
  channels: ColumnType<string[], string, string>;
  subject: string;
  body: string;
  artefacts: ColumnType<string, string | undefined>;
  expected: ColumnType<Array<{ key: string; description: string; withinMinutes: number }>, string, string>;
  sent_at: string | null;
}

export interface DrillDeliveriesTable {
  inject_id: number;
  organisation_id: number;
  delivered_at: string;
  messages: number;
}

export interface DrillResponsesTable {
  id: Generated<number>;
  drill_id: number;
  inject_id: number;
  organisation_id: number;
  actor: string;
  kind: 'acknowledge' | 'finding' | 'action' | 'question';
  text: string;
  fulfils: string | null;
  at: string;
}

/** Exercises (0031_drills.sql), merged into DB above. */
export interface DB {
  drills: DrillsTable;
  drill_participants: DrillParticipantsTable;
  drill_injects: DrillInjectsTable;
  drill_deliveries: DrillDeliveriesTable;
  drill_responses: DrillResponsesTable;
}

export interface DrillReplyAddressesTable {
  token_hash: string;
  drill_id: number;
  inject_id: number;
  organisation_id: number;
  email: string;
  message_id: string;
  created_at: Generated<string>;
}

/** E-mail replies to injects (0035_drill_mail_replies.sql): the reply addresses, and how a response came. */
export interface DrillResponsesTable {
  via: ColumnType<'portal' | 'email', 'portal' | 'email' | undefined>;
  mail_message_id: ColumnType<string | null, string | null | undefined>;
}

/** E-mail replies to injects (0035_drill_mail_replies.sql), merged into DB above. */
export interface DB {
  drill_reply_addresses: DrillReplyAddressesTable;
}
