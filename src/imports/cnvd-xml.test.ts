import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseItem, SourceRecord } from '../vulns/model.js';
import { sharedData } from '../test-support/shared-data.js';
import { aliasOf, normaliseCveId, parseCnvdXml, zeroDayFromSolution } from './cnvd-xml.js';

async function collect(file: string): Promise<ParseItem[]> {
  const out: ParseItem[] = [];
  for await (const it of parseCnvdXml(file)) out.push(it);
  return out;
}
const records = (items: ParseItem[]) => items.flatMap((i) => (i.ok ? [i.record] : []));
const issues = (items: ParseItem[]) => items.flatMap((i) => (i.ok ? [] : [i.issue]));

const shareDir = sharedData('cnvd-share-xml');
const dated = sharedData('cnvd-share-xml-dated-2020');

describe.runIf(shareDir)('CNVD share XML 2021-12 … 2023-12 (real files)', () => {
  it('reads all 13,683 records with counts per file and severity equal to index.csv', async () => {
    const index = readFileSync(join(shareDir ?? '', 'index.csv'), 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(','));
    const all: SourceRecord[] = [];
    for (const row of index) {
      const items = await collect(join(shareDir ?? '', row[0] ?? ''));
      expect(issues(items), row[0]).toEqual([]);
      const recs = records(items);
      const sev = (s: string) => recs.filter((r) => r.severity === s).length;
      expect([recs.length, sev('high'), sev('medium'), sev('low')], row[0]).toEqual([
        Number(row[3]),
        Number(row[8]),
        Number(row[9]),
        Number(row[10]),
      ]);
      all.push(...recs);
    }
    expect(all.length).toBe(13683);
    expect(new Set(all.map((r) => r.key)).size).toBe(13683);
    expect(all.filter((r) => r.aliases.some((a) => a.startsWith('CVE-'))).length).toBe(13161);
    expect(all.filter((r) => r.credits.length > 0).length).toBe(567);
    expect(all.filter((r) => r.patch?.name).length).toBe(11325);
    expect(all.every((r) => r.kind === 'general' && r.dates.published && r.dates.submitted)).toBe(true);
  });

  it('repairs the links that lost their "h" and warns about every link it drops or repairs', async () => {
    const dir = join(shareDir ?? '', 'xml');
    const warnings = [];
    const urls = new Set<string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.xml')))
      for (const it of await collect(join(dir, f)))
        if (it.ok) {
          warnings.push(...(it.warnings ?? []));
          for (const r of it.record.references) urls.add(r.url);
        }
    expect(warnings.every((w) => w.field === 'referenceLink' && w.record?.startsWith('CNVD-'))).toBe(true);
    expect(warnings.filter((w) => w.message.includes('repaired "ttps://')).length).toBe(3);
    expect(urls.has('https://cxsecurity.com/cveshow/CVE-2021-24940/')).toBe(true);
    expect(warnings.length).toBeLessThan(40);
  });

  it('keeps every record verbatim as it appears in the file', async () => {
    const f = join(shareDir ?? '', 'xml', '981.xml');
    const text = readFileSync(f, 'utf8');
    const recs = records(await collect(f));
    for (const r of recs) {
      expect(r.raw.startsWith('<vulnerability>')).toBe(true);
      expect(r.raw.endsWith('</vulnerability>')).toBe(true);
      expect(text.includes(r.raw)).toBe(true);
      expect(r.raw).toContain(`<number>${r.key}</number>`);
    }
  });
});

describe.runIf(dated)('CNVD share XML under CNVD file names (2020, with BugTraq ids)', () => {
  it('reads 716 records, 10 with BID aliases', async () => {
    const recs: SourceRecord[] = [];
    for (const f of readdirSync(dated ?? '').filter((x) => x.endsWith('.xml')))
      recs.push(...records(await collect(join(dated ?? '', f))));
    expect(recs.length).toBe(716);
    expect(recs.filter((r) => r.aliases.some((a) => a.startsWith('BID-'))).length).toBe(10);
  });
});

describe('CNVD XML bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnvd-bad-'));
  const write = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  const rec = (n: string, extra = '') =>
    `<vulnerability><number>${n}</number><title>T${n}</title><serverity>高</serverity><isEvent>通用软硬件漏洞</isEvent><submitTime>2023-01-01</submitTime><openTime>2023-01-02</openTime>${extra}</vulnerability>`;

  it('refuses an external entity (XXE) without reading it', async () => {
    const f = write(
      'xxe.xml',
      `<?xml version="1.0"?><!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">]><vulnerabilitys>${rec('CNVD-2023-00001', '<description>&x;</description>')}</vulnerabilitys>`,
    );
    const items = await collect(f);
    expect(records(items)).toEqual([]);
    expect(issues(items)[0]).toMatchObject({
      file: f,
      message: expect.stringMatching(/DOCTYPE.*refused/) as unknown,
    });
  });

  it('refuses an entity-expansion bomb', async () => {
    const lol = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`;
    const f = write(
      'bomb.xml',
      `<?xml version="1.0"?>${lol}<vulnerabilitys>${rec('CNVD-2023-00001', '<description>&lol3;</description>')}</vulnerabilitys>`,
    );
    const items = await collect(f);
    expect(records(items)).toEqual([]);
    expect(issues(items)).toHaveLength(1);
  });

  it('keeps the records before a truncation and names where it broke', async () => {
    const f = write(
      'trunc.xml',
      `<vulnerabilitys>${rec('CNVD-2023-00001')}${rec('CNVD-2023-00002')}<vulnerability><number>CNVD-2023-00003</number><title>cut`,
    );
    const items = await collect(f);
    expect(records(items).map((r) => r.key)).toEqual(['CNVD-2023-00001', 'CNVD-2023-00002']);
    expect(issues(items)[0]).toMatchObject({
      file: f,
      record: 'CNVD-2023-00003',
      message: expect.stringMatching(/malformed XML.*line 1/) as unknown,
    });
  });

  it('rejects a record with a bad date, naming file, record and field, and keeps its neighbours', async () => {
    const bad = rec('CNVD-2023-00002').replace('2023-01-02', '2023-02-30');
    const f = write(
      'date.xml',
      `<vulnerabilitys>${rec('CNVD-2023-00001')}${bad}${rec('CNVD-2023-00003')}</vulnerabilitys>`,
    );
    const items = await collect(f);
    expect(records(items).map((r) => r.key)).toEqual(['CNVD-2023-00001', 'CNVD-2023-00003']);
    expect(issues(items)).toEqual([
      { file: f, record: 'CNVD-2023-00002', field: 'openTime', message: 'unparseable date "2023-02-30"' },
    ]);
  });

  it('rejects an unknown severity and a missing number, by index when there is no id', async () => {
    const f = write(
      'sev.xml',
      `<vulnerabilitys>${rec('CNVD-2023-00001').replace('高', '严重')}<vulnerability><title>x</title></vulnerability></vulnerabilitys>`,
    );
    const is = issues(await collect(f));
    expect(is).toEqual([
      {
        file: f,
        record: 'CNVD-2023-00001',
        field: 'serverity',
        message: 'unknown severity "严重" (expected 高, 中 or 低)',
      },
      { file: f, record: '#2', field: 'number', message: 'missing <number>' },
    ]);
  });

  it('says so for an empty file and for a wrong root', async () => {
    expect(issues(await collect(write('empty.xml', '')))[0]?.message).toMatch(/root element/);
    expect(issues(await collect(write('root.xml', '<html></html>')))[0]?.message).toMatch(
      /root element is <html>/,
    );
  });

  it('maps the solution text to zero-day and repairs spaced CVE ids', () => {
    expect(zeroDayFromSolution('厂商尚未提供漏洞修复方案，请关注厂商主页更新')).toBe(true);
    expect(zeroDayFromSolution('厂商已发布了漏洞修复程序，请及时关注更新')).toBe(false);
    expect(zeroDayFromSolution('请联系厂商')).toBeUndefined();
    expect(normaliseCveId('CVE 2022 26923')).toBe('CVE-2022-26923');
  });
});

describe('CNVD XML dirty alias and link fields keep their record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnvd-dirty-'));
  const rec = (n: string, extra: string) =>
    `<vulnerability><number>${n}</number><title>T${n}</title><serverity>中</serverity><openTime>2019-01-02</openTime>${extra}</vulnerability>`;
  const read = async (name: string, body: string) => {
    const f = join(dir, name);
    writeFileSync(f, `<?xml version="1.0" encoding="UTF-8"?><vulnerabilitys>${body}</vulnerabilitys>`);
    const items = await collect(f);
    expect(issues(items)).toEqual([]);
    return { f, items: items.flatMap((i) => (i.ok ? [i] : [])) };
  };

  it('reads a bare number in cveNumber as a BugTraq id, with a warning', async () => {
    const { f, items } = await read(
      'bid-in-cve.xml',
      rec('CNVD-2018-00001', '<cves><cve><cveNumber>103297</cveNumber></cve></cves>'),
    );
    expect(items[0]?.record.aliases).toEqual(['CNVD-2018-00001', 'BID-103297']);
    expect(items[0]?.warnings).toEqual([
      {
        file: f,
        record: 'CNVD-2018-00001',
        field: 'cves/cve/cveNumber',
        message: '"103297" is a BugTraq id: kept as BID-103297',
      },
    ]);
  });

  it('keeps an Exploit-DB id in bidNumber as an alias of its own kind', async () => {
    const { items } = await read(
      'edb.xml',
      rec('CNVD-2017-00002', '<bids><bid><bidNumber>EDB-ID:40995</bidNumber></bid></bids>'),
    );
    expect(items[0]?.record.aliases).toEqual(['CNVD-2017-00002', 'EDB-40995']);
    expect(items[0]?.warnings?.[0]).toMatchObject({
      field: 'bids/bid/bidNumber',
      message: '"EDB-ID:40995" is an Exploit-DB id: kept as EDB-40995',
    });
  });

  it('keeps a CVE id in bidNumber as a CVE alias, so the record links to the CVE', async () => {
    const { items } = await read(
      'cve-in-bid.xml',
      rec(
        'CNVD-2017-00003',
        '<cves><cve><cveNumber>CVE-2017-0143</cveNumber></cve></cves><bids><bid><bidNumber>CVE-2017-0144</bidNumber></bid></bids>',
      ),
    );
    expect(items[0]?.record.aliases).toEqual(['CNVD-2017-00003', 'CVE-2017-0143', 'CVE-2017-0144']);
    expect(items[0]?.warnings?.[0]?.message).toBe('"CVE-2017-0144" is a CVE id: kept as CVE-2017-0144');
  });

  it('repairs "/92276" in bidNumber to BID-92276, with a warning', async () => {
    const { items } = await read(
      'slash.xml',
      rec(
        'CNVD-2016-00004',
        '<bids><bid><bidNumber>/92276</bidNumber></bid><bid><bidNumber>92277</bidNumber></bid></bids>',
      ),
    );
    expect(items[0]?.record.aliases).toEqual(['CNVD-2016-00004', 'BID-92276', 'BID-92277']);
    expect(items[0]?.warnings).toEqual([
      expect.objectContaining({ field: 'bids/bid/bidNumber', message: '"/92276" is read as BID-92276' }),
    ]);
  });

  it('drops an alias that is no id at all, keeping the record and naming file, record and field', async () => {
    const { f, items } = await read(
      'junk.xml',
      rec(
        'CNVD-2016-00005',
        '<cves><cve><cveNumber>暂无</cveNumber></cve></cves><bids><bid><bidNumber>see vendor</bidNumber></bid></bids>',
      ),
    );
    expect(items[0]?.record.aliases).toEqual(['CNVD-2016-00005']);
    expect(items[0]?.warnings).toEqual([
      {
        file: f,
        record: 'CNVD-2016-00005',
        field: 'cves/cve/cveNumber',
        message: '"暂无" is not a CVE, BugTraq or Exploit-DB id: dropped',
      },
      {
        file: f,
        record: 'CNVD-2016-00005',
        field: 'bids/bid/bidNumber',
        message: '"see vendor" is not a CVE, BugTraq or Exploit-DB id: dropped',
      },
    ]);
  });

  it('repairs a link that lost its "h", drops what is no link, and warns about both', async () => {
    const { f, items } = await read(
      'links.xml',
      rec(
        'CNVD-2021-00006',
        '<referenceLink>ttps://talosintelligence.com/vulnerability_reports/TALOS-2021-1330 httpd.apache.org/security/x.html https://example.com/ok</referenceLink>',
      ),
    );
    expect(items[0]?.record.references.map((r) => r.url)).toEqual([
      'https://talosintelligence.com/vulnerability_reports/TALOS-2021-1330',
      'https://example.com/ok',
    ]);
    expect(items[0]?.warnings).toEqual([
      {
        file: f,
        record: 'CNVD-2021-00006',
        field: 'referenceLink',
        message:
          'repaired "ttps://talosintelligence.com/vulnerability_reports/TALOS-2021-1330" to "https://talosintelligence.com/vulnerability_reports/TALOS-2021-1330"; dropped "httpd.apache.org/security/x.html": not a link',
      },
    ]);
  });

  it('tells each alias form apart as a table', () => {
    expect(
      [
        'CVE-2020-1234',
        'cve 2020 1234',
        'CVE-2020-1111,CVE-2020-2222',
        '103297',
        'BID-103297',
        'EDB-40995',
        'Exploit-DB 40995',
        'https://www.securityfocus.com/bid/92276',
        'N/A',
      ].map((v) => aliasOf(v, 'cveNumber')),
    ).toEqual([
      { aliases: ['CVE-2020-1234'] },
      { aliases: ['CVE-2020-1234'] },
      {
        aliases: ['CVE-2020-1111', 'CVE-2020-2222'],
        note: 'several CVE ids in one field: kept as CVE-2020-1111, CVE-2020-2222',
      },
      { aliases: ['BID-103297'], note: 'a BugTraq id: kept as BID-103297' },
      { aliases: ['BID-103297'], note: 'a BugTraq id: kept as BID-103297' },
      { aliases: ['EDB-40995'], note: 'an Exploit-DB id: kept as EDB-40995' },
      { aliases: ['EDB-40995'], note: 'an Exploit-DB id: kept as EDB-40995' },
      { aliases: ['BID-92276'], note: 'a BugTraq id: kept as BID-92276' },
      { dropped: 'is not a CVE, BugTraq or Exploit-DB id: dropped' },
    ]);
  });
});
