/** The indexed columns of a vulnerability row, derived from its merged record. Pure. */
import { createHash } from 'node:crypto';
import { vendorKey } from '../classify/index.js';
import { buildTsvector } from '../search/tokens.js';
import type { VulnerabilitiesTable } from '../db/schema.js';
import type { Vulnerability } from './model.js';
import { calendarDay } from './calendar.js';

/** The columns a merged record decides: the table's row less its identity, bookkeeping and jsonb typing. */
export type VulnRowColumns = Omit<
  VulnerabilitiesTable,
  'id' | 'identity' | 'created_at' | 'modified_at' | 'doc'
> & { doc: string };

export const productKey = (p: string): string =>
  p.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
/** Date columns hold the calendar date in the platform's time zone (a UTC timestamp late on the 22nd is the 23rd in Shanghai). */
const day = (d: string | undefined): string | null => (d ? calendarDay(d) : null);

/** A fix exists: a patch is named or linked, the source says one was released, or a reference is tagged patch. */
export function hasFix(doc: Pick<Vulnerability, 'patch' | 'zeroDay' | 'references'>): boolean {
  return (
    !!(doc.patch?.url || doc.patch?.name) ||
    doc.zeroDay === false ||
    doc.references.some((r) => r.tags?.includes('patch'))
  );
}

export function vulnRow(doc: Vulnerability): VulnRowColumns {
  const docText = JSON.stringify(doc);
  const patchKnown = hasFix(doc);
  return {
    public_id: doc.id,
    state: doc.state,
    doc: docText,
    doc_hash: createHash('sha256').update(docText).digest('hex'),
    aliases: doc.aliases,
    vendors: Array.from(new Set(doc.products.map((p) => vendorKey(p.vendor)).filter(Boolean))),
    products: Array.from(new Set(doc.products.map((p) => productKey(p.product)).filter(Boolean))),
    object_type: doc.objectType,
    industries: doc.industries,
    cwes: Array.from(new Set(doc.weaknesses.map((w) => w.cwe).filter((c): c is string => !!c))),
    sources: Array.from(new Set(doc.sources.map((s) => s.source))),
    score: doc.score,
    severity: doc.severity,
    kind: doc.kind,
    zero_day: doc.zeroDay,
    exploited: doc.exploited !== null,
    poc_available: doc.pocAvailable,
    has_patch: patchKnown,
    submitted_at: day(doc.dates.submitted),
    collected_at: day(doc.dates.collected),
    published_at: day(doc.dates.published),
    updated_at: day(doc.dates.updated),
    sort_date:
      day(doc.dates.published) ?? day(doc.dates.collected) ?? day(doc.dates.submitted) ?? '1970-01-01',
    search: buildTsvector([
      { text: doc.aliases.join(' '), weight: 'A' },
      { text: doc.title.zh, weight: 'A' },
      { text: doc.title.en, weight: 'A' },
      { text: doc.products.map((p) => `${p.vendor} ${p.product}`).join(' ; '), weight: 'B' },
      {
        text: doc.weaknesses.map((w) => [w.cwe, w.nameZh, w.nameEn].filter(Boolean).join(' ')).join(' ; '),
        weight: 'C',
      },
      { text: doc.description.zh, weight: 'D' },
      { text: doc.description.en, weight: 'D' },
    ]),
  };
}
