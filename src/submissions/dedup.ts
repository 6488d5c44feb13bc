/**
 * Duplicate candidates for a submission: pure scoring over what a candidate shares with it. Rules, as a table
 * of weights: the same CVE is decisive; otherwise the same product and weakness weigh most, and the affected
 * parameter / function / URL path decides between siblings — D-Link DIR-823G's EndTime and MacAddress buffer
 * overflows are different vulnerabilities, not duplicates.
 */
export interface DedupSubject {
  id: string;
  title: string;
  vendorKey: string | null;
  productKey: string | null;
  cwe: string | null;
  weakness: string | null;
  cveId: string | null;
  /** Affected parameters, functions and URL paths, lower-case. */
  points: string[];
}

export const DEDUP_WEIGHTS = {
  sameCve: 1,
  sameProduct: 0.4,
  sameVendorOnly: 0.1,
  sameWeakness: 0.25,
  samePoint: 0.25,
  titleSimilarity: 0.1,
  /** Both name the affected point and the points differ: a sibling, not a duplicate. */
  differentPointCap: 0.3,
} as const;

/** "SetDeviceSettings 函数", "EndTime 参数", "categoryType parameter" and paths like "/content/list.do" → lower-case points. */
export function affectedPoints(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(
    /(?<![/\w])([A-Za-z_][\w.-]{1,60})\s*(?:参数|函数|方法|字段|\s(?:parameter|function|argument|field))/g,
  ))
    if (m[1]) out.add(m[1].toLowerCase());
  for (const m of text.matchAll(
    /(?:^|[\s(（"'“])((?:\/[\w.-]+){1,8}\.(?:php|do|action|jsp|aspx?|cgi|html?|json))/g,
  ))
    if (m[1]) out.add(m[1].toLowerCase());
  return [...out];
}

function bigrams(s: string): Set<string> {
  const t = s.toLowerCase().replace(/[\s（）()【】[\]"'“”,，。.:：-]+/g, '');
  const out = new Set<string>();
  for (let i = 0; i < t.length - 1; i++) out.add(t.slice(i, i + 2));
  return out;
}
export function titleSimilarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (!x.size || !y.size) return 0;
  let inter = 0;
  for (const g of x) if (y.has(g)) inter++;
  return inter / (x.size + y.size - inter);
}

export function duplicateScore(a: DedupSubject, b: DedupSubject): number {
  const w = DEDUP_WEIGHTS;
  if (a.cveId && b.cveId && a.cveId === b.cveId) return w.sameCve;
  let s = 0;
  if (a.vendorKey && a.vendorKey === b.vendorKey)
    s += a.productKey && a.productKey === b.productKey ? w.sameProduct : w.sameVendorOnly;
  if ((a.cwe && a.cwe === b.cwe) || (a.weakness && a.weakness === b.weakness)) s += w.sameWeakness;
  // parameters / functions decide; URL paths (which siblings often share) count only when neither names one
  const params = (x: DedupSubject) => x.points.filter((p) => !p.startsWith('/'));
  const [pa, pb] = [params(a), params(b)];
  const shared = (pa.length && pb.length ? pa : a.points).filter((p) =>
    (pa.length && pb.length ? pb : b.points).includes(p),
  );
  if (shared.length) s += w.samePoint;
  s += w.titleSimilarity * titleSimilarity(a.title, b.title);
  if (pa.length && pb.length && !shared.length) s = Math.min(s, w.differentPointCap);
  return Math.round(s * 1000) / 1000;
}

export function rankCandidates(
  subject: DedupSubject,
  pool: DedupSubject[],
  top = 3,
): Array<DedupSubject & { score: number }> {
  return pool
    .filter((c) => c.id !== subject.id)
    .map((c) => ({ ...c, score: duplicateScore(subject, c) }))
    .filter((c) => c.score >= 0.35)
    .sort((x, y) => y.score - x.score || x.id.localeCompare(y.id))
    .slice(0, top);
}
