/**
 * A vulnerability as an OSV record (https://ossf.github.io/osv-schema/, schema 1.7). Pure: the merged
 * document, the row's timestamps and the CVE records it came from in; a plain object out.
 *
 * - id: the primary id when its prefix is a home database the OSV schema registers (CVE-…); otherwise
 *   (CNVD-…, VS-…) the schema's prefix for unregistered databases, `x_`: x_CNVD-2022-06883. Every other id the
 *   record is known by — the bare CNVD id included — is an alias.
 * - affected: OSV ecosystems name package registries. A package entry is written only where a CVE record
 *   names the registry (collectionURL + packageName, or a package URL); its CNA's version ranges become
 *   ECOSYSTEM ranges. Everything else (routers, firmware, CNVD's product strings) is an entry without a
 *   package, its vendor / product / versions in database_specific.
 * - severity: one CVSS vector per OSV type (CVSS_V2 / CVSS_V3 / CVSS_V4), the newest version first; all
 *   vectors with their providers stay in database_specific.cvss.
 * - references: typed from the CVE's tags, then from the URL (tables below), else WEB.
 */
import type { Cvss, CvssVersion, Reference, Vulnerability } from '../vulns/model.js';
import { INDUSTRY_LABELS, OBJECT_TYPE_LABELS, SEVERITY_ZH } from '../vulns/model.js';

export const OSV_SCHEMA_VERSION = '1.7.4';

/** Id prefixes of home databases the OSV schema registers that a vulnshare record can carry as its primary id. */
export const OSV_REGISTERED_PREFIXES = ['CVE', 'GHSA'] as const;

export function osvId(primaryId: string): string {
  const prefix = primaryId.split('-')[0] ?? '';
  return (OSV_REGISTERED_PREFIXES as readonly string[]).includes(prefix) ? primaryId : `x_${primaryId}`;
}

/** CVE collectionURL → OSV ecosystem: the package registries a CVE record can name. First match wins. */
export const COLLECTION_ECOSYSTEMS: ReadonlyArray<{ match: RegExp; ecosystem: string }> = [
  { match: /^https?:\/\/(www\.)?(registry\.)?npmjs\.(com|org)\b/i, ecosystem: 'npm' },
  { match: /^https?:\/\/(pypi\.org|pypi\.python\.org)\b/i, ecosystem: 'PyPI' },
  {
    match:
      /^https?:\/\/(repo\.maven\.apache\.org|repo1\.maven\.org|search\.maven\.org|central\.sonatype\.com)\b/i,
    ecosystem: 'Maven',
  },
  { match: /^https?:\/\/(www\.|api\.)?nuget\.org\b/i, ecosystem: 'NuGet' },
  { match: /^https?:\/\/rubygems\.org\b/i, ecosystem: 'RubyGems' },
  { match: /^https?:\/\/crates\.io\b/i, ecosystem: 'crates.io' },
  { match: /^https?:\/\/(pkg\.go\.dev|proxy\.golang\.org)\b/i, ecosystem: 'Go' },
  { match: /^https?:\/\/(repo\.)?packagist\.org\b/i, ecosystem: 'Packagist' },
  { match: /^https?:\/\/hex\.pm\b/i, ecosystem: 'Hex' },
  { match: /^https?:\/\/pub\.dev\b/i, ecosystem: 'Pub' },
  { match: /^https?:\/\/cran\.r-project\.org\b/i, ecosystem: 'CRAN' },
  { match: /^https?:\/\/hackage\.haskell\.org\b/i, ecosystem: 'Hackage' },
  { match: /^https?:\/\/(www\.)?bioconductor\.org\b/i, ecosystem: 'Bioconductor' },
];

/** Package URL type → OSV ecosystem, and how the package's OSV name is made from namespace and name. */
export const PURL_ECOSYSTEMS: Record<string, { ecosystem: string; join: ':' | '/' | null }> = {
  npm: { ecosystem: 'npm', join: '/' },
  pypi: { ecosystem: 'PyPI', join: null },
  maven: { ecosystem: 'Maven', join: ':' },
  nuget: { ecosystem: 'NuGet', join: null },
  gem: { ecosystem: 'RubyGems', join: null },
  cargo: { ecosystem: 'crates.io', join: null },
  golang: { ecosystem: 'Go', join: '/' },
  composer: { ecosystem: 'Packagist', join: '/' },
  hex: { ecosystem: 'Hex', join: null },
  pub: { ecosystem: 'Pub', join: null },
  cran: { ecosystem: 'CRAN', join: null },
  hackage: { ecosystem: 'Hackage', join: null },
};

/** Registries whose OSV package names need a shape a CVE packageName may not have. */
const NAME_SHAPE: Record<string, RegExp> = { Maven: /^[^:\s]+:[^:\s]+$/ };

const OSV_SEVERITY_TYPE: Record<CvssVersion, 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4'> = {
  '2.0': 'CVSS_V2',
  '3.0': 'CVSS_V3',
  '3.1': 'CVSS_V3',
  '4.0': 'CVSS_V4',
};

/** CVE reference tags → OSV reference types. First listed tag of a reference that maps wins. */
export const REFERENCE_TAG_TYPES: Record<string, string> = {
  patch: 'FIX',
  'vendor-advisory': 'ADVISORY',
  'third-party-advisory': 'ADVISORY',
  'government-resource': 'ADVISORY',
  x_refsource_CONFIRM: 'ADVISORY',
  exploit: 'EVIDENCE',
  x_refsource_EXPLOIT: 'EVIDENCE',
  'issue-tracking': 'REPORT',
  'mailing-list': 'DISCUSSION',
  x_refsource_MLIST: 'DISCUSSION',
  'technical-description': 'ARTICLE',
  'media-coverage': 'ARTICLE',
  signature: 'DETECTION',
};

/** URL shapes → OSV reference types, for references without a telling tag. First match wins. */
export const REFERENCE_URL_TYPES: ReadonlyArray<{ match: RegExp; type: string }> = [
  { match: /^https?:\/\/nvd\.nist\.gov\/vuln\/detail\//i, type: 'ADVISORY' },
  { match: /^https?:\/\/(www\.)?cve\.org\/CVERecord/i, type: 'ADVISORY' },
  { match: /^https?:\/\/cve\.mitre\.org\/cgi-bin\/cvename/i, type: 'ADVISORY' },
  { match: /^https?:\/\/github\.com\/advisories\/GHSA-/i, type: 'ADVISORY' },
  { match: /^https?:\/\/github\.com\/[^/]+\/[^/]+\/security\/advisories\//i, type: 'ADVISORY' },
  { match: /^https?:\/\/(www\.)?cnvd\.org\.cn\/flaw\/show\//i, type: 'ADVISORY' },
  { match: /^https?:\/\/(www\.)?cisa\.gov\//i, type: 'ADVISORY' },
  { match: /^https?:\/\/github\.com\/[^/]+\/[^/]+\/commit\/[0-9a-f]{7,}/i, type: 'FIX' },
  { match: /^https?:\/\/gitlab\.[^/]+\/.+\/-\/commit\/[0-9a-f]{7,}/i, type: 'FIX' },
  { match: /^https?:\/\/github\.com\/[^/]+\/[^/]+\/(issues|pull)\/\d+/i, type: 'REPORT' },
  { match: /^https?:\/\/bugzilla\./i, type: 'REPORT' },
  { match: /^https?:\/\/(www\.)?exploit-db\.com\//i, type: 'EVIDENCE' },
  { match: /^https?:\/\/packetstormsecurity\.(com|org)\//i, type: 'EVIDENCE' },
  { match: /^https?:\/\/(seclists\.org|www\.openwall\.com\/lists|lists\.)/i, type: 'DISCUSSION' },
];

/** CNVD's page of a CNVD id. */
export const cnvdUrl = (id: string) => `https://www.cnvd.org.cn/flaw/show/${id}`;

/**
 * The vector as OSV's severity[].score may state it, or null. (CVSS v2 vectors are written without a
 * prefix or parentheses; v4.0 vectors must keep the specification's metric order.)
 */
export const OSV_VECTOR_PATTERNS: Record<'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4', RegExp> = {
  CVSS_V2:
    /^((AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))\/)*(AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))$/,
  CVSS_V3:
    /^CVSS:3[.][01]\/((AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])\/)*(AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])$/,
  CVSS_V4:
    /^CVSS:4[.]0\/AV:[NALP]\/AC:[LH]\/AT:[NP]\/PR:[NLH]\/UI:[NPA]\/VC:[HLN]\/VI:[HLN]\/VA:[HLN]\/SC:[HLN]\/SI:[HLN]\/SA:[HLN](\/E:[XAPU])?(\/CR:[XHML])?(\/IR:[XHML])?(\/AR:[XHML])?(\/MAV:[XNALP])?(\/MAC:[XLH])?(\/MAT:[XNP])?(\/MPR:[XNLH])?(\/MUI:[XNPA])?(\/MVC:[XNLH])?(\/MVI:[XNLH])?(\/MVA:[XNLH])?(\/MSC:[XNLH])?(\/MSI:[XNLHS])?(\/MSA:[XNLHS])?(\/S:[XNP])?(\/AU:[XNY])?(\/R:[XAUI])?(\/V:[XDC])?(\/RE:[XLMH])?(\/U:(X|Clear|Green|Amber|Red))?$/,
};

export function osvVector(c: Pick<Cvss, 'version' | 'vector'>): { type: string; score: string } | null {
  const type = OSV_SEVERITY_TYPE[c.version];
  const score =
    c.version === '2.0'
      ? c.vector
          .trim()
          .replace(/^\(|\)$/g, '')
          .replace(/^CVSS:2\.0\//, '')
      : c.vector.trim();
  return OSV_VECTOR_PATTERNS[type].test(score) ? { type, score } : null;
}

/**
 * A URL as RFC 3986 allows it (OSV references are `format: uri`), or null: parsed and serialised by WHATWG
 * URL (non-ASCII host to punycode, path and query percent-encoded), then whatever RFC 3986 still forbids
 * (| ^ { } ` \ …) percent-encoded.
 */
export function uriOf(url: string): string | null {
  let href: string;
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'ftp:') return null;
    href = u.href;
  } catch {
    return null;
  }
  const cleaned = href
    .replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
    .replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu, (c) => encodeURIComponent(c));
  // after the authority, [ ] are not allowed, nor a second #
  const m = /^([a-z]+:\/\/[^/?#]*)([^#]*)(#?)(.*)$/i.exec(cleaned);
  if (!m) return null;
  const brackets = (s: string) => s.replace(/\[/g, '%5B').replace(/\]/g, '%5D');
  return `${m[1] ?? ''}${brackets(m[2] ?? '')}${m[3] ?? ''}${brackets((m[4] ?? '').replace(/#/g, '%23'))}`;
}

export function referenceType(r: Pick<Reference, 'url' | 'tags'>, fallback = 'WEB'): string {
  for (const t of r.tags ?? []) {
    const type = REFERENCE_TAG_TYPES[t];
    if (type) return type;
  }
  return REFERENCE_URL_TYPES.find((x) => x.match.test(r.url))?.type ?? fallback;
}

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

interface OsvPackage {
  ecosystem: string;
  name: string;
  purl?: string;
}

/** The OSV package a CVE affected[] entry names, or null when it names no registry OSV knows. */
export function packageOf(a: J): OsvPackage | null {
  const purl = str(a.packageURL) ?? str(a.purl);
  if (purl) {
    const m = /^pkg:([a-z0-9.+-]+)\/(?:(.+)\/)?([^/@?#]+)(?:@[^?#]*)?(?:\?[^#]*)?(?:#.*)?$/i.exec(purl);
    const kind = m?.[1] ? PURL_ECOSYSTEMS[m[1].toLowerCase()] : undefined;
    if (m && kind) {
      const ns = m[2] ? decodeURIComponent(m[2]) : undefined;
      const name = decodeURIComponent(m[3] ?? '');
      const full = ns && kind.join ? `${ns}${kind.join}${name}` : name;
      if (full && (!NAME_SHAPE[kind.ecosystem] || NAME_SHAPE[kind.ecosystem]?.test(full)))
        return { ecosystem: kind.ecosystem, name: full, purl: purl.replace(/@[^?#]*/, '') };
    }
  }
  const url = str(a.collectionURL);
  const name = str(a.packageName);
  if (!url || !name) return null;
  const ecosystem = COLLECTION_ECOSYSTEMS.find((e) => e.match.test(url))?.ecosystem;
  if (!ecosystem) return null;
  if (NAME_SHAPE[ecosystem] && !NAME_SHAPE[ecosystem]?.test(name)) return null;
  return { ecosystem, name };
}

type Event = { introduced: string } | { fixed: string } | { last_affected: string };
const OPEN = new Set(['', '*', '0', 'n/a', '-']);

/** ECOSYSTEM ranges and exact versions from a CVE entry's versions[] (affected entries only). */
export function rangesOf(a: J): { ranges: J[]; versions: string[] } {
  const ranges: J[] = [];
  const versions: string[] = [];
  for (const v of arr(a.versions).map(obj)) {
    if (v.status !== 'affected') continue;
    const version = str(v.version) ?? '';
    const versionType = str(v.versionType);
    if (versionType === 'git') continue; // a GIT range needs the repository, which the record does not give
    const lessThan = str(v.lessThan);
    const lessThanOrEqual = str(v.lessThanOrEqual);
    if (!lessThan && !lessThanOrEqual) {
      if (OPEN.has(version.toLowerCase())) ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }] });
      else versions.push(version);
      continue;
    }
    const events: Event[] = [{ introduced: OPEN.has(version.toLowerCase()) ? '0' : version }];
    if (lessThan && lessThan !== '*') events.push({ fixed: lessThan });
    else if (lessThanOrEqual && lessThanOrEqual !== '*') events.push({ last_affected: lessThanOrEqual });
    ranges.push({
      type: 'ECOSYSTEM',
      events,
      ...(versionType ? { database_specific: { versionType } } : {}),
    });
  }
  return { ranges, versions };
}

const key = (s: string) => s.trim().toLowerCase();

export interface OsvInput {
  vulnerability: Vulnerability;
  /** When the platform last changed / first stored the record (the row's timestamps). */
  modifiedAt: string;
  createdAt?: string;
  /** The verbatim CVE JSON 5 records the vulnerability was merged from. */
  cveRaw?: string[];
}

const rfc3339 = (d: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T00:00:00Z` : new Date(d).toISOString().replace(/\.000Z$/, 'Z');

export function toOsv({ vulnerability: v, modifiedAt, createdAt, cveRaw = [] }: OsvInput): J {
  const id = osvId(v.id);
  const cnvdIds = v.aliases.filter((a) => /^CNVD-\d{4}-\d+$/.test(a));
  const cnvdId = v.id.startsWith('CNVD-') ? v.id : cnvdIds[0];
  const aliases = Array.from(new Set(v.aliases.filter((a) => a !== id)));

  // affected: package entries from the CVE records, then every other product without a package
  const affected: J[] = [];
  const packaged = new Set<string>();
  for (const text of cveRaw) {
    let rec: J;
    try {
      rec = obj(JSON.parse(text));
    } catch {
      continue;
    }
    for (const a of arr(obj(obj(rec.containers).cna).affected).map(obj)) {
      const pkg = packageOf(a);
      if (!pkg) continue;
      const { ranges, versions } = rangesOf(a);
      packaged.add(`${key(str(a.vendor) ?? '')}|${key(str(a.product) ?? str(a.packageName) ?? '')}`);
      affected.push({
        package: pkg,
        ...(ranges.length ? { ranges } : {}),
        ...(versions.length ? { versions } : {}),
        database_specific: {
          ...(str(a.vendor) ? { vendor: str(a.vendor) } : {}),
          ...(str(a.product) ? { product: str(a.product) } : {}),
          ...(str(a.defaultStatus) ? { defaultStatus: str(a.defaultStatus) } : {}),
          ...(arr(a.versions).length ? { cveVersions: arr(a.versions) } : {}),
          ...(str(a.collectionURL) ? { collectionURL: str(a.collectionURL) } : {}),
        },
      });
    }
  }
  for (const p of v.products) {
    if (packaged.has(`${key(p.vendor)}|${key(p.product)}`)) continue;
    affected.push({
      database_specific: {
        ...(p.vendor ? { vendor: p.vendor } : {}),
        ...(p.product ? { product: p.product } : {}),
        versions: p.versions,
        ...(p.cpes?.length ? { cpes: p.cpes } : {}),
        ...(p.raw ? { productText: p.raw } : {}),
      },
    });
  }

  // severity: one vector per OSV type, the newest CVSS version of the type first
  const severity: Array<{ type: string; score: string }> = [];
  for (const c of [...v.cvss].sort((a, b) => Number(b.version) - Number(a.version))) {
    const s = osvVector(c);
    if (s && !severity.some((x) => x.type === s.type)) severity.push(s);
  }

  // references: typed, RFC 3986, each URL once; CNVD's page and the patch link where known
  const references: Array<{ type: string; url: string }> = [];
  const seen = new Set<string>();
  const addRef = (r: Pick<Reference, 'url' | 'tags'>, fallback?: string) => {
    const url = uriOf(r.url);
    if (!url || seen.has(url)) return;
    seen.add(url);
    references.push({ type: referenceType({ ...r, url }, fallback), url });
  };
  for (const c of cnvdIds) addRef({ url: cnvdUrl(c) }, 'ADVISORY');
  for (const r of v.references) addRef(r);
  if (v.patch?.url) addRef({ url: v.patch.url }, 'ADVISORY');

  const title = v.title.en ?? v.title.zh;
  const details = v.description.en ?? v.description.zh;
  const published = v.dates.published ?? createdAt;
  const cwes = v.weaknesses.flatMap((w) => (w.cwe ? [w.cwe] : []));

  const databaseSpecific: J = {
    source: 'vulnshare',
    id: v.id,
    ...(v.title.zh ? { title_zh: v.title.zh } : {}),
    ...(v.description.zh && v.description.en ? { description_zh: v.description.zh } : {}),
    ...(v.severity ? { severity: v.severity, severity_source: v.severitySource } : {}),
    ...(v.score !== null ? { score: v.score, score_version: v.scoreVersion } : {}),
    kind: v.kind,
    ...(v.objectType
      ? { object_type: v.objectType, object_type_zh: OBJECT_TYPE_LABELS[v.objectType].zh }
      : {}),
    ...(v.industries.length
      ? { industries: v.industries, industries_zh: v.industries.map((i) => INDUSTRY_LABELS[i].zh) }
      : {}),
    ...(cwes.length ? { cwe_ids: Array.from(new Set(cwes)) } : {}),
    ...(v.weaknesses.length ? { weaknesses: v.weaknesses } : {}),
    ...(v.cvss.length
      ? {
          cvss: v.cvss.map((c) => ({
            version: c.version,
            vector: c.vector,
            baseScore: c.baseScore,
            ...(c.provider ? { provider: c.provider } : {}),
          })),
        }
      : {}),
    ...(v.zeroDay !== null ? { zero_day: v.zeroDay } : {}),
    ...(v.exploited ? { exploited: v.exploited } : {}),
    ...(cnvdId
      ? {
          cnvd: {
            id: cnvdId,
            ...(v.title.zh ? { title: v.title.zh } : {}),
            ...(v.severity && v.severitySource === 'cnvd' ? { serverity: SEVERITY_ZH[v.severity] } : {}),
            ...(v.solution ? { formalWay: v.solution } : {}),
            ...(v.patch?.name ? { patchName: v.patch.name } : {}),
            ...(v.patch?.description ? { patchDescription: v.patch.description } : {}),
            ...(v.dates.submitted ? { submitTime: v.dates.submitted } : {}),
            ...(v.dates.published ? { openTime: v.dates.published } : {}),
          },
        }
      : {}),
    sources: v.sources.map((s) => `${s.source}:${s.key}`),
  };

  return {
    schema_version: OSV_SCHEMA_VERSION,
    id,
    modified: rfc3339(modifiedAt),
    ...(published ? { published: rfc3339(published) } : {}),
    ...(v.state === 'rejected' ? { withdrawn: rfc3339(modifiedAt) } : {}),
    ...(aliases.length ? { aliases } : {}),
    ...(title ? { summary: title } : {}),
    ...(details ? { details } : {}),
    ...(severity.length ? { severity } : {}),
    ...(affected.length ? { affected } : {}),
    ...(references.length ? { references } : {}),
    ...(v.credits.length ? { credits: v.credits.map((name) => ({ name })) } : {}),
    database_specific: databaseSpecific,
  };
}
