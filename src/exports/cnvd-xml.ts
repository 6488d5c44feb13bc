/**
 * CNVD share XML, written: the element set of CNVD's own weekly files (root <vulnerabilitys>, the severity
 * tag spelled <serverity>), so a CNVD-fed system reads ours and src/imports/cnvd-xml.ts reads it back into
 * the same records. Streaming: a generator of text chunks, one record at a time.
 *
 * What the format cannot carry is left out: a record without a CNVD id (CNVD numbers every record; the
 * importer refuses other numbers), a rejected record, and aliases other than CVE, BugTraq and Exploit-DB
 * ids. All references go in <referenceLink>, one a line, in the record's order; a CVE's NVD link is
 * also its <cveUrl>, as CNVD writes it.
 */
import type { Vulnerability, VulnKind } from '../vulns/model.js';
import { SEVERITY_ZH } from '../vulns/model.js';

export const CNVD_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<vulnerabilitys>';
export const CNVD_XML_TAIL = '</vulnerabilitys>\n';

/** kind → isEvent, as CNVD writes it. */
export const CNVD_IS_EVENT: Record<VulnKind, string> = { general: '通用软硬件漏洞', event: '事件型漏洞' };

const CNVD_ID = /^CNVD-\d{4}-\d{4,6}$/;

/** The CNVD number a record is written under, or null when it has none. */
export function cnvdNumberOf(v: Pick<Vulnerability, 'id' | 'aliases'>): string | null {
  if (CNVD_ID.test(v.id)) return v.id;
  return v.aliases.find((a) => CNVD_ID.test(a)) ?? null;
}

// Characters XML 1.0 cannot carry at all, not even as references: C0 controls but tab / LF / CR, lone
// surrogates, U+FFFE / U+FFFF. They are dropped.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching the control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Element text: & < > escaped, CR kept as a character reference (a parser would turn CR LF into LF). */
export function xmlText(s: string): string {
  return s
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#xD;');
}

const el = (name: string, text: string | undefined | null) =>
  text === undefined || text === null || text === '' ? '' : `<${name}>${xmlText(text)}</${name}>`;

/**
 * A URL as one token of <referenceLink>: the importer splits that text at white space and , ; ，； and
 * stops a link at < > ", so those are percent-encoded (the link is the same resource).
 */
export function linkToken(url: string): string {
  return url.trim().replace(/[\s,;，；<>"]/gu, (c) => encodeURIComponent(c));
}

const day = (d: string | undefined) => (d ? d.slice(0, 10) : undefined);

/** The product strings: CNVD's own where the record has them, else "vendor product versions". */
function productTexts(v: Vulnerability): string[] {
  return v.products
    .map((p) => p.raw ?? [p.vendor, p.product, ...p.versions].filter(Boolean).join(' '))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** One <vulnerability> element, or null when the record cannot be a CNVD record (no CNVD id, rejected). */
export function cnvdXmlRecord(v: Vulnerability): string | null {
  const number = cnvdNumberOf(v);
  const title = v.title.zh ?? v.title.en;
  if (!number || !title || v.state !== 'published') return null;
  const cves = v.aliases.filter((a) => /^CVE-\d{4}-\d{4,}$/.test(a));
  const bids = v.aliases.flatMap((a) => {
    const bid = /^BID-(\d+)$/.exec(a);
    if (bid) return [bid[1] ?? ''];
    const edb = /^EDB-(\d+)$/.exec(a);
    return edb ? [`EDB-ID:${edb[1] ?? ''}`] : [];
  });
  const refs = v.references.map((r) => linkToken(r.url)).filter(Boolean);
  const linked = new Set(refs);
  const parts: string[] = ['<vulnerability>', el('number', number)];
  if (bids.length) parts.push(`<bids>${bids.map((b) => `<bid>${el('bidNumber', b)}</bid>`).join('')}</bids>`);
  if (cves.length)
    parts.push(
      `<cves>${cves
        .map((c) => {
          const url = `https://nvd.nist.gov/vuln/detail/${c}`;
          return `<cve>${el('cveNumber', c)}${linked.has(url) ? el('cveUrl', url) : ''}</cve>`;
        })
        .join('')}</cves>`,
    );
  parts.push(el('title', title));
  if (v.severity) parts.push(el('serverity', SEVERITY_ZH[v.severity]));
  const products = productTexts(v);
  if (products.length) parts.push(`<products>${products.map((p) => el('product', p)).join('')}</products>`);
  parts.push(
    el('isEvent', CNVD_IS_EVENT[v.kind]),
    el('submitTime', day(v.dates.submitted)),
    el('openTime', day(v.dates.published)),
    el('discovererName', v.credits.join('、')),
    el('referenceLink', refs.join('\n')),
    el('formalWay', v.solution),
    el('description', v.description.zh ?? v.description.en),
    el('patchName', v.patch?.name),
    el('patchDescription', v.patch?.description),
    '</vulnerability>',
  );
  return parts.join('');
}

/** A whole file: the head, each record CNVD's format can carry, the tail. `skipped` counts the others. */
export async function* cnvdXmlFile(
  records: AsyncIterable<Vulnerability> | Iterable<Vulnerability>,
  counts: { written: number; skipped: number } = { written: 0, skipped: 0 },
): AsyncGenerator<string> {
  yield CNVD_XML_HEAD;
  for await (const v of records) {
    const x = cnvdXmlRecord(v);
    if (x === null) counts.skipped++;
    else {
      counts.written++;
      yield x;
    }
  }
  yield CNVD_XML_TAIL;
}
