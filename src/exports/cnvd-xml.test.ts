/**
 * CNVD share XML export: well-formed XML (checked by saxes, a conforming XML parser), CNVD's element set,
 * and the round trip — export, import into an empty store, the same merged records — on the real CNVD files
 * and, on both backends, on records built here.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems } from '../imports/pipeline.js';
import { prepareRecord } from '../imports/prepare.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import { sharedData } from '../test-support/shared-data.js';
import { canonicalJson, mergeVulnerability } from '../vulns/merge.js';
import { directorySink, exportBulk } from './bulk.js';
import { cnvdXmlFile, cnvdXmlRecord, xmlText } from './cnvd-xml.js';

/** Element names in document order, and the text of leaves, as a conforming parser reads them. */
function parseXml(xml: string): { names: string[]; text: Map<string, string[]> } {
  const p = new SaxesParser();
  const names: string[] = [];
  const text = new Map<string, string[]>();
  let current = '';
  let buf = '';
  p.on('error', (e) => {
    throw e;
  });
  p.on('opentag', (t) => {
    names.push(t.name);
    current = t.name;
    buf = '';
  });
  p.on('text', (t) => (buf += t));
  p.on('closetag', (t) => {
    if (t.name === current) text.set(t.name, [...(text.get(t.name) ?? []), buf]);
    current = '';
  });
  p.write(xml).close();
  return { names, text };
}

const collect = async (g: AsyncIterable<string>) => {
  let s = '';
  for await (const c of g) s += c;
  return s;
};

async function docs(d: Database): Promise<Map<string, string>> {
  const r = await sql<{
    public_id: string;
    doc: unknown;
  }>`SELECT public_id, doc FROM vulnerabilities`.execute(d.db);
  return new Map(r.rows.map((x) => [x.public_id, canonicalJson(x.doc)]));
}

async function roundTrip(first: Database, second: Database) {
  const dir = await mkdtemp(join(tmpdir(), 'vulnshare-cnvd-xml-'));
  try {
    const summary = await exportBulk(first.db, directorySink(dir), { format: 'cnvd-xml' });
    const files = (await readdir(dir)).map((f) => join(dir, f));
    const fmt = IMPORT_FORMATS['cnvd-xml'];
    if (!fmt) throw new Error('cnvd-xml');
    const again = await importItems(second, fmt.parse(files), { format: 'cnvd-xml', paths: files });
    return { summary, again, files };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('CNVD share XML writer', () => {
  it('escapes & < > and CR, and drops what XML 1.0 cannot carry', () => {
    expect(xmlText('a & b <c> "d" \'e\'\r\nf\u0001\u0008g\ud800')).toBe(
      'a &amp; b &lt;c&gt; "d" \'e\'&#xD;\nfg',
    );
    const x = cnvdXmlRecord(
      mergeVulnerability([
        prepareRecord(cnvdRecord('CNVD-2023-00003', { titleZh: '<script>&漏洞\u0000' }), 't').prepared,
      ]),
    );
    expect(parseXml(`<r>${x ?? ''}</r>`).text.get('title')).toEqual(['<script>&漏洞']);
  });

  it("writes CNVD's elements in CNVD's order under <vulnerabilitys>, <serverity> spelled as CNVD spells it", async () => {
    const v = mergeVulnerability([
      prepareRecord(
        cnvdRecord('CNVD-2023-00004', {
          aliases: ['CVE-2023-4444', 'BID-104820'],
          references: [{ url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-4444' }],
          credits: ['张三'],
          solution: '厂商已发布了漏洞修复程序，请及时关注更新：\nhttps://vendor.example/adv',
          patch: { name: '补丁', description: '补丁说明' },
        }),
        't',
      ).prepared,
    ]);
    const xml = await collect(cnvdXmlFile([v]));
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<vulnerabilitys>')).toBe(true);
    const { names, text } = parseXml(xml);
    expect(names).toEqual([
      'vulnerabilitys',
      'vulnerability',
      'number',
      'bids',
      'bid',
      'bidNumber',
      'cves',
      'cve',
      'cveNumber',
      'cveUrl',
      'title',
      'serverity',
      'products',
      'product',
      'isEvent',
      'submitTime',
      'openTime',
      'discovererName',
      'referenceLink',
      'formalWay',
      'description',
      'patchName',
      'patchDescription',
    ]);
    expect(text.get('serverity')).toEqual(['高']);
    expect(text.get('isEvent')).toEqual(['通用软硬件漏洞']);
    expect(text.get('bidNumber')).toEqual(['104820']);
  });

  it('leaves out records CNVD numbers cannot carry: no CNVD id, rejected', async () => {
    const cveOnly = mergeVulnerability([prepareRecord(cveRecord('CVE-2024-9999'), 't').prepared]);
    const rejected = mergeVulnerability([
      prepareRecord(cnvdRecord('CNVD-2023-00005', { state: 'rejected' }), 't').prepared,
    ]);
    const counts = { written: 0, skipped: 0 };
    const xml = await collect(cnvdXmlFile([cveOnly, rejected], counts));
    expect(counts).toEqual({ written: 0, skipped: 2 });
    expect(parseXml(xml).names).toEqual(['vulnerabilitys']);
  });
});

describe.each(testBackends())('CNVD XML round trip on %s', (backend) => {
  let first: Database;
  let second: Database;
  beforeAll(async () => {
    first = await freshDatabase(backend);
    second = await freshDatabase(backend);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('imports what it exported into an empty store as the same records', async () => {
    await importItems(
      first,
      itemsOf([
        cnvdRecord('CNVD-2023-10001', {
          aliases: ['CVE-2023-1001', 'BID-1001', 'EDB-40995'],
          references: [
            { url: 'https://vendor.example/a?x=1&y=2' },
            { url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-1001' },
          ],
          credits: ['李四'],
          solution: '厂商已发布了漏洞修复程序，请及时关注更新：\nhttps://vendor.example/adv',
          patch: {
            name: '补丁 & 说明',
            description: '第一行\n\n第二行 <b>',
            url: 'https://vendor.example/adv',
          },
          zeroDay: false,
        }),
        cnvdRecord('CNVD-2023-10002', {
          kind: 'event',
          severity: 'low',
          titleZh: '某单位网站存在SQL注入漏洞',
          products: [
            { vendor: '', product: '', versions: [], raw: 'Cisco IOS XR' },
            { vendor: '', product: '', versions: [], raw: 'Oracle WebCenter Portal  12.2.1.2.0' },
          ],
        }),
      ]),
      { format: 'test', paths: [] },
    );
    const { summary, again } = await roundTrip(first, second);
    expect(summary).toMatchObject({ written: 2, skipped: 0, entries: 1 });
    expect(again).toMatchObject({ read: 2, imported: 2, rejected: 0 });
    expect(await docs(second)).toEqual(await docs(first));
  });
});

const cnvdDir = sharedData('cnvd-share-xml', 'xml');
const cnvd2020 = sharedData('cnvd-share-xml-dated-2020');
describe.runIf(cnvdDir && cnvd2020)('CNVD XML round trip of the real CNVD files', () => {
  let first: Database;
  let second: Database;
  beforeAll(async () => {
    first = await freshDatabase('pglite');
    second = await freshDatabase('pglite');
    const fmt = IMPORT_FORMATS['cnvd-xml'];
    if (!fmt) throw new Error('cnvd-xml');
    const paths = [cnvdDir ?? '', cnvd2020 ?? ''];
    await importItems(first, fmt.parse(paths), { format: 'cnvd-xml', paths });
  }, 600_000);
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('gives every one of the 14,399 records back with the same merged document', async () => {
    const { summary, again, files } = await roundTrip(first, second);
    expect(summary).toMatchObject({ written: 14_399, skipped: 0 });
    expect(files).toHaveLength(15);
    expect(again).toMatchObject({ read: 14_399, imported: 14_399, rejected: 0 });
    expect(again.warnings).toEqual([]);
    const a = await docs(first);
    const b = await docs(second);
    expect(b.size).toBe(a.size);
    const differing = [...a].filter(([id, doc]) => b.get(id) !== doc).map(([id]) => id);
    console.log(`CNVD XML round trip: ${a.size - differing.length} of ${a.size} records identical`);
    expect(differing.slice(0, 5)).toEqual([]);
  }, 600_000);

  it('writes files that read as CNVD files: one root, every record with number, title and serverity', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vulnshare-cnvd-xml-'));
    try {
      await exportBulk(first.db, directorySink(dir), { format: 'cnvd-xml', perFile: 5000 });
      const name = (await readdir(dir)).sort()[0] ?? '';
      const { names, text } = parseXml(await readFile(join(dir, name), 'utf8'));
      expect(names.filter((n) => n === 'vulnerabilitys')).toHaveLength(1);
      const n = names.filter((x) => x === 'vulnerability').length;
      expect(n).toBe(5000);
      expect(text.get('number')).toHaveLength(n);
      expect(text.get('title')).toHaveLength(n);
      expect(new Set(text.get('serverity'))).toEqual(new Set(['高', '中', '低']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
