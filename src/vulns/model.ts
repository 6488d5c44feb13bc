/**
 * The vulnerability model: what importers yield (SourceRecord) and what the store keeps
 * (Vulnerability, the merge of every source record linked to it). No I/O here.
 */

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_ZH: Record<Severity, string> = { high: '高', medium: '中', low: '低' };

/** The 8 CNVD affected-object types (漏洞影响对象类型). */
export const OBJECT_TYPES = [
  'web_application', // WEB应用
  'network_device', // 网络设备
  'application', // 应用程序
  'operating_system', // 操作系统
  'smart_device', // 智能设备
  'security_product', // 安全产品
  'database', // 数据库
  'connected_vehicle', // 车联网
] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];
export const OBJECT_TYPE_LABELS: Record<ObjectType, { zh: string; en: string }> = {
  web_application: { zh: 'WEB应用', en: 'Web application' },
  network_device: { zh: '网络设备（交换机、路由器等网络端设备）', en: 'Network device' },
  application: { zh: '应用程序', en: 'Application' },
  operating_system: { zh: '操作系统', en: 'Operating system' },
  smart_device: { zh: '智能设备（物联网终端设备）', en: 'Smart / IoT device' },
  security_product: { zh: '安全产品', en: 'Security product' },
  database: { zh: '数据库', en: 'Database' },
  connected_vehicle: { zh: '车联网', en: 'Connected vehicle' },
};

export const INDUSTRIES = ['telecom', 'mobile_internet', 'ics'] as const;
export type Industry = (typeof INDUSTRIES)[number];
export const INDUSTRY_LABELS: Record<Industry, { zh: string; en: string }> = {
  telecom: { zh: '电信', en: 'Telecom' },
  mobile_internet: { zh: '移动互联网', en: 'Mobile internet' },
  ics: { zh: '工控', en: 'Industrial control (ICS)' },
};

/** general = 通用型 (a flaw in a product); event = 事件型 (a flaw in one organisation's deployed system). */
export const VULN_KINDS = ['general', 'event'] as const;
export type VulnKind = (typeof VULN_KINDS)[number];

/**
 * vulnshare = published through this platform's own pipeline (its id in the platform's namespace); csaf = one
 * vulnerability of a CSAF 2.0 advisory or VEX document (src/csaf/).
 */
export const SOURCE_KINDS = ['vulnshare', 'cnvd', 'cve', 'kev', 'csaf', 'gcve'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const CVSS_VERSIONS = ['2.0', '3.0', '3.1', '4.0'] as const;
export type CvssVersion = (typeof CVSS_VERSIONS)[number];

export interface AffectedProduct {
  vendor: string;
  product: string;
  /** Version strings or ranges as the source states them ("5.2.0.1", "<10", "23.*，<23.3"). */
  versions: string[];
  cpes?: string[];
  /** Package URLs (purl) naming the product, where the source gives them (CSAF product_identification_helper). */
  purls?: string[];
  /** The source's product string verbatim, when the source gives one string (CNVD). */
  raw?: string;
}

/**
 * Who states a weakness: the CVE record's CNA (its cweId, or a CWE id in its own description text), an ADP
 * container (CISA's Vulnrichment), CNVD (the weakness its title names), the KEV catalogue, a CSAF document, or the platform
 * itself — `inferred` from the title / description by classify/weaknesses.ts, never a source's statement.
 */
export const WEAKNESS_SOURCES = ['cna', 'adp', 'cnvd', 'kev', 'csaf', 'vulnshare', 'inferred'] as const;
export type WeaknessSource = (typeof WEAKNESS_SOURCES)[number];

export interface Weakness {
  /** "CWE-79", or null when the weakness is known only by name. */
  cwe: string | null;
  nameZh?: string;
  nameEn?: string;
  /** Who states it (absent in records stored before sources were told apart). */
  source?: WeaknessSource;
}

export interface CvssInput {
  vector: string;
  /** Who supplied the vector: "cna", "CISA-ADP", "nvd"… */
  provider?: string;
}

export interface Cvss extends CvssInput {
  version: CvssVersion;
  baseScore: number;
  severity: Severity;
}

export interface Reference {
  url: string;
  name?: string;
  tags?: string[];
}

export interface Exploitation {
  /** KEV dateAdded (YYYY-MM-DD). */
  dateAdded: string;
  /** knownRansomwareCampaignUse: true = Known, false = Unknown. */
  ransomware: boolean;
  dueDate?: string;
  requiredAction?: string;
  source: string;
}

export interface RecordDates {
  /** ISO 8601 date (YYYY-MM-DD) or date-time with zone. */
  submitted?: string;
  collected?: string;
  published?: string;
  updated?: string;
}

/** One record as one source states it, normalised. Importers yield these; nothing is derived yet. */
export interface SourceRecord {
  source: SourceKind;
  /** The source's own id for the record: CNVD-2022-06883, CVE-2024-0204. */
  key: string;
  /** Every id the record is known by, including key: CNVD-…, CVE-…, BID-…, GHSA-… */
  aliases: string[];
  /**
   * The id an enrichment record attaches by when it is not its key: a CSAF vulnerability (keyed by its
   * document) attaches to the vulnerabilities carrying its CVE id. Absent = the key.
   */
  anchor?: string;
  state: 'published' | 'rejected';
  titleZh?: string;
  titleEn?: string;
  descriptionZh?: string;
  descriptionEn?: string;
  products: AffectedProduct[];
  weaknesses: Weakness[];
  objectType?: ObjectType;
  industries?: Industry[];
  cvss: CvssInput[];
  /** A severity word the source states (CNVD's serverity 高/中/低). */
  severity?: Severity;
  zeroDay?: boolean;
  kind?: VulnKind;
  exploited?: Exploitation;
  pocAvailable?: boolean;
  dates: RecordDates;
  solution?: string;
  patch?: { name?: string; description?: string; url?: string };
  references: Reference[];
  /** Discoverer / reporter names (CNVD discovererName, CVE credits). */
  credits: string[];
  /** Extra structured data worth keeping (e.g. SSVC decision points). */
  extra?: Record<string, unknown>;
  /** The source's own record, verbatim (XML fragment, JSON text). */
  raw: string;
}

/** A problem with one record (or one file) of an input, located precisely. */
export interface ImportIssue {
  file: string;
  /** The record's id if it could be read, else its 1-based index in the file; absent for whole-file errors. */
  record?: string;
  field?: string;
  message: string;
}

/** What a parser yields, one per record (or per unreadable file). */
export type ParseItem =
  | {
      ok: true;
      file: string;
      index: number;
      record: SourceRecord;
      /** Values the parser dropped, moved or repaired while keeping the record. */
      warnings?: ImportIssue[];
    }
  | { ok: false; file: string; index?: number; issue: ImportIssue };

/** A source record after classification and CVSS scoring: what the store keeps as `record`. */
export interface PreparedRecord extends Omit<SourceRecord, 'raw'> {
  scored: Cvss[];
}

export interface SourceRef {
  source: SourceKind;
  key: string;
  state: 'published' | 'rejected';
}

/** The merged vulnerability as the store keeps it and the API returns it. */
export interface Vulnerability {
  id: string;
  aliases: string[];
  state: 'published' | 'rejected';
  title: { zh?: string; en?: string };
  description: { zh?: string; en?: string };
  products: AffectedProduct[];
  /** Vendor display names, in product order. */
  vendors: string[];
  objectType: ObjectType | null;
  industries: Industry[];
  weaknesses: Weakness[];
  cvss: Cvss[];
  /** The primary CVSS score (see CVSS_PREFERENCE), null when no source gives a vector. */
  score: number | null;
  scoreVersion: CvssVersion | null;
  severity: Severity | null;
  /** Where the severity came from: 'cnvd' (stated by the source), 'cvss:3.1' (banded from the score)… */
  severitySource: string | null;
  zeroDay: boolean | null;
  kind: VulnKind;
  exploited: Exploitation | null;
  pocAvailable: boolean;
  dates: RecordDates;
  solution: string | null;
  patch: { name?: string; description?: string; url?: string } | null;
  references: Reference[];
  credits: string[];
  sources: SourceRef[];
  ssvc?: Record<string, unknown>;
}
