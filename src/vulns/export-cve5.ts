/** A vulnerability as a CVE JSON 5.1 record (for records that carry a CVE id). Pure. */
import { AppError } from '../errors.js';
import type { Vulnerability } from './model.js';

/** The platform's CNA/ADP org id in exported records (configurable later through the config schema). */
export const DEFAULT_ORG_ID = '6d4b5c52-5a9b-4b8e-9c57-76756c6e7368';

const METRIC_KEY = { '2.0': 'cvssV2_0', '3.0': 'cvssV3_0', '3.1': 'cvssV3_1', '4.0': 'cvssV4_0' } as const;
const SEVERITY_WORD = { high: 'HIGH', medium: 'MEDIUM', low: 'LOW' } as const;

const isoTs = (d: string | undefined) =>
  d ? (d.length === 10 ? `${d}T00:00:00.000Z` : new Date(d).toISOString()) : undefined;

export function toCve5(v: Vulnerability, orgId = DEFAULT_ORG_ID): Record<string, unknown> {
  const cveId = v.aliases.find((a) => /^CVE-\d{4}-\d{4,}$/.test(a));
  if (!cveId) {
    throw new AppError('conflict', `${v.id} has no CVE id; a CVE JSON 5 record needs one`, { id: v.id });
  }
  const descriptions = [
    ...(v.description.en ? [{ lang: 'en', value: v.description.en }] : []),
    ...(v.description.zh ? [{ lang: 'zh', value: v.description.zh }] : []),
  ];
  if (descriptions.length === 0) descriptions.push({ lang: 'en', value: v.title.en ?? v.title.zh ?? v.id });
  const providerMetadata = {
    orgId,
    shortName: 'vulnshare',
    ...(v.dates.updated ? { dateUpdated: isoTs(v.dates.updated) } : {}),
  };
  if (v.state === 'rejected') {
    return {
      dataType: 'CVE_RECORD',
      dataVersion: '5.1',
      cveMetadata: { cveId, assignerOrgId: orgId, state: 'REJECTED' },
      containers: { cna: { providerMetadata, rejectedReasons: descriptions } },
    };
  }
  const affected = (
    v.products.length > 0 ? v.products : [{ vendor: 'n/a', product: 'n/a', versions: [] as string[] }]
  ).map((p) => ({
    vendor: p.vendor || 'n/a',
    product: p.product || 'n/a',
    ...(p.cpes && p.cpes.length > 0 ? { cpes: p.cpes } : {}),
    versions:
      p.versions.length > 0
        ? p.versions.map((version) => ({ version, status: 'affected' }))
        : [{ version: 'n/a', status: 'affected' }],
  }));
  const problemTypes = v.weaknesses.length
    ? [
        {
          descriptions: v.weaknesses.map((w) => ({
            lang: 'en',
            description: [w.cwe, w.nameEn ?? w.nameZh].filter(Boolean).join(' ') || 'n/a',
            ...(w.cwe ? { cweId: w.cwe, type: 'CWE' } : { type: 'text' }),
          })),
        },
      ]
    : undefined;
  const metrics = v.cvss.map((c) => ({
    format: 'CVSS',
    [METRIC_KEY[c.version]]: {
      version: c.version,
      vectorString: c.vector,
      baseScore: c.baseScore,
      ...(c.version === '2.0'
        ? {}
        : {
            baseSeverity:
              c.baseScore === 0 ? 'NONE' : c.baseScore >= 9 ? 'CRITICAL' : SEVERITY_WORD[c.severity],
          }),
    },
  }));
  const references = (
    v.references.length ? v.references : [{ url: `https://vulnshare.invalid/vulnerabilities/${v.id}` }]
  ).map((r) => ({
    url: r.url,
    ...('name' in r && r.name ? { name: r.name } : {}),
    ...('tags' in r && r.tags?.length ? { tags: r.tags } : {}),
  }));
  return {
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: {
      cveId,
      assignerOrgId: orgId,
      state: 'PUBLISHED',
      ...(v.dates.published ? { datePublished: isoTs(v.dates.published) } : {}),
      ...(v.dates.updated ? { dateUpdated: isoTs(v.dates.updated) } : {}),
    },
    containers: {
      cna: {
        providerMetadata,
        ...(v.title.en || v.title.zh ? { title: v.title.en ?? v.title.zh } : {}),
        descriptions,
        affected,
        ...(problemTypes ? { problemTypes } : {}),
        ...(metrics.length ? { metrics } : {}),
        references,
        ...(v.credits.length
          ? { credits: v.credits.map((value) => ({ lang: 'zh', value, type: 'finder' })) }
          : {}),
        ...(v.solution ? { solutions: [{ lang: 'zh', value: v.solution }] } : {}),
      },
    },
  };
}
