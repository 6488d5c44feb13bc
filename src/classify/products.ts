/**
 * CNVD product strings → vendor / product / versions. The string starts with the vendor, often repeated
 * as the product's first word: "IBM IBM Tivoli Storage Manager 5.2.0.1" → IBM / Tivoli Storage Manager / 5.2.0.1.
 * Rule: the vendor is the longest known multi-word vendor at the start, else the first word; a repeat of the
 * vendor at the start of the rest is dropped unless nothing else would remain; trailing version-like words
 * (digits, ranges with < <= > >= *, V1.2, 1.02B05, build numbers) are the versions.
 */
import type { AffectedProduct } from '../vulns/model.js';
import { MULTI_WORD_VENDORS } from './vendors.js';

/**
 * The known multi-word vendors, lower-cased, longest first, grouped by their first word: a product string is
 * compared only with the vendors that start with its own first word (it had been lower-cased and compared with
 * every vendor, twice, for each product string — the largest part of classifying a CNVD record, issue 16).
 */
const vendorsByFirstWord = new Map<string, Array<{ length: number; lower: string }>>();
for (const v of [...MULTI_WORD_VENDORS].sort((a, b) => b.length - a.length)) {
  const lower = v.toLowerCase();
  const first = lower.split(' ')[0] ?? '';
  const list = vendorsByFirstWord.get(first) ?? [];
  list.push({ length: v.length, lower });
  vendorsByFirstWord.set(first, list);
}

/** A word that is (part of) a version or version range. */
export const VERSION_WORD =
  /^(?:[<>]=?|=|≤|≥)?\s*(?:v(?:er(?:sion)?)?\.?\s*)?\d[\w.\-()+_*]*(?:[,，、].*)?$|^[<>]=?\S+$|^\*$|^(?:before|prior|through|and|to|up|earlier|versions?|all|or|及|及之前|之前|以前|版本)$|^\d+(?:\.\d+)*\*?(?:[,，].*)?$/i;

/** Second words that belong to a company name: "Arista Networks", "Hitachi Energy", "Chamilo Association". */
export const CORPORATE_WORDS = new Set([
  'networks',
  'technologies',
  'technology',
  'energy',
  'association',
  'systems',
  'software',
  'labs',
  'security',
  'electric',
  'automation',
  'communications',
  'foundation',
  'solutions',
  'corporation',
  'inc.',
  'inc',
  'ltd.',
  'gmbh',
  'co.,',
  'group',
]);

/** "Dreamer CMS Dreamer CMS v4.1.3": a phrase written twice is both vendor and product. */
function repeatedPhrase(words: string[]): number {
  for (let k = Math.floor(words.length / 2); k >= 2; k--) {
    const a = words.slice(0, k).join(' ').toLowerCase();
    const b = words
      .slice(k, 2 * k)
      .join(' ')
      .toLowerCase();
    if (a === b) return k;
  }
  return 0;
}

export function parseProductString(input: string): AffectedProduct {
  const raw = input;
  const s = input.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (!s) return { vendor: '', product: '', versions: [], raw };
  let vendor: string;
  let rest: string;
  const all = s.split(' ');
  const rep = repeatedPhrase(all);
  const lower = s.toLowerCase();
  const multi = vendorsByFirstWord
    .get(lower.split(' ', 1)[0] ?? '')
    ?.find((v) => lower.startsWith(v.lower + ' ') || lower === v.lower);
  if (rep > 0) {
    vendor = all.slice(0, rep).join(' ');
    rest = all.slice(rep).join(' ');
  } else if (!multi && all.length > 2 && CORPORATE_WORDS.has((all[1] ?? '').toLowerCase())) {
    vendor = all.slice(0, 2).join(' ');
    rest = all.slice(2).join(' ');
  } else if (multi) {
    vendor = s.slice(0, multi.length);
    rest = s.slice(multi.length).trim();
  } else {
    const sp = s.indexOf(' ');
    vendor = sp < 0 ? s : s.slice(0, sp);
    rest = sp < 0 ? '' : s.slice(sp + 1).trim();
  }
  // Versions: trailing words that look like versions.
  const words = rest.split(' ').filter(Boolean);
  let cut = words.length;
  while (cut > 0 && VERSION_WORD.test(words[cut - 1] ?? '')) cut--;
  // keep at least one product word when the vendor was not repeated ("Pexip Infinity <10")
  let productWords = words.slice(0, cut);
  let versionWords = words.slice(cut);
  if (
    productWords.length === 0 &&
    versionWords.length > 0 &&
    !/^[<>=*]/.test(versionWords[0] ?? '') &&
    !/^\d/.test(versionWords[0] ?? '')
  ) {
    productWords = [versionWords[0] ?? ''];
    versionWords = versionWords.slice(1);
  }
  let product = productWords.join(' ');
  // drop the repeated vendor: "IBM IBM Tivoli…" → "Tivoli…"; but "Pexip Pexip Infinity" keeps "Pexip Infinity"? No: the
  // issue's rule (IBM example) drops it, so it is dropped here too, unless the product would then be empty.
  const vLower = vendor.toLowerCase();
  if (product.toLowerCase().startsWith(vLower + ' ')) product = product.slice(vendor.length).trim();
  else if (product.toLowerCase() === vLower) product = vendor;
  if (!product) product = vendor;
  const versions = versionWords.length ? [versionWords.join(' ')] : [];
  return { vendor, product, versions, raw };
}
