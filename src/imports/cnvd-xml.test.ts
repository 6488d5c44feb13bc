import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseItem, SourceRecord } from '../vulns/model.js';
import { sharedData } from '../test-support/shared-data.js';
import { normaliseCveId, parseCnvdXml, zeroDayFromSolution } from './cnvd-xml.js';

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
