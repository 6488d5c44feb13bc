/** Test data factories: small SourceRecords and ParseItem streams. */
import type { ParseItem, SourceRecord } from '../vulns/model.js';

export function cnvdRecord(key: string, over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    source: 'cnvd',
    key,
    aliases: [key, ...(over.aliases ?? [])],
    state: 'published',
    titleZh: `Tenda AC18缓冲区溢出漏洞（${key}）`,
    descriptionZh: 'Tenda AC18是中国腾达（Tenda）公司的一款无线路由器。Tenda AC18存在缓冲区溢出漏洞。',
    products: [{ vendor: '', product: '', versions: [], raw: 'Tenda AC18 V15.03.05.19' }],
    weaknesses: [],
    cvss: [],
    severity: 'high',
    kind: 'general',
    dates: { submitted: '2023-01-02', collected: '2023-01-09', published: '2023-01-09' },
    references: [],
    credits: [],
    raw: `<vulnerability><number>${key}</number></vulnerability>`,
    ...over,
    ...(over.aliases ? { aliases: [key, ...over.aliases] } : {}),
  };
}

export function cveRecord(key: string, over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    source: 'cve',
    key,
    aliases: [key],
    state: 'published',
    titleEn: 'Tenda AC18 stack-based buffer overflow in formSetSpeedWan',
    descriptionEn: 'A stack-based buffer overflow in Tenda AC18 allows remote attackers to execute code.',
    products: [{ vendor: 'Tenda', product: 'AC18', versions: ['15.03.05.19'] }],
    weaknesses: [{ cwe: 'CWE-121', nameEn: 'Stack-based Buffer Overflow' }],
    cvss: [{ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', provider: 'cna' }],
    dates: { published: '2023-01-05T10:00:00.000Z', updated: '2023-02-01T00:00:00.000Z' },
    references: [{ url: `https://example.org/${key}` }],
    credits: [],
    raw: JSON.stringify({ cveMetadata: { cveId: key } }),
    ...over,
  };
}

export function kevRecord(key: string, over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    source: 'kev',
    key,
    aliases: [key],
    state: 'published',
    titleEn: 'Tenda AC18 Buffer Overflow Vulnerability',
    products: [{ vendor: 'Tenda', product: 'AC18', versions: [] }],
    weaknesses: [],
    cvss: [],
    exploited: { dateAdded: '2023-03-01', ransomware: true, source: 'CISA KEV' },
    dates: {},
    references: [],
    credits: [],
    raw: JSON.stringify({ cveID: key }),
    ...over,
  };
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async source, like the real parsers
export async function* itemsOf(
  records: Array<SourceRecord | { bad: string; field: string }>,
  file = 'test.input',
): AsyncGenerator<ParseItem> {
  let index = 0;
  for (const r of records) {
    index++;
    if ('bad' in r)
      yield { ok: false, file, index, issue: { file, record: r.bad, field: r.field, message: 'bad value' } };
    else yield { ok: true, file, index, record: r };
  }
}
