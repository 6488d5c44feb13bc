/**
 * The CISA Known Exploited Vulnerabilities catalogue (JSON, or the CSV form where cwes is one
 * comma-joined column) → SourceRecords marking CVEs exploited. The catalogue is one bounded document
 * (~1.3 MB for 1,400 entries), read whole.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import type { ParseItem, SourceRecord } from '../vulns/model.js';
import { parseDate } from './dates.js';

interface KevEntry {
  cveID?: unknown;
  vendorProject?: unknown;
  product?: unknown;
  vulnerabilityName?: unknown;
  dateAdded?: unknown;
  shortDescription?: unknown;
  requiredAction?: unknown;
  dueDate?: unknown;
  knownRansomwareCampaignUse?: unknown;
  notes?: unknown;
  cwes?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The catalogue's fields in its own order: the raw record is the entry in this one shape. */
const KEV_FIELDS = [
  'cveID',
  'vendorProject',
  'product',
  'vulnerabilityName',
  'dateAdded',
  'shortDescription',
  'requiredAction',
  'dueDate',
  'knownRansomwareCampaignUse',
  'notes',
  'cwes',
] as const;

const cwesOf = (v: unknown): string[] =>
  (Array.isArray(v) ? v.map(String) : (str(v) ?? '').split(',')).map((c) => c.trim()).filter(Boolean);

/**
 * One entry as the JSON catalogue writes it, whichever form it came in: the CSV's comma-joined cwes become
 * a list, empty columns are left out, fields keep the catalogue's order. The JSON and the CSV of one
 * catalogue thus give identical records (and importing one after the other changes nothing).
 */
export function canonicalKevEntry(e: KevEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = e as Record<string, unknown>;
  const keys = [
    ...KEV_FIELDS,
    ...Object.keys(src).filter((k) => !(KEV_FIELDS as readonly string[]).includes(k)),
  ];
  for (const k of keys) {
    const v = src[k];
    if (k === 'cwes') out.cwes = cwesOf(v);
    else if (v === undefined || v === null || (typeof v === 'string' && !v.trim())) continue;
    else out[k] = v;
  }
  return out;
}
const URL_RE = /https?:\/\/[^\s;]+/g;

export function kevEntryToRecord(e: KevEntry, file: string, index: number): ParseItem {
  const cve = str(e.cveID);
  const issue = (field: string, message: string): ParseItem => ({
    ok: false,
    file,
    index,
    issue: { file, record: cve ?? `#${index}`, field, message },
  });
  if (!cve) return issue('cveID', 'missing cveID');
  if (!/^CVE-\d{4}-\d{4,}$/.test(cve)) return issue('cveID', `"${cve}" is not a CVE id`);
  const added = parseDate(str(e.dateAdded));
  if (!added)
    return issue(
      'dateAdded',
      `unparseable date "${typeof e.dateAdded === 'string' ? e.dateAdded : JSON.stringify(e.dateAdded ?? null)}"`,
    );
  const due = str(e.dueDate);
  const dueIso = due ? parseDate(due) : undefined;
  if (due && !dueIso) return issue('dueDate', `unparseable date "${due}"`);
  const ransom = str(e.knownRansomwareCampaignUse);
  if (ransom && ransom !== 'Known' && ransom !== 'Unknown')
    return issue('knownRansomwareCampaignUse', `expected Known or Unknown, got "${ransom}"`);
  const cwes = cwesOf(e.cwes).filter((c) => /^CWE-\d+$/.test(c));
  const requiredAction = str(e.requiredAction);
  const record: SourceRecord = {
    source: 'kev',
    key: cve,
    aliases: [cve],
    state: 'published',
    titleEn: str(e.vulnerabilityName),
    descriptionEn: str(e.shortDescription),
    products: [{ vendor: str(e.vendorProject) ?? '', product: str(e.product) ?? '', versions: [] }],
    weaknesses: cwes.map((cwe) => ({ cwe, source: 'kev' as const })),
    cvss: [],
    exploited: {
      dateAdded: added,
      ransomware: ransom === 'Known',
      ...(dueIso ? { dueDate: dueIso } : {}),
      ...(requiredAction ? { requiredAction } : {}),
      source: 'CISA KEV',
    },
    pocAvailable: true,
    // The catalogue gives no publication date; dateAdded stands in when no other source gives one (the
    // merge prefers CNVD's and the CVE record's), so a KEV-only record is not dated 1970.
    dates: { published: added },
    // Notes separate URLs by `;`, `,` or a stray `",`: what ends a URL is not part of it.
    references: Array.from(
      new Set((str(e.notes)?.match(URL_RE) ?? []).map((u) => u.replace(/[,"']+$/, '')).filter(Boolean)),
    ).map((url) => ({ url })),
    credits: [],
    raw: JSON.stringify(canonicalKevEntry(e)),
  };
  for (const k of Object.keys(record) as Array<keyof SourceRecord>)
    if (record[k] === undefined) delete record[k];
  return { ok: true, file, index, record };
}

export async function* parseKev(file: string): AsyncGenerator<ParseItem> {
  let entries: KevEntry[];
  try {
    const text = await readFile(file, 'utf8');
    if (file.toLowerCase().endsWith('.csv')) {
      entries = parseCsv<KevEntry>(text, { columns: true, skip_empty_lines: true, bom: true });
      if (entries.length > 0 && !('cveID' in (entries[0] ?? {})))
        throw new Error('no cveID column: not the KEV catalogue CSV');
    } else {
      const doc = JSON.parse(text) as { vulnerabilities?: unknown };
      if (!doc || typeof doc !== 'object' || !Array.isArray(doc.vulnerabilities))
        throw new Error('no "vulnerabilities" array: not the KEV catalogue');
      // (catalogVersion is not kept on the records: it changes with every release of the catalogue, so each
      // record would look updated whenever CISA publishes, and the CSV has none.)
      entries = doc.vulnerabilities as KevEntry[];
    }
  } catch (e) {
    yield {
      ok: false,
      file,
      issue: {
        file,
        message: `cannot read the KEV catalogue: ${e instanceof Error ? e.message : String(e)}`,
      },
    };
    return;
  }
  let i = 0;
  for (const e of entries) {
    i++;
    yield e && typeof e === 'object'
      ? kevEntryToRecord(e, file, i)
      : { ok: false, file, index: i, issue: { file, record: `#${i}`, message: 'entry is not an object' } };
  }
}
