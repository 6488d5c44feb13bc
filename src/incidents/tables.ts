/**
 * The incident domain's vocabularies as data: sectors, ATT&CK tactics, asset kinds, initial vectors,
 * statuses and their transitions, TLP 2.0 levels. Each row carries its zh/en label (see shared/GLOSSARY.md).
 */

import { canTransition as canGo, type TransitionTable } from '../workflow/state-machine.js';

/** Victim sectors. `stix` is the STIX 2.1 industry-sector-ov term where one maps (none for `other`). */
export const SECTORS = {
  energy: { zh: '能源', en: 'Energy', stix: 'energy' },
  chemical: { zh: '化工', en: 'Chemical', stix: 'chemical' },
  finance: { zh: '金融', en: 'Finance', stix: 'financial-services' },
  telecom: { zh: '电信', en: 'Telecommunications', stix: 'telecommunications' },
  government: { zh: '政府', en: 'Government', stix: 'government' },
  healthcare: { zh: '医疗卫生', en: 'Healthcare', stix: 'healthcare' },
  education: { zh: '教育', en: 'Education', stix: 'education' },
  transport: { zh: '交通运输', en: 'Transport', stix: 'transportation' },
  manufacturing: { zh: '制造业', en: 'Manufacturing', stix: 'manufacturing' },
  water: { zh: '水利', en: 'Water', stix: 'water' },
  internet: { zh: '互联网', en: 'Internet', stix: 'technology' },
  other: { zh: '其他', en: 'Other', stix: undefined },
} as const satisfies Record<string, { zh: string; en: string; stix: string | undefined }>;
export type SectorCode = keyof typeof SECTORS;

/** The MITRE ATT&CK Enterprise tactics, in kill-chain order, with their TA ids. */
export const ATTACK_PHASES = {
  'initial-access': { tactic: 'TA0001', zh: '初始访问', en: 'Initial Access' },
  execution: { tactic: 'TA0002', zh: '执行', en: 'Execution' },
  persistence: { tactic: 'TA0003', zh: '持久化', en: 'Persistence' },
  'privilege-escalation': { tactic: 'TA0004', zh: '权限提升', en: 'Privilege Escalation' },
  'defense-evasion': { tactic: 'TA0005', zh: '防御规避', en: 'Defense Evasion' },
  'credential-access': { tactic: 'TA0006', zh: '凭据访问', en: 'Credential Access' },
  discovery: { tactic: 'TA0007', zh: '发现', en: 'Discovery' },
  'lateral-movement': { tactic: 'TA0008', zh: '横向移动', en: 'Lateral Movement' },
  collection: { tactic: 'TA0009', zh: '收集', en: 'Collection' },
  'command-and-control': { tactic: 'TA0011', zh: '命令与控制', en: 'Command and Control' },
  exfiltration: { tactic: 'TA0010', zh: '数据窃取', en: 'Exfiltration' },
  impact: { tactic: 'TA0040', zh: '影响', en: 'Impact' },
} as const satisfies Record<string, { tactic: string; zh: string; en: string }>;
export type AttackPhase = keyof typeof ATTACK_PHASES;

export const ASSET_KINDS = {
  server: { zh: '服务器', en: 'Server' },
  workstation: { zh: '终端主机', en: 'Workstation' },
  'mail-server': { zh: '邮件服务器', en: 'Mail server' },
  camera: { zh: '网络摄像机', en: 'IP camera' },
  plc: { zh: '可编程逻辑控制器', en: 'PLC' },
  'network-device': { zh: '网络设备', en: 'Network device' },
  database: { zh: '数据库', en: 'Database' },
  'upgrade-server': { zh: '软件升级服务器', en: 'Software-upgrade server' },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type AssetKind = keyof typeof ASSET_KINDS;

/** How the attacker first got in. */
export const VECTORS = {
  'vulnerability-exploit': { zh: '漏洞利用', en: 'Vulnerability exploit' },
  'weak-credential': { zh: '弱口令', en: 'Weak credential' },
  phishing: { zh: '钓鱼', en: 'Phishing' },
  'supply-chain': { zh: '供应链', en: 'Supply chain' },
  'stolen-certificate': { zh: '证书滥用', en: 'Stolen or misused certificate' },
  misconfiguration: { zh: '配置不当', en: 'Misconfiguration' },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type VectorCode = keyof typeof VECTORS;

export const STATUSES = {
  open: { zh: '新建', en: 'Open' },
  analysing: { zh: '分析中', en: 'Analysing' },
  contained: { zh: '已控制', en: 'Contained' },
  closed: { zh: '已关闭', en: 'Closed' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type IncidentStatus = keyof typeof STATUSES;

/**
 * Allowed status changes. open → closed covers false positives and duplicates; contained → analysing is new
 * activity found after containment. Reopening is allowed (closed → analysing) because new evidence on an old
 * incident — a second wave from the same upgrade server, a new indicator — belongs to the same record; a
 * reopened incident goes back to analysis, never straight to "open", so its history stays truthful.
 */
export const TRANSITIONS: TransitionTable<IncidentStatus> = {
  open: ['analysing', 'closed'],
  analysing: ['contained', 'closed'],
  contained: ['closed', 'analysing'],
  closed: ['analysing'],
};

export const STATUS_CODES = Object.keys(STATUSES) as IncidentStatus[];

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return canGo(TRANSITIONS, from, to);
}

/** TLP 2.0 (FIRST). */
export const TLP_LEVELS = {
  clear: { zh: 'TLP:CLEAR 公开', en: 'TLP:CLEAR' },
  green: { zh: 'TLP:GREEN 社区内', en: 'TLP:GREEN' },
  amber: { zh: 'TLP:AMBER 受限', en: 'TLP:AMBER' },
  'amber+strict': { zh: 'TLP:AMBER+STRICT 仅本单位', en: 'TLP:AMBER+STRICT' },
  red: { zh: 'TLP:RED 仅限指定人员', en: 'TLP:RED' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type Tlp = keyof typeof TLP_LEVELS;

export const ATTRIBUTION_CONFIDENCES = ['low', 'medium', 'high'] as const;
export type AttributionConfidence = (typeof ATTRIBUTION_CONFIDENCES)[number];

export const INCIDENT_ID = /^INC-\d{4}-\d{4,}$/;
export const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;
/** Vulnerability ids an attack step may link to, by namespace. */
export const VULNERABILITY_ID_FORMS = [
  { namespace: 'cve', pattern: /^CVE-\d{4}-\d{4,}$/, example: 'CVE-2021-26855' },
  { namespace: 'cnvd', pattern: /^CNVD-\d{4}-\d{5}$/, example: 'CNVD-2024-12345' },
  { namespace: 'vulnshare', pattern: /^VS-\d{4}-\d{5}$/, example: 'VS-2026-00012' },
] as const;

export function vulnerabilityNamespace(
  id: string,
): (typeof VULNERABILITY_ID_FORMS)[number]['namespace'] | undefined {
  return VULNERABILITY_ID_FORMS.find((f) => f.pattern.test(id))?.namespace;
}

export const isKeyOf = <T extends object>(table: T, key: unknown): key is keyof T & string =>
  typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key);

/** Who a case names as responsible (the camera case: the contractor that built the platform). */
export const RESPONSIBLE_ROLES = {
  contractor: { zh: '承建单位', en: 'Contractor', stixClass: 'organization' },
  operator: { zh: '运营单位', en: 'Operator', stixClass: 'organization' },
  vendor: { zh: '供应商', en: 'Vendor', stixClass: 'organization' },
  service_provider: { zh: '服务提供方', en: 'Service provider', stixClass: 'organization' },
  individual: { zh: '个人', en: 'Individual', stixClass: 'individual' },
  other: { zh: '其他', en: 'Other', stixClass: 'unknown' },
} as const satisfies Record<string, { zh: string; en: string; stixClass: string }>;
export type ResponsibleRole = keyof typeof RESPONSIBLE_ROLES;

/** Measures and penalties an authority takes (行政措施与处罚). */
export const MEASURE_KINDS = {
  rectification_order: { zh: '责令整改', en: 'Order to rectify' },
  warning: { zh: '警告', en: 'Warning' },
  fine: { zh: '罚款', en: 'Fine' },
  confiscation: { zh: '没收违法所得', en: 'Confiscation of illegal gains' },
  suspension: { zh: '暂停相关业务', en: 'Suspension of business' },
  certificate_revocation: { zh: '吊销证书', en: 'Certificate revocation' },
  punishment: { zh: '依法惩处', en: 'Punished according to law' },
  notification: { zh: '通报', en: 'Notification' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type MeasureKind = keyof typeof MEASURE_KINDS;

/** The laws and systems a measure is based on; `article` of the measure names the provision. */
export const LAWS = {
  data_security_law: { zh: '《中华人民共和国数据安全法》', en: 'Data Security Law of the PRC' },
  cybersecurity_law: { zh: '《中华人民共和国网络安全法》', en: 'Cybersecurity Law of the PRC' },
  mlps: { zh: '网络安全等级保护制度', en: 'Multi-Level Protection Scheme (MLPS)' },
  pipl: { zh: '《中华人民共和国个人信息保护法》', en: 'Personal Information Protection Law of the PRC' },
  counter_espionage_law: { zh: '《中华人民共和国反间谍法》', en: 'Counter-Espionage Law of the PRC' },
  ciip_regulations: {
    zh: '《关键信息基础设施安全保护条例》',
    en: 'Regulations on the Security Protection of Critical Information Infrastructure',
  },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type LawCode = keyof typeof LAWS;

/** Where a misused certificate's revocation stands. */
export const REVOCATION_STATUSES = {
  revoked: { zh: '已吊销', en: 'Revoked' },
  requested: { zh: '已申请吊销', en: 'Revocation requested' },
  not_revoked: { zh: '未吊销', en: 'Not revoked' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type RevocationStatus = keyof typeof REVOCATION_STATUSES;
