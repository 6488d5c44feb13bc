/** Classification where a source gives none: fills what is missing, never overwrites what a source stated. */
import type { SourceRecord } from '../vulns/model.js';
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
  let weaknesses = rec.weaknesses;
  if (weaknesses.length === 0) {
    const w =
      (rec.titleZh ? weaknessFromTitle(rec.titleZh) : undefined) ??
      weaknessFromEnglish(`${rec.titleEn ?? ''} ${rec.descriptionEn ?? ''}`);
    if (w) weaknesses = [w];
  }
  const withProducts = { ...rec, products, weaknesses };
  if (rec.state === 'rejected') return withProducts;
  const objectType = rec.objectType ?? objectTypeOf(withProducts);
  const industries = rec.industries ?? industriesOf(withProducts, objectType);
  return { ...withProducts, objectType, industries };
}
