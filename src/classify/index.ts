/** Classification where a source gives none: fills what is missing, never overwrites what a source stated. */
import type { SourceRecord, WeaknessSource } from '../vulns/model.js';
import { industriesOf } from './industries.js';
import { objectTypeOf } from './object-types.js';
import { parseProductString } from './products.js';
import { weaknessFromEnglish, weaknessFromTitle } from './weaknesses.js';

export { vendorKey, vendorDisplay, VENDOR_ALIASES, MULTI_WORD_VENDORS } from './vendors.js';
export { parseProductString } from './products.js';
export { weaknessFromTitle, weaknessFromEnglish, WEAKNESS_RULES } from './weaknesses.js';
export { objectTypeOf, introPhrase, OBJECT_TYPE_RULES } from './object-types.js';
export { industriesOf, INDUSTRY_RULES } from './industries.js';

export function classifyRecord(rec: SourceRecord): SourceRecord {
  const products = rec.products.map((p) =>
    !p.vendor && p.raw ? { ...parseProductString(p.raw), ...(p.cpes ? { cpes: p.cpes } : {}) } : p,
  );
  // A source that states no CWE gets one from its text: CNVD's title names the weakness itself (CNVD's
  // statement, mapped to a CWE by the table); anything else is the platform's inference, marked so.
  let weaknesses = rec.weaknesses;
  if (!weaknesses.some((w) => w.cwe)) {
    const fromTitle = rec.titleZh ? weaknessFromTitle(rec.titleZh) : undefined;
    const found = fromTitle ?? weaknessFromEnglish(`${rec.titleEn ?? ''} ${rec.descriptionEn ?? ''}`);
    const source: WeaknessSource = rec.source === 'cnvd' && fromTitle ? 'cnvd' : 'inferred';
    if (found && (found.cwe || weaknesses.length === 0)) weaknesses = [...weaknesses, { ...found, source }];
  }
  const withProducts = { ...rec, products, weaknesses };
  if (rec.state === 'rejected') return withProducts;
  const objectType = rec.objectType ?? objectTypeOf(withProducts);
  const industries = rec.industries ?? industriesOf(withProducts, objectType);
  return { ...withProducts, objectType, industries };
}
