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
const URL_RE = /https?:\/\/[^\s;]+/g;

export function kevEntryToRecord(
  e: KevEntry,
  file: string,
  index: number,
  extra: Record<string, unknown>,
): ParseItem {
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
  const cwes = (Array.isArray(e.cwes) ? e.cwes.map(String) : (str(e.cwes) ?? '').split(','))
    .map((c) => c.trim())
    .filter((c) => /^CWE-\d+$/.test(c));
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
    dates: {},
    references: Array.from(new Set(str(e.notes)?.match(URL_RE) ?? [])).map((url) => ({ url })),
    credits: [],
    extra,
    raw: JSON.stringify(e),
  };
  for (const k of Object.keys(record) as Array<keyof SourceRecord>)
    if (record[k] === undefined) delete record[k];
  return { ok: true, file, index, record };
}

export async function* parseKev(file: string): AsyncGenerator<ParseItem> {
  let entries: KevEntry[];
  let extra: Record<string, unknown> = {};
  try {
    const text = await readFile(file, 'utf8');
    if (file.toLowerCase().endsWith('.csv')) {
      entries = parseCsv<KevEntry>(text, { columns: true, skip_empty_lines: true, bom: true });
      if (entries.length > 0 && !('cveID' in (entries[0] ?? {})))
        throw new Error('no cveID column: not the KEV catalogue CSV');
    } else {
      const doc = JSON.parse(text) as { vulnerabilities?: unknown; catalogVersion?: unknown };
      if (!doc || typeof doc !== 'object' || !Array.isArray(doc.vulnerabilities))
        throw new Error('no "vulnerabilities" array: not the KEV catalogue');
      entries = doc.vulnerabilities as KevEntry[];
      extra = { catalogVersion: doc.catalogVersion };
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
      ? kevEntryToRecord(e, file, i, extra)
      : { ok: false, file, index: i, issue: { file, record: `#${i}`, message: 'entry is not an object' } };
  }
}
