/**
 * CNVD share XML (root <vulnerabilitys>, records <vulnerability>) → SourceRecords, streaming: the file is
 * fed to saxes in chunks and each record's XML is kept verbatim. DOCTYPE / entity declarations are refused
 * before anything is expanded (XXE, entity-expansion bombs). A malformed file yields the records completed
 * before the fault, then one issue with line:column.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';
import type { ImportIssue, ParseItem, Severity, SourceRecord, VulnKind } from '../vulns/model.js';
import { parseDate } from './dates.js';

export const CNVD_SEVERITY: Record<string, Severity> = { 高: 'high', 中: 'medium', 低: 'low' };

/** isEvent values → kind. */
export const CNVD_KIND: Array<{ match: RegExp; kind: VulnKind }> = [
  { match: /事件/, kind: 'event' },
  { match: /通用/, kind: 'general' },
];

/**
 * formalWay phrases → zero-day (no fix existed when the record was collected). First match wins;
 * "not yet" phrases are checked before "released" ones.
 */
export const ZERO_DAY_PHRASES: Array<{ phrase: string; zeroDay: boolean }> = [
  { phrase: '尚未提供', zeroDay: true },
  { phrase: '暂未提供', zeroDay: true },
  { phrase: '暂未发布', zeroDay: true },
  { phrase: '还没有提供补丁', zeroDay: true },
  { phrase: '没有详细解决方案', zeroDay: true },
  { phrase: '没有详细的解决方案', zeroDay: true },
  { phrase: '已发布', zeroDay: false },
  { phrase: '已经发布', zeroDay: false },
  { phrase: '已提供', zeroDay: false },
  { phrase: '发布了', zeroDay: false },
  { phrase: '安全公告', zeroDay: false },
  { phrase: '安全补丁', zeroDay: false },
];

export function zeroDayFromSolution(text: string | undefined): boolean | undefined {
  if (!text) return undefined;
  return ZERO_DAY_PHRASES.find((p) => text.includes(p.phrase))?.zeroDay;
}

/** CVE ids as CNVD sometimes writes them ("CVE 2022 26923", "cve-2022-1") → "CVE-2022-26923". */
export function normaliseCveId(s: string): string {
  const m = /^\s*CVE[\s_-]*(\d{4})[\s_-]*(\d{4,})\s*$/i.exec(s);
  return m ? `CVE-${m[1] ?? ''}-${m[2] ?? ''}` : s.trim();
}

const URL_RE = /https?:\/\/[^\s；;，,<>"]+/g;
const clean = (s: string | undefined) =>
  s === undefined ? undefined : s.replace(/\r\n?/g, '\n').trim() || undefined;

interface Draft {
  fields: Map<string, string>;
  cves: string[];
  cveUrls: string[];
  bids: string[];
  products: string[];
  extra: Record<string, string>;
}

const LEAVES = new Set([
  'number',
  'title',
  'serverity',
  'isEvent',
  'submitTime',
  'openTime',
  'referenceLink',
  'formalWay',
  'description',
  'patchName',
  'patchDescription',
  'discovererName',
]);
const CONTAINERS = new Set(['cves', 'cve', 'bids', 'bid', 'products']);

/** Map one record's elements to a SourceRecord, or the first problem found. */
export function cnvdDraftToRecord(
  d: Draft,
  raw: string,
  file: string,
  index: number,
): { record: SourceRecord } | { issue: ImportIssue } {
  const number = clean(d.fields.get('number'));
  const at = (field: string, message: string): { issue: ImportIssue } => ({
    issue: { file, record: number ?? `#${index}`, field, message },
  });
  if (!number) return at('number', 'missing <number>');
  if (!/^CNVD-\d{4}-\d{4,6}$/.test(number))
    return at('number', `"${number}" is not a CNVD id (CNVD-YYYY-NNNNN)`);
  const title = clean(d.fields.get('title'));
  if (!title) return at('title', 'missing <title>');
  const sevRaw = clean(d.fields.get('serverity'));
  const severity = sevRaw === undefined ? undefined : CNVD_SEVERITY[sevRaw];
  if (sevRaw !== undefined && !severity)
    return at('serverity', `unknown severity "${sevRaw}" (expected 高, 中 or 低)`);
  const isEvent = clean(d.fields.get('isEvent'));
  const kind = isEvent === undefined ? 'general' : CNVD_KIND.find((k) => k.match.test(isEvent))?.kind;
  if (!kind) return at('isEvent', `unknown isEvent "${isEvent ?? ''}"`);
  const dates: SourceRecord['dates'] = {};
  for (const [field, key] of [
    ['submitTime', 'submitted'],
    ['openTime', 'published'],
  ] as const) {
    const v = clean(d.fields.get(field));
    if (v === undefined) continue;
    const iso = parseDate(v);
    if (!iso) return at(field, `unparseable date "${v}"`);
    dates[key] = iso;
  }
  // The share XML has no collection date; openTime is the nearest (CNVD's bulletins count a week's records by it).
  if (dates.published) dates.collected = dates.published;
  for (const c of d.cves)
    if (!/^CVE-\d{4}-\d{4,}$/.test(c)) return at('cves/cve/cveNumber', `"${c}" is not a CVE id`);
  for (const b of d.bids)
    if (!/^\d{1,7}$/.test(b)) return at('bids/bid/bidNumber', `"${b}" is not a BugTraq id`);
  const solution = clean(d.fields.get('formalWay'));
  const refText = d.fields.get('referenceLink') ?? '';
  const references = Array.from(new Set([...(refText.match(URL_RE) ?? []), ...d.cveUrls])).map((url) => ({
    url,
  }));
  const patchName = clean(d.fields.get('patchName'));
  const patchDescription = clean(d.fields.get('patchDescription'));
  const patchUrl = solution?.match(URL_RE)?.[0];
  const discoverer = clean(d.fields.get('discovererName'));
  const zeroDay = zeroDayFromSolution(solution);
  const record: SourceRecord = {
    source: 'cnvd',
    key: number,
    aliases: Array.from(new Set([number, ...d.cves, ...d.bids.map((b) => `BID-${b}`)])),
    state: 'published',
    titleZh: title,
    descriptionZh: clean(d.fields.get('description')),
    products: d.products
      .map((p) => p.trim())
      .filter(Boolean)
      .map((raw) => ({ vendor: '', product: '', versions: [], raw })),
    weaknesses: [],
    cvss: [],
    severity,
    kind,
    dates,
    solution,
    ...(patchName || patchDescription || patchUrl
      ? {
          patch: {
            ...(patchName ? { name: patchName } : {}),
            ...(patchDescription ? { description: patchDescription } : {}),
            ...(patchUrl ? { url: patchUrl } : {}),
          },
        }
      : {}),
    ...(zeroDay === undefined ? {} : { zeroDay }),
    references,
    credits: discoverer ? [discoverer] : [],
    ...(Object.keys(d.extra).length ? { extra: { unknownElements: d.extra } } : {}),
    raw,
  };
  for (const k of Object.keys(record) as Array<keyof SourceRecord>)
    if (record[k] === undefined) delete record[k];
  return { record };
}

export async function* parseCnvdXml(file: string): AsyncGenerator<ParseItem> {
  const parser = new SaxesParser({ position: true });
  const queue: ParseItem[] = [];
  let fatal: ImportIssue | null = null;
  let index = 0;
  let pending = ''; // text fed since the current record began (or since the last record ended)
  let pendingOffset = 0; // stream position (UTF-16 units) of pending[0]
  let recordStart = -1;
  let draft: Draft | null = null;
  let leaf: string | null = null;
  let text = '';
  const stack: string[] = [];
  let sawRoot = false;

  parser.on('doctype', () => {
    fatal ??= {
      file,
      message:
        'DOCTYPE / entity declarations are refused (XXE and entity-expansion protection); nothing was read from this file',
    };
  });
  parser.on('error', (e) => {
    fatal ??= {
      file,
      ...(draft ? { record: draft.fields.get('number') ?? `#${index}` } : {}),
      message: `malformed XML: ${e.message}`,
    };
  });
  parser.on('opentag', (tag) => {
    stack.push(tag.name);
    if (fatal) return;
    if (stack.length === 1) {
      sawRoot = true;
      if (tag.name !== 'vulnerabilitys')
        fatal ??= { file, message: `root element is <${tag.name}>, expected <vulnerabilitys>` };
      return;
    }
    if (tag.name === 'vulnerability' && stack.length === 2) {
      index++;
      draft = { fields: new Map(), cves: [], cveUrls: [], bids: [], products: [], extra: {} };
      recordStart = pending.lastIndexOf('<vulnerability', parser.position - pendingOffset);
      return;
    }
    if (draft) {
      leaf = tag.name;
      text = '';
    }
  });
  parser.on('text', (t) => {
    if (leaf) text += t;
  });
  parser.on('cdata', (t) => {
    if (leaf) text += t;
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    const d = draft;
    if (!d) return;
    if (tag.name === 'vulnerability' && stack.length === 1) {
      const endTag = '</vulnerability>';
      const end = pending.indexOf(endTag, Math.max(0, recordStart)) + endTag.length;
      const raw = recordStart >= 0 && end >= endTag.length ? pending.slice(recordStart, end) : '';
      pending = pending.slice(end);
      pendingOffset += end;
      recordStart = -1;
      const r = cnvdDraftToRecord(d, raw, file, index);
      if (!fatal)
        queue.push(
          'record' in r
            ? { ok: true, file, index, record: r.record }
            : { ok: false, file, index, issue: r.issue },
        );
      draft = null;
      return;
    }
    const parent = stack.at(-1);
    if (leaf === tag.name) {
      if (tag.name === 'cveNumber' && parent === 'cve') d.cves.push(normaliseCveId(text));
      else if (tag.name === 'cveUrl' && parent === 'cve') d.cveUrls.push(text.trim());
      else if (tag.name === 'bidNumber' && parent === 'bid') d.bids.push(text.trim());
      else if (tag.name === 'product' && parent === 'products') d.products.push(text);
      else if (LEAVES.has(tag.name)) d.fields.set(tag.name, text);
      else if (!CONTAINERS.has(tag.name)) d.extra[tag.name] = text;
      leaf = null;
    }
  });

  try {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
    for await (const chunk of stream as AsyncIterable<string>) {
      pending += chunk;
      parser.write(chunk);
      if (!draft && recordStart < 0 && pending.length > 1 << 20) {
        pendingOffset += pending.length - 64;
        pending = pending.slice(-64);
      }
      while (queue.length) yield queue.shift() as ParseItem;
      if (fatal) break;
    }
    if (!fatal) parser.close();
  } catch (e) {
    fatal ??= { file, message: e instanceof Error ? e.message : String(e) };
  }
  while (queue.length) yield queue.shift() as ParseItem;
  if (!fatal && !sawRoot) fatal = { file, message: 'empty file: no <vulnerabilitys> root element' };
  if (fatal) {
    const where = `line ${parser.line}, column ${parser.column}`;
    yield {
      ok: false,
      file,
      ...(draft ? { index } : {}),
      issue: {
        ...fatal,
        message: fatal.message.includes('line') ? fatal.message : `${fatal.message} (at ${where})`,
      },
    };
  }
}
