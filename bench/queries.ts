/**
 * Mixed search queries for the benchmark, drawn from the corpus itself (seeded, repeatable): n of the classes
 * ascii / cjk / id / filter, n / 10 facet-count queries and n / 10 text queries in date order.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CJK_TERMS = [
  '缓冲区溢出',
  'SQL注入',
  '跨站脚本',
  '命令注入',
  '路由器',
  '信息泄露',
  '拒绝服务',
  '权限提升',
  '代码执行',
  '文件上传',
  '输入验证错误',
  '访问控制错误',
  '目录遍历',
  '身份验证绕过',
  '内存破坏',
];
const SEVERITY = ['high', 'medium', 'low'];

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (e.endsWith('.json') && e.startsWith('CVE-')) yield p;
  }
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function makeQueries(corpus: string, n: number, seed = 7): Array<Record<string, string>> {
  const ids: string[] = [];
  const vendors: string[] = [];
  const words: string[] = [];
  let k = 0;
  for (const f of walk(corpus)) {
    if (k++ % 97 !== 0) continue;
    const r = JSON.parse(readFileSync(f, 'utf8')) as {
      cveMetadata: { cveId: string };
      containers?: { cna?: { title?: string; affected?: Array<{ vendor?: string; product?: string }> } };
    };
    ids.push(r.cveMetadata.cveId);
    const a = r.containers?.cna?.affected?.[0];
    if (a?.vendor && a.vendor !== 'n/a') vendors.push(a.vendor);
    if (a?.product && a.product !== 'n/a') words.push(a.product.split(/\s+/)[0] ?? '');
    for (const w of (r.containers?.cna?.title ?? '').split(/\W+/))
      if (w.length > 4) words.push(w.toLowerCase());
    if (ids.length >= 3000) break;
  }
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const out: Array<Record<string, string>> = [];
  for (let i = 0; i < n; i++) {
    const x = rand();
    if (x < 0.3)
      out.push({ label: 'ascii', q: rand() < 0.5 ? pick(words) : `${pick(words)} ${pick(words)}` });
    else if (x < 0.5) out.push({ label: 'cjk', q: pick(CJK_TERMS) });
    else if (x < 0.7) out.push({ label: 'id', q: pick(ids) });
    else if (x < 0.8) out.push({ label: 'filter', severity: pick(SEVERITY), vendor: pick(vendors) });
    else if (x < 0.9) out.push({ label: 'filter', q: pick(words), severity: 'high', sort: 'score' });
    else
      out.push({
        label: 'filter',
        exploited: rand() < 0.5 ? 'true' : 'false',
        publishedFrom: '2023-06-01',
        scoreMin: '7',
      });
  }
  // facet counts as the list page asks for them (one row by date, seven facets) beside the results: a tenth more
  // queries, half with a word, a quarter with a Chinese term, a quarter with no query at all (the list's first load)
  const facets = 'severity,objectType,industry,vendor,exploited,zeroDay,kind';
  for (let i = 0; i < Math.round(n / 10); i++) {
    const x = rand();
    const q = x < 0.5 ? pick(words) : x < 0.75 ? pick(CJK_TERMS) : undefined;
    out.push({ label: 'facets', ...(q ? { q } : {}), facets, limit: '1', sort: 'date' });
  }
  // the list sorted by date with words in the box (the newest matches first, not the most relevant): another
  // tenth, drawn after the others so that theirs stay as they were; half one word, a quarter two, a quarter a
  // Chinese term
  for (let i = 0; i < Math.round(n / 10); i++) {
    const x = rand();
    const q = x < 0.5 ? pick(words) : x < 0.75 ? `${pick(words)} ${pick(words)}` : pick(CJK_TERMS);
    out.push({ label: 'date', q, sort: 'date' });
  }
  return out;
}
