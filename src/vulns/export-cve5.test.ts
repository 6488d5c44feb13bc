/**
 * CVE JSON 5 export: every record with a CVE id validates against the 5.1.1 schema, a held CVE record keeps
 * its containers verbatim, what vulnshare adds is in its own ADP container. Store-backed on both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { isAppError } from '../errors.js';
import { cve5ToRecord, cveValidator } from '../imports/cve5.js';
import { importItems } from '../imports/pipeline.js';
import { cnvdRecord, itemsOf, kevRecord } from '../test-support/factories.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import {
  chosenCveId,
  cleanUrl,
  textLang,
  toCve5,
  versionEntry,
  type Cve5Org,
  type Cve5Record,
} from './export-cve5.js';
import type { SourceRecord } from './model.js';
import { getVulnerabilityRecords } from './store.js';

const ORG: Cve5Org = { orgId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', shortName: 'CERT-XY' };
const CISA = { orgId: '134c704f-9b21-4f2e-91b3-4a467353bcc0', shortName: 'CISA-ADP' };
const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

/** A CVE record as a CNA writes one: ranges, unknown default, unaffected, timeline, x_ field, two languages. */
const cveDoc = {
  dataType: 'CVE_RECORD',
  dataVersion: '5.1',
  cveMetadata: {
    cveId: 'CVE-2023-10001',
    assignerOrgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6',
    assignerShortName: 'examplecna',
    state: 'PUBLISHED',
    dateReserved: '2023-01-02T10:00:00.000Z',
    datePublished: '2023-02-01T10:00:00.000Z',
    dateUpdated: '2023-03-01T10:00:00.000Z',
  },
  containers: {
    cna: {
      providerMetadata: { orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6', shortName: 'examplecna' },
      title: 'Stack overflow in Example Router web UI',
      descriptions: [
        {
          lang: 'en',
          value: 'A stack-based buffer overflow in Example Router before 1.0.6 allows code execution.',
        },
        {
          lang: 'es',
          value: 'Un desbordamiento de pila en Example Router anterior a 1.0.6 permite ejecutar código.',
        },
      ],
      affected: [
        {
          vendor: 'Example',
          product: 'Router',
          defaultStatus: 'unknown',
          versions: [
            { version: '1.0.0', lessThan: '1.0.6', status: 'affected', versionType: 'semver' },
            { version: '1.0.6', status: 'unaffected' },
          ],
        },
      ],
      problemTypes: [
        { descriptions: [{ lang: 'en', description: 'CWE-121 Stack-based Buffer Overflow', type: 'CWE' }] },
      ],
      metrics: [
        {
          format: 'CVSS',
          cvssV3_1: { version: '3.1', vectorString: VECTOR, baseScore: 9.8, baseSeverity: 'CRITICAL' },
        },
      ],
      references: [{ url: 'https://example.org/advisories/2023-1', tags: ['vendor-advisory'] }],
      credits: [{ lang: 'en', value: 'Jane Doe', type: 'reporter' }],
      timeline: [{ time: '2023-01-02T00:00:00.000Z', lang: 'en', value: 'Reported to the vendor' }],
      workarounds: [{ lang: 'en', value: 'Disable the web UI.' }],
      x_generator: { engine: 'Vulnogram 0.1.0' },
    },
    adp: [
      {
        providerMetadata: CISA,
        title: 'CISA ADP Vulnrichment',
        metrics: [
          { cvssV3_1: { version: '3.1', vectorString: VECTOR, baseScore: 9.8, baseSeverity: 'CRITICAL' } },
          {
            other: {
              type: 'kev',
              content: { dateAdded: '2023-02-10', reference: 'https://www.cisa.gov/kev' },
            },
          },
        ],
      },
    ],
  },
};
const cveRaw = JSON.stringify(cveDoc);

const records: SourceRecord[] = [
  // A CNVD record citing the held CVE (merged cnvd + cve), its discoverer a Latin-script handle.
  cnvdRecord('CNVD-2023-10001', {
    aliases: ['CVE-2023-10001'],
    credits: ['k1rs'],
    solution: 'The vendor has released version 1.0.6: https://example.org/download',
  }),
  cve5ToRecord(cveDoc, cveRaw),
  // A CNVD record citing two CVEs, one of them in KEV (with a notes URL ending in `",`).
  cnvdRecord('CNVD-2023-20002', {
    aliases: ['CVE-2023-20002', 'CVE-2023-20003'],
    titleZh: 'Tenda AC18跨站脚本漏洞（CNVD-2023-20002）',
    products: [{ vendor: 'Tenda', product: 'AC18', versions: ['<15.03.05.19', '>=1.0，<=1.2'] }],
    weaknesses: [{ cwe: 'CWE-79', nameEn: 'Cross-site scripting (XSS)', nameZh: '跨站脚本', source: 'cnvd' }],
    credits: ['张三'],
  }),
  kevRecord('CVE-2023-20003', {
    references: [{ url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-20003",' }],
    exploited: { dateAdded: '2023-05-01', ransomware: true, source: 'CISA KEV' },
  }),
  // KEV only, no CWE stated: the platform infers one from the name.
  kevRecord('CVE-2023-30004', {
    titleEn: 'Example CMS SQL Injection Vulnerability',
    descriptionEn: 'Example CMS contains an SQL injection vulnerability in its login form.',
    products: [{ vendor: 'Example', product: 'CMS', versions: [] }],
    references: [{ url: 'https://example.org/a,' }, { url: 'https://example.org/b' }],
  }),
  // CNVD with no CVE id.
  cnvdRecord('CNVD-2023-40005'),
  // The platform's own records: one citing a CVE, one not.
  cnvdRecord('VS-2026-00001', {
    source: 'vulnshare',
    aliases: ['CVE-2026-50001'],
    credits: ['Example Security Lab'],
    raw: '',
  }),
  cnvdRecord('VS-2026-00002', { source: 'vulnshare', raw: '' }),
];

describe('CVE JSON 5 writer helpers', () => {
  it('labels a text zh when Han script carries it, else en', () => {
    expect(textLang('阿里云计算有限公司')).toBe('zh');
    expect(textLang('k1rs')).toBe('en');
    expect(textLang('Microsoft Windows Server 2019 Microsoft Exchange Server存在远程代码执行漏洞')).toBe(
      'zh',
    );
    expect(textLang('A flaw in the 北京某公司 router allows remote attackers to run code as root.')).toBe(
      'en',
    );
  });
  it('trims the `,` and `",` KEV notes leave on URLs, encodes the rest, drops what is no URI', () => {
    expect(cleanUrl('https://support.apple.com/en-us/121752,')).toBe(
      'https://support.apple.com/en-us/121752',
    );
    expect(cleanUrl('https://nvd.nist.gov/vuln/detail/CVE-2025-5419",')).toBe(
      'https://nvd.nist.gov/vuln/detail/CVE-2025-5419',
    );
    expect(cleanUrl('https://example.cn/漏洞 公告')).toBe(
      'https://example.cn/%E6%BC%8F%E6%B4%9E%20%E5%85%AC%E5%91%8A',
    );
    expect(cleanUrl('not a url')).toBeNull();
    expect(cleanUrl('javascript:alert(1)')).toBeNull();
  });
  it("writes a source's version strings as single versions or custom ranges", () => {
    expect(versionEntry('5.2.0.1')).toEqual({ version: '5.2.0.1', status: 'affected' });
    expect(versionEntry('<4.5')).toEqual({
      version: '0',
      status: 'affected',
      versionType: 'custom',
      lessThan: '4.5',
    });
    expect(versionEntry('<=22.001.20085')).toMatchObject({ version: '0', lessThanOrEqual: '22.001.20085' });
    expect(versionEntry('>=16.1.0，<=16.1.2')).toMatchObject({
      version: '16.1.0',
      lessThanOrEqual: '16.1.2',
    });
    expect(versionEntry('10 1809')).toEqual({ version: '10 1809', status: 'affected' });
  });
  it('refuses a record without a CVE id with no_cve_id, naming the formats that carry it', () => {
    try {
      chosenCveId({ id: 'VS-2026-00001', aliases: ['VS-2026-00001', 'CNVD-2026-00001'] });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('no_cve_id');
      expect(isAppError(e) && e.status).toBe(409);
      expect(String(e)).toMatch(/has no CVE id[\s\S]*OSV or CSAF/);
    }
  });
});

type Containers = { cna: Record<string, unknown>; adp?: Array<Record<string, unknown>> };
const containers = (r: Cve5Record) => r.containers as Containers;
const ours = (r: Cve5Record) =>
  containers(r).adp?.find((a) => (a.providerMetadata as { orgId: string }).orgId === ORG.orgId);
const x = (c: Record<string, unknown> | undefined) => (c?.x_vulnshare ?? {}) as Record<string, unknown>;

describe.each(testBackends())('CVE JSON 5 export on %s', (backend) => {
  let d: Database;
  const exportOf = async (id: string) =>
    toCve5(await getVulnerabilityRecords(d.db, id), {
      org: ORG,
      requestedId: id,
      publicUrl: 'https://vs.example',
    });
  const valid = (r: Cve5Record) => {
    const validate = cveValidator();
    const ok = validate(r);
    return ok ? [] : validate.errors;
  };
  beforeAll(async () => {
    d = await freshDatabase(backend);
    expect(cveValidator()(cveDoc)).toBe(true);
    await importItems(d, itemsOf(records), { format: 'test', paths: [] });
  }, 60_000);
  afterAll(async () => {
    await d.close();
  });

  it('keeps a held CVE record as its CNA and ADPs wrote it and adds the platform ADP beside them', async () => {
    const r = await exportOf('CNVD-2023-10001');
    expect(valid(r)).toEqual([]);
    expect(r.cveMetadata).toEqual(cveDoc.cveMetadata);
    expect(containers(r).cna).toEqual(cveDoc.containers.cna);
    expect(containers(r).adp?.[0]).toEqual(cveDoc.containers.adp[0]);
    expect(containers(r).adp).toHaveLength(2);
    const adp = ours(r);
    expect(adp?.providerMetadata).toEqual(ORG);
    // The one vector CNA and CISA both give appears once per container, never again in the platform's.
    expect(adp?.metrics).toBeUndefined();
    expect(x(adp)).toMatchObject({
      id: 'CNVD-2023-10001',
      aliases: ['CNVD-2023-10001', 'CVE-2023-10001'],
      cnvd: ['CNVD-2023-10001'],
      titleZh: 'Tenda AC18缓冲区溢出漏洞（CNVD-2023-10001）',
      descriptionZh: expect.stringContaining('腾达') as unknown,
      severity: { value: 'high', source: 'cnvd' },
      solution: { lang: 'en', value: expect.stringContaining('1.0.6') as unknown },
      url: 'https://vs.example/vulnerabilities/CNVD-2023-10001',
    });
    expect(adp?.references).toEqual([
      { url: 'https://www.cnvd.org.cn/flaw/show/CNVD-2023-10001', tags: ['vdb-entry'] },
    ]);
  });

  it('exports the CVE asked for from a CNVD record citing several, each with only its own KEV entry', async () => {
    const a = await exportOf('CVE-2023-20002');
    const b = await exportOf('CVE-2023-20003');
    const first = await exportOf('CNVD-2023-20002');
    expect([a, b, first].map((r) => (r.cveMetadata as { cveId: string }).cveId)).toEqual([
      'CVE-2023-20002',
      'CVE-2023-20003',
      'CVE-2023-20002',
    ]);
    for (const r of [a, b]) {
      expect(valid(r)).toEqual([]);
      expect(x(ours(r)).aliases).toEqual(['CNVD-2023-20002', 'CVE-2023-20002', 'CVE-2023-20003']);
    }
    expect(x(ours(a)).exploited).toBeUndefined();
    expect(x(ours(b)).exploited).toMatchObject({ dateAdded: '2023-05-01', ransomware: true });
    expect(containers(b).cna.references).toContainEqual({
      url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-20003',
    });
  });

  it('gives a CNVD-only record an English description built from product, weakness and versions, marked generated', async () => {
    const r = await exportOf('CVE-2023-20002');
    const cna = containers(r).cna;
    expect(cna.descriptions).toEqual([
      {
        lang: 'en',
        value:
          'Tenda AC18 (<15.03.05.19, >=1.0，<=1.2) is affected by a cross-site scripting (XSS) vulnerability (CWE-79). ' +
          '[Generated by vulnshare from CNVD-2023-20002, which describes it in Chinese only.]',
      },
      { lang: 'zh', value: expect.stringContaining('Tenda AC18') as unknown },
    ]);
    expect(x(cna)).toMatchObject({
      reconstructed: true,
      from: [{ source: 'cnvd', key: 'CNVD-2023-20002' }],
      generated: ['descriptions/0'],
    });
    expect(cna.affected).toEqual([
      {
        vendor: 'Tenda',
        product: 'AC18',
        versions: [
          { version: '0', status: 'affected', versionType: 'custom', lessThan: '15.03.05.19' },
          { version: '1.0', status: 'affected', versionType: 'custom', lessThanOrEqual: '1.2' },
        ],
      },
    ]);
    expect(cna.problemTypes).toEqual([
      {
        descriptions: [
          { lang: 'en', description: 'CWE-79 Cross-site scripting (XSS)', cweId: 'CWE-79', type: 'CWE' },
        ],
      },
    ]);
    expect(cna.credits).toEqual([{ lang: 'zh', value: '张三', type: 'finder' }]);
    expect(r.cveMetadata).toEqual({
      cveId: 'CVE-2023-20002',
      assignerOrgId: ORG.orgId,
      assignerShortName: ORG.shortName,
      state: 'PUBLISHED',
    });
  });

  it('keeps an inferred weakness out of the CNA container, in the platform ADP marked inferred', async () => {
    const r = await exportOf('CVE-2023-30004');
    expect(valid(r)).toEqual([]);
    expect(containers(r).cna.problemTypes).toBeUndefined();
    const adp = ours(r);
    expect(adp?.problemTypes).toEqual([
      {
        descriptions: [
          {
            lang: 'en',
            description: expect.stringMatching(
              /^CWE-89 .*\(inferred by vulnshare from the text; no source states it\)$/,
            ) as unknown,
            cweId: 'CWE-89',
            type: 'CWE',
          },
        ],
      },
    ]);
    expect(x(adp).weaknesses).toEqual([expect.objectContaining({ cweId: 'CWE-89', source: 'inferred' })]);
    expect(containers(r).cna.references).toEqual([
      { url: 'https://example.org/a' },
      { url: 'https://example.org/b' },
    ]);
    expect(containers(r).cna.title).toBe('Example CMS SQL Injection Vulnerability');
  });

  it('labels a Latin-script credit en and an English solution en in a reconstructed container', async () => {
    const m = await getVulnerabilityRecords(d.db, 'CNVD-2023-10001');
    // Without the CVE record the CNVD record's own statements stand in the CNA container.
    const r = toCve5({ ...m, sources: m.sources.filter((s) => s.source !== 'cve') }, { org: ORG });
    expect(valid(r)).toEqual([]);
    expect(containers(r).cna.credits).toEqual([{ lang: 'en', value: 'k1rs', type: 'finder' }]);
    expect(containers(r).cna.solutions).toEqual([
      { lang: 'en', value: expect.stringContaining('1.0.6') as unknown },
    ]);
  });

  it('exports a platform record citing a CVE under that CVE, crediting its reporter', async () => {
    const r = await exportOf('VS-2026-00001');
    expect(valid(r)).toEqual([]);
    expect((r.cveMetadata as { cveId: string }).cveId).toBe('CVE-2026-50001');
    expect(containers(r).cna.credits).toEqual([
      { lang: 'en', value: 'Example Security Lab', type: 'reporter' },
    ]);
    expect(x(ours(r)).id).toBe('VS-2026-00001');
  });

  it('answers no_cve_id for a CNVD or platform record without a CVE id', async () => {
    await expect(exportOf('CNVD-2023-40005')).rejects.toMatchObject({ code: 'no_cve_id' });
    await expect(exportOf('VS-2026-00002')).rejects.toMatchObject({ code: 'no_cve_id' });
  });
});
