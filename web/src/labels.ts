/** Labels the pages share. */
import type { Query } from './api/client.js';

type Label = { zh: string; en: string };
/** The states the API's notification list filters by: the label table below must name each, and only these. */
export type NotificationState = NonNullable<Query<'listNotifications'>['state']>;

/** Submission workflow states, as reporters and analysts see them. */
export const SUBMISSION_STATES: Record<string, { zh: string; en: string }> = {
  submitted: { zh: '已提交', en: 'Submitted' },
  triaged: { zh: '已分诊', en: 'Triaged' },
  need_info: { zh: '待补充信息', en: 'Needs information' },
  duplicate: { zh: '重复', en: 'Duplicate' },
  rejected: { zh: '未通过', en: 'Rejected' },
  verifying: { zh: '验证中', en: 'Verifying' },
  verified: { zh: '已验证', en: 'Verified' },
  notified: { zh: '已通报', en: 'Notified' },
  fixed: { zh: '已修复', en: 'Fixed' },
  published: { zh: '已公开', en: 'Published' },
};

/** CVSS metric names, to break a vector into readable parts. */
export const METRIC_NAMES: Record<string, { zh: string; en: string }> = {
  AV: { zh: '攻击途径', en: 'Attack vector' },
  AC: { zh: '攻击复杂度', en: 'Attack complexity' },
  AT: { zh: '攻击条件', en: 'Attack requirements' },
  PR: { zh: '所需权限', en: 'Privileges required' },
  Au: { zh: '认证', en: 'Authentication' },
  UI: { zh: '用户交互', en: 'User interaction' },
  S: { zh: '影响范围', en: 'Scope' },
  C: { zh: '机密性', en: 'Confidentiality' },
  I: { zh: '完整性', en: 'Integrity' },
  A: { zh: '可用性', en: 'Availability' },
  VC: { zh: '机密性（本系统）', en: 'Confidentiality (vulnerable system)' },
  VI: { zh: '完整性（本系统）', en: 'Integrity (vulnerable system)' },
  VA: { zh: '可用性（本系统）', en: 'Availability (vulnerable system)' },
  SC: { zh: '机密性（后续系统）', en: 'Confidentiality (subsequent)' },
  SI: { zh: '完整性（后续系统）', en: 'Integrity (subsequent)' },
  SA: { zh: '可用性（后续系统）', en: 'Availability (subsequent)' },
};

/** A notification's state, as coordinator and recipient see it. */
export const NOTIFICATION_STATES = {
  sent: { zh: '已发送', en: 'Sent' },
  undeliverable: { zh: '未能发送（无联系渠道）', en: 'Not sent: no contact channel' },
  delivered: { zh: '已送达', en: 'Delivered' },
  acknowledged: { zh: '已确认', en: 'Acknowledged' },
  fixed: { zh: '已修复', en: 'Fixed' },
  disputed: { zh: '有异议', en: 'Disputed' },
  no_response: { zh: '未响应', en: 'No response' },
} as const satisfies Record<NotificationState, Label>;
/** The notification states in the order the board offers them (the table's keys). */
export const NOTIFICATION_STATE_CODES = Object.keys(NOTIFICATION_STATES) as NotificationState[];

/** Whom a case is disposed to (the bulletin's disposal categories). */
export const RECIPIENT_CATEGORIES = {
  vendor: { zh: '厂商', en: 'Vendor' },
  affected_org: { zh: '涉事单位', en: 'Affected organisation' },
  critical_sector: { zh: '重要行业单位', en: 'Critical-sector unit' },
  telecom_operator: { zh: '基础电信企业', en: 'Telecom operator' },
  regional_branch: { zh: '分中心', en: 'Regional branch' },
  education_cert: { zh: '教育行业应急组织', en: 'Education CERT' },
  authority: { zh: '主管部门', en: 'Authority' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type RecipientCategory = keyof typeof RECIPIENT_CATEGORIES;
/** The recipient categories in the order the notify forms offer them. */
export const RECIPIENT_CATEGORY_CODES = Object.keys(RECIPIENT_CATEGORIES) as readonly RecipientCategory[];
export const isRecipientCategory = (c: string): c is RecipientCategory =>
  Object.hasOwn(RECIPIENT_CATEGORIES, c);

export const ORG_KINDS = {
  coordinator: { zh: '协调机构', en: 'Coordinator' },
  reporting_unit: { zh: '报送单位', en: 'Reporting unit' },
  individual: { zh: '个人', en: 'Individual' },
  vendor: { zh: '厂商', en: 'Vendor' },
  member_unit: { zh: '成员单位', en: 'Member unit' },
  regional_branch: { zh: '分中心', en: 'Regional branch' },
  authority: { zh: '主管部门', en: 'Authority' },
} as const satisfies Record<string, { zh: string; en: string }>;

export const ROLES = {
  admin: { zh: '管理员', en: 'Admin' },
  analyst: { zh: '分析人员', en: 'Analyst' },
  reporter: { zh: '报送人', en: 'Reporter' },
  recipient: { zh: '接收方', en: 'Recipient' },
} as const satisfies Record<string, { zh: string; en: string }>;

/** Who reads a case message. */
export const AUDIENCES = {
  internal: { zh: '仅内部', en: 'Internal only' },
  reporter: { zh: '报送人', en: 'Reporter' },
  recipients: { zh: '全部接收方', en: 'All recipients' },
  organisation: { zh: '指定单位', en: 'One organisation' },
} as const satisfies Record<string, { zh: string; en: string }>;

/** The label of a code in the current language, or the code itself. */
export const label = (
  table: Record<string, { zh: string; en: string }>,
  code: string | null | undefined,
  lang: 'zh' | 'en',
) => (code ? (table[code]?.[lang] ?? code) : '');

/** Indicator types of an incident (src/incidents/indicators.ts validates them). */
export const INDICATOR_TYPES = {
  ipv4: { zh: 'IPv4 地址', en: 'IPv4 address' },
  ipv6: { zh: 'IPv6 地址', en: 'IPv6 address' },
  domain: { zh: '域名', en: 'Domain' },
  url: { zh: 'URL', en: 'URL' },
  md5: { zh: 'MD5', en: 'MD5' },
  sha1: { zh: 'SHA-1', en: 'SHA-1' },
  sha256: { zh: 'SHA-256', en: 'SHA-256' },
  sha512: { zh: 'SHA-512', en: 'SHA-512' },
  'cert-serial': { zh: '证书序列号', en: 'Certificate serial' },
  'cert-thumbprint': { zh: '证书指纹', en: 'Certificate thumbprint' },
  email: { zh: '电子邮件地址', en: 'E-mail address' },
} as const satisfies Record<string, { zh: string; en: string }>;

/** A peer's state and its keys' states (src/peers: the federation's admin API). */
export const PEER_STATES = {
  active: { zh: '启用', en: 'Active' },
  suspended: { zh: '已暂停', en: 'Suspended' },
} as const satisfies Record<string, Label>;

/** The columns and actions of the console's Peers page. */
/** console → Advance notices (received from peers, under embargo) */
export const NOTICE_LABELS = {
  title: { zh: '提前通报（来自联邦节点）', en: 'Advance notices from peers' },
  hint: {
    zh: '联邦节点在公开前共享的预警。禁令期内只在此处可见，不进入检索、详情、订阅或导出；由发送方在禁令结束时发布。',
    en: 'Warnings peers shared before publication. Under embargo they are seen only here — not in search, detail, feeds or exports — and the sender publishes them when the embargo ends.',
  },
  none: { zh: '尚未收到提前通报。', en: 'No advance notice has been received.' },
  sender: { zh: '发送方 / 编号', en: 'Sender / reference' },
  record: { zh: '漏洞', en: 'Record' },
  vendors: { zh: '厂商', en: 'Vendors' },
  embargoUntil: { zh: '禁令截止（发送方时钟）', en: 'Embargo until (sender’s clock)' },
  state: { zh: '状态', en: 'State' },
  version: { zh: '版本', en: 'Version' },
  embargoed: { zh: '禁令期内', en: 'Under embargo' },
  released: { zh: '已发布', en: 'Released' },
} as const;

export const PEER_LABELS = {
  title: { zh: '联邦节点', en: 'Peers' },
  none: { zh: '还没有添加联邦节点。', en: 'No peer has been added.' },
  name: { zh: '名称', en: 'Name' },
  keyId: { zh: '密钥标识', en: 'Key id' },
  state: { zh: '状态', en: 'State' },
  lastAttempt: { zh: '最近尝试', en: 'Last attempt' },
  lastSuccess: { zh: '最近成功', en: 'Last success' },
  lag: { zh: '滞后', en: 'Lag' },
  lastError: { zh: '最近错误', en: 'Last error' },
  counts: { zh: '接收 / 拒收', en: 'Received / refused' },
  cursor: { zh: '游标', en: 'Cursor' },
  policy: { zh: '策略', en: 'Policy' },
  editPolicy: { zh: '修改策略', en: 'Edit policy' },
  savePolicy: { zh: '保存策略', en: 'Save policy' },
  cancel: { zh: '取消', en: 'Cancel' },
  badJson: { zh: '策略不是合法的 JSON：', en: 'The policy is not valid JSON: ' },
  syncNow: { zh: '立即同步', en: 'Sync now' },
  syncing: { zh: '同步中…', en: 'Syncing…' },
  synced: { zh: '同步完成', en: 'Synced' },
  failed: { zh: '同步失败', en: 'Sync failed' },
  busy: { zh: '另一进程正在同步', en: 'Busy in another process' },
  applied: { zh: '写入', en: 'applied' },
  pages: { zh: '页', en: 'pages' },
  adminsOnly: { zh: '联邦节点仅供管理员管理。', en: 'Peers are managed by admins.' },
} as const satisfies Record<string, Label>;
