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
  /** Only one of the two names the affected point. */
  unknownPointCap: 0.4,
  /** Candidates scoring below this are not shown. */
  threshold: 0.45,
} as const;

/** "SetDeviceSettings 函数", "EndTime 参数", "categoryType parameter" and paths like "/content/list.do" → lower-case points. */
export function affectedPoints(text: string): string[] {
  const out = new Set<string>();
  // "IPsecLocalNet 和 IPsecRemoteNet参数", "portMappingServer、portMappingProtocol参数": every name of the list
  for (const m of text.matchAll(
    /(?<![/\w])((?:[A-Za-z_][\w.-]{0,60}\s*(?:、|,|，|和|及|与|\sand\s)\s*)*[A-Za-z_][\w.-]{0,60})\s*(?:参数|函数|方法|字段|\s(?:parameters?|functions?|arguments?|fields?))/g,
  ))
    for (const name of (m[1] ?? '').split(/\s*(?:、|,|，|和|及|与|\sand\s)\s*/))
      if (name.length > 1) out.add(name.toLowerCase());
  // URL paths with their action parameter: /classes/Master.php?f=delete_train
  for (const m of text.matchAll(
    /(?<![\w.])((?:\/[\w.-]+){1,8}\.(?:php|do|action|jsp|aspx?|cgi|html?|json)(?:\?[a-z_]+=[\w-]+)?)/gi,
  ))
    if (m[1]) out.add(m[1].toLowerCase());
  // embedded web servers: /goform/setNetworkLan, /cgi-bin/luci/admin — known roots, no extension
  for (const m of text.matchAll(
    /(?<![\w.])(\/(?:goform|cgi-bin|boaform|HNAP1|api|admin)(?:\/[\w-]+){1,6})(?![\w./])/gi,
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
  // the affected endpoint decides first (paths), then the parameter / function; a shared generic parameter
  // ("id") on two different paths is two vulnerabilities
  const isPath = (p: string) => p.startsWith('/');
  const [ra, rb] = [a.points.filter(isPath), b.points.filter(isPath)];
  const [pa, pb] = [a.points.filter((p) => !isPath(p)), b.points.filter((p) => !isPath(p))];
  const samePath = ra.some((p) => rb.includes(p));
  const sameParam = pa.some((p) => pb.includes(p));
  const differentPath = ra.length > 0 && rb.length > 0 && !samePath;
  const differentParam = pa.length > 0 && pb.length > 0 && !sameParam;
  if ((samePath || sameParam) && !differentPath && !differentParam) s += w.samePoint;
  s += w.titleSimilarity * titleSimilarity(a.title, b.title);
  if (differentPath || differentParam) s = Math.min(s, w.differentPointCap);
  // one names the affected point and the other does not, or they name different kinds (a path, a parameter):
  // possible, but below the threshold
  else if (!(samePath || sameParam) && (a.points.length > 0 || b.points.length > 0))
    s = Math.min(s, w.unknownPointCap);
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
    .filter((c) => c.score >= DEDUP_WEIGHTS.threshold)
    .sort((x, y) => y.score - x.score || x.id.localeCompare(y.id))
    .slice(0, top);
}
