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

/**
 * Size limits of the parser, for hostile or broken files. Real CNVD fields are a few KB; the largest real
 * record of 2014–2023 is under 100 KB.
 */
export interface CnvdLimits {
  /** A text field longer than this (characters) is dropped with a warning; <number> or <title> refuses its record. */
  maxFieldChars: number;
  /** The XML parser holds a field whole until it ends: one longer than this stops the file with an error. */
  maxFieldCharsHard: number;
  /** A record's XML (dropped fields left out) longer than this refuses the record. */
  maxRecordChars: number;
  /** Repeated elements of one record (products, cves, bids) past this many are dropped with a warning. */
  maxListItems: number;
}

export const CNVD_LIMITS: CnvdLimits = {
  maxFieldChars: 1024 * 1024,
  maxFieldCharsHard: 64 * 1024 * 1024,
  maxRecordChars: 16 * 1024 * 1024,
  maxListItems: 10_000,
};

/** Where an alias CNVD wrote in cveNumber or bidNumber belongs; `note` says what was moved or repaired. */
export type AliasVerdict = { aliases: string[]; note?: string } | { dropped: string };

const CVE_ID_RE = /^CVE-\d{4}-\d{4,}$/;

/**
 * An alias as CNVD writes it, in whichever field it stands: a CVE id is a CVE id wherever it stands, an
 * Exploit-DB id ("EDB-ID:40995") is EDB-40995, a bare number (or "/92276", "BID-92276", a SecurityFocus
 * link) is a BugTraq id. Anything else is dropped. Rules are checked in order.
 */
export function aliasOf(value: string, field: 'cveNumber' | 'bidNumber'): AliasVerdict {
  const v = value.trim();
  const cve = normaliseCveId(v);
  if (CVE_ID_RE.test(cve))
    return field === 'cveNumber' ? { aliases: [cve] } : { aliases: [cve], note: `a CVE id: kept as ${cve}` };
  const parts = v
    .split(/[\s,，;；、]+/)
    .filter(Boolean)
    .map(normaliseCveId);
  if (parts.length > 1 && parts.every((x) => CVE_ID_RE.test(x)))
    return { aliases: parts, note: `several CVE ids in one field: kept as ${parts.join(', ')}` };
  const edb = /^(?:EDB|Exploit-?DB)(?:[\s_-]*ID)?[\s:：#_-]*(\d{1,7})$/i.exec(v);
  if (edb) return { aliases: [`EDB-${edb[1] ?? ''}`], note: `an Exploit-DB id: kept as EDB-${edb[1] ?? ''}` };
  const bid =
    /^(?:(?:BID|BugTraq)(?:[\s_-]*ID)?[\s:：#_-]*)?[/\\]?\s*(\d{1,7})$/i.exec(v) ??
    /securityfocus\.com\/bid\/(\d{1,7})\b/i.exec(v);
  if (bid) {
    const id = `BID-${bid[1] ?? ''}`;
    if (field === 'cveNumber') return { aliases: [id], note: `a BugTraq id: kept as ${id}` };
    return /^\d+$/.test(v) ? { aliases: [id] } : { aliases: [id], note: `read as ${id}` };
  }
  return { dropped: `is not a CVE, BugTraq or Exploit-DB id: dropped` };
}

/** Show a value in a message without pasting a megabyte into it. */
export const excerpt = (s: string, n = 80) =>
  JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s) + (s.length > n ? ` (${s.length} characters)` : '');

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
  /** Fields over CnvdLimits.maxFieldChars, with their length; their text was not kept. */
  oversized: Array<{ field: string; chars: number }>;
  /** Repeated elements dropped past CnvdLimits.maxListItems, by field. */
  overflow: Map<string, number>;
  /** The record's XML passed CnvdLimits.maxRecordChars: it is refused. */
  tooLarge: boolean;
}

const newDraft = (): Draft => ({
  fields: new Map(),
  cves: [],
  cveUrls: [],
  bids: [],
  products: [],
  extra: {},
  oversized: [],
  overflow: new Map(),
  tooLarge: false,
});

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

/**
 * The links of a referenceLink text. What is not a link is dropped and a link with junk before its scheme
 * (":https://", "hhttps://") is read from its scheme on; "ttps://" lost its "h" and is repaired to
 * "https://" (the rest of such a link is intact in every case seen). Each change is noted for a warning.
 */
export function referenceLinks(text: string): { urls: string[]; notes: string[] } {
  const urls: string[] = [];
  const notes: string[] = [];
  for (const token of text.split(/[\s；;，,]+/)) {
    if (!token) continue;
    const found = token.match(URL_RE);
    if (found) {
      urls.push(...found);
      const first = found[0] ?? '';
      if (!token.startsWith(first)) notes.push(`read ${excerpt(token)} as ${excerpt(first)}`);
    } else if (/^ttps?:\/\/[^/\s]/i.test(token)) {
      const url = `h${token}`.match(URL_RE)?.[0];
      if (url) {
        urls.push(url);
        notes.push(`repaired ${excerpt(token)} to ${excerpt(url)}`);
      }
    } else if (/[\p{L}\p{N}]/u.test(token)) notes.push(`dropped ${excerpt(token)}: not a link`);
  }
  return { urls, notes };
}

const limitText = (n: number) => n.toLocaleString('en-US');

/** Map one record's elements to a SourceRecord (with warnings for values dropped or moved), or the first problem found. */
export function cnvdDraftToRecord(
  d: Draft,
  raw: string,
  file: string,
  index: number,
  limits: CnvdLimits = CNVD_LIMITS,
): { record: SourceRecord; warnings: ImportIssue[] } | { issue: ImportIssue } {
  const bigNumber = d.oversized.some((o) => o.field === 'number');
  const number = bigNumber ? undefined : clean(d.fields.get('number'));
  const at = (field: string, message: string): { issue: ImportIssue } => ({
    issue: { file, record: number ?? `#${index}`, field, message },
  });
  const warnings: ImportIssue[] = [];
  const warn = (field: string, message: string) =>
    warnings.push({ file, record: number ?? `#${index}`, field, message });
  if (d.tooLarge)
    return at(
      '',
      `the record's XML is over ${limitText(limits.maxRecordChars)} characters (fields over the limit left out): not imported`,
    );
  for (const o of d.oversized) {
    const message = `${limitText(o.chars)} characters, over the ${limitText(limits.maxFieldChars)}-character limit of a field`;
    if (o.field === 'number' || o.field === 'title') return at(o.field, `${message}: the record is refused`);
    warn(o.field, `${message}: the value was dropped`);
  }
  for (const [field, n] of d.overflow)
    warn(field, `${limitText(n)} more than the ${limitText(limits.maxListItems)} kept were dropped`);
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
  const aliases: string[] = [];
  for (const [values, field, path] of [
    [d.cves, 'cveNumber', 'cves/cve/cveNumber'],
    [d.bids, 'bidNumber', 'bids/bid/bidNumber'],
  ] as const)
    for (const value of values) {
      if (!value.trim()) continue;
      const v = aliasOf(value, field);
      if ('dropped' in v) warn(path, `${excerpt(value.trim())} ${v.dropped}`);
      else {
        aliases.push(...v.aliases);
        if (v.note) warn(path, `${excerpt(value.trim())} is ${v.note}`);
      }
    }
  const solution = clean(d.fields.get('formalWay'));
  const links = referenceLinks(d.fields.get('referenceLink') ?? '');
  if (links.notes.length) warn('referenceLink', links.notes.join('; '));
  const cveUrls: string[] = [];
  for (const u of d.cveUrls) {
    if (!u) continue;
    const url = u.match(URL_RE)?.[0] ?? (/^ttps?:\/\//i.test(u) ? `h${u}`.match(URL_RE)?.[0] : undefined);
    if (url) cveUrls.push(url);
    if (url !== u)
      warn(
        'cves/cve/cveUrl',
        url ? `read ${excerpt(u)} as ${excerpt(url)}` : `dropped ${excerpt(u)}: not a link`,
      );
  }
  const references = Array.from(new Set([...links.urls, ...cveUrls])).map((url) => ({ url }));
  const patchName = clean(d.fields.get('patchName'));
  const patchDescription = clean(d.fields.get('patchDescription'));
  const patchUrl = solution?.match(URL_RE)?.[0];
  const discoverer = clean(d.fields.get('discovererName'));
  const zeroDay = zeroDayFromSolution(solution);
  const record: SourceRecord = {
    source: 'cnvd',
    key: number,
    aliases: Array.from(new Set([number, ...aliases])),
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
  return { record, warnings };
}

/** What the raw XML keeps of a field over the limit, in place of its text. */
const droppedMarker = (chars: number) =>
  `[vulnshare: ${limitText(chars)} characters dropped, over the field limit]`;

export async function* parseCnvdXml(
  file: string,
  limits: CnvdLimits = CNVD_LIMITS,
): AsyncGenerator<ParseItem> {
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
  // The open leaf: where its text starts (stream position) and its length so far. Text of a leaf over the
  // limit is cut out of `pending` as it arrives: `leafCut` characters of the stream after leafStartPos are
  // missing from it (positions after the cut are at index position - pendingOffset - leafCut).
  let leafStartPos = 0;
  let leafChars = 0;
  let leafCut = 0;
  const stack: string[] = [];
  let sawRoot = false;
  const recordId = () => (draft ? (clean(draft.fields.get('number')) ?? `#${index}`) : undefined);

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
      ...(draft ? { record: recordId() } : {}),
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
      draft = newDraft();
      recordStart = pending.lastIndexOf('<vulnerability', parser.position - pendingOffset);
      return;
    }
    if (draft) {
      leaf = tag.name;
      text = '';
      leafStartPos = parser.position;
      leafChars = 0;
      leafCut = 0;
    }
  });
  const onText = (t: string) => {
    if (!leaf) return;
    leafChars += t.length;
    if (leafChars <= limits.maxFieldChars) text += t;
    else text = '';
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    stack.pop();
    const d = draft;
    if (!d) return;
    if (tag.name === 'vulnerability' && stack.length === 1) {
      const endTag = '</vulnerability>';
      const end = d.tooLarge
        ? parser.position - pendingOffset
        : pending.indexOf(endTag, Math.max(0, recordStart)) + endTag.length;
      const raw =
        !d.tooLarge && recordStart >= 0 && end >= endTag.length ? pending.slice(recordStart, end) : '';
      pending = pending.slice(Math.max(0, end));
      pendingOffset += Math.max(0, end);
      recordStart = -1;
      const r = cnvdDraftToRecord(d, raw, file, index, limits);
      if (!fatal)
        queue.push(
          'record' in r
            ? {
                ok: true,
                file,
                index,
                record: r.record,
                ...(r.warnings.length ? { warnings: r.warnings } : {}),
              }
            : { ok: false, file, index, issue: r.issue },
        );
      draft = null;
      return;
    }
    const parent = stack.at(-1);
    if (leaf === tag.name) {
      leaf = null;
      const path = parent && CONTAINERS.has(parent) ? `${stack.slice(2).join('/')}/${tag.name}` : tag.name;
      if (leafChars > limits.maxFieldChars) {
        d.oversized.push({ field: path, chars: leafChars });
        // Leave the field's text out of the raw XML too, with a marker saying so.
        if (!d.tooLarge) {
          const start = leafStartPos - pendingOffset;
          const textEnd = pending.lastIndexOf('</', parser.position - pendingOffset - leafCut - 1);
          if (start >= 0 && textEnd >= start) {
            const marker = droppedMarker(leafChars);
            pending = pending.slice(0, start) + marker + pending.slice(textEnd);
            pendingOffset += leafCut + textEnd - start - marker.length;
            leafCut = 0;
          }
        }
        return;
      }
      const list = (items: string[], value: string) => {
        if (items.length < limits.maxListItems) items.push(value);
        else d.overflow.set(path, (d.overflow.get(path) ?? 0) + 1);
      };
      if (tag.name === 'cveNumber' && parent === 'cve') list(d.cves, text);
      else if (tag.name === 'cveUrl' && parent === 'cve') list(d.cveUrls, text.trim());
      else if (tag.name === 'bidNumber' && parent === 'bid') list(d.bids, text);
      else if (tag.name === 'product' && parent === 'products') list(d.products, text);
      else if (LEAVES.has(tag.name)) d.fields.set(tag.name, text);
      else if (!CONTAINERS.has(tag.name)) d.extra[tag.name] = text;
    }
  });

  try {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
    for await (const chunk of stream as AsyncIterable<string>) {
      pending += chunk;
      parser.write(chunk);
      // (set by the parser's handlers, which the compiler does not follow)
      const d = draft as Draft | null;
      const openLeaf = leaf as string | null;
      if (d && openLeaf && !fatal) {
        // (parser.position is not exact between writes; the end of what was fed is.)
        const open = pendingOffset + leafCut + pending.length - leafStartPos;
        if (open > limits.maxFieldCharsHard)
          fatal = {
            file,
            record: recordId() ?? `#${index}`,
            field: openLeaf,
            message: `<${openLeaf}> runs past ${limitText(limits.maxFieldCharsHard)} characters; the rest of the file is not read`,
          };
        else if (open > limits.maxFieldChars && !d.tooLarge) {
          // The field is over the limit: what of it is in `pending` will not be kept; cut it now.
          const start = leafStartPos - pendingOffset;
          if (start >= 0 && start < pending.length) {
            leafCut += pending.length - start;
            pending = pending.slice(0, start);
          }
        }
      }
      if (d && !d.tooLarge && recordStart >= 0 && pending.length - recordStart > limits.maxRecordChars) {
        d.tooLarge = true;
        recordStart = -1;
      }
      if ((!draft || d?.tooLarge) && recordStart < 0 && pending.length > 1 << 20) {
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
