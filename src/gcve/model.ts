/**
 * The platform as a GCVE Numbering Authority (GNA): its own records — the ids it numbers, `<prefix>-<year>-<n>` —
 * published as GCVE-<gna>-<year>-<n> (GCVE-BCP-04's shape) in the CVE Record Format with `cveMetadata.vulnId`
 * (GCVE-BCP-05, as Vulnerability-Lookup serves them), through the GCVE-BCP-03 pull API and static dump.
 * Pure: ids and records in, plain objects out; no I/O.
 *
 * The record: the platform is the assigner, so the CNA container is its own statement (rebuilt from the
 * record as the CVE JSON 5 export rebuilds a container, vulns/export-cve5.ts), with the platform's additions —
 * Chinese title and text, classification, severity, CNVD and CVE aliases, exploitation — in the container's
 * `x_vulnshare`. `cveMetadata` holds `vulnId` and no `cveId`: a CVE id the record carries is an alias, never
 * claimed.
 */
import type { Vulnerability } from '../vulns/model.js';
import {
  platformAdp,
  reconstructedCna,
  timestamp,
  type Cve5Org,
  type Cve5Source,
} from '../vulns/export-cve5.js';

type J = Record<string, unknown>;

/** GCVE-BCP-04: GCVE-<GNA id>-<year>-<serial of 4 or more digits>. */
export const GCVE_ID = /^GCVE-(\d+)-(\d{4})-(\d{4,})$/;

/** The GCVE id of one of the platform's own ids (`VS-2026-00012` → `GCVE-<gna>-2026-00012`), else null. */
export function gcveIdOf(publicId: string, prefix: string, gna: number): string | null {
  const m = new RegExp(`^${prefix}-(\\d{4})-(\\d{4,})$`).exec(publicId);
  return m ? `GCVE-${gna}-${m[1]}-${m[2]}` : null;
}

/** The platform id a GCVE id of this GNA names (the inverse of gcveIdOf), else null. */
export function publicIdOfGcve(gcveId: string, prefix: string, gna: number): string | null {
  const m = GCVE_ID.exec(gcveId.trim().toUpperCase());
  return m && Number(m[1]) === gna ? `${prefix}-${m[2]}-${m[3]}` : null;
}

export interface GcveOptions {
  org: Cve5Org;
  gna: number;
  prefix: string;
  publicUrl: string;
}

/** When the platform first published the record and last changed it (the row's own times). */
export interface GcveTimes {
  createdAt: string;
  modifiedAt: string;
}

/** A GCVE-BCP-05 record: the CVE Record Format with `cveMetadata.vulnId` in place of a CVE id. */
export interface GcveRecord {
  dataType: 'CVE_RECORD';
  dataVersion: string;
  cveMetadata: {
    vulnId: string;
    assignerOrgId: string;
    assignerShortName: string;
    state: 'PUBLISHED';
    datePublished?: string;
    dateUpdated?: string;
  };
  containers: { cna: J };
}

/** A published platform record as a GCVE-BCP-05 record; null for a record of another numbering. */
export function toGcveRecord(
  v: Vulnerability,
  sources: Cve5Source[],
  times: GcveTimes,
  o: GcveOptions,
): GcveRecord | null {
  const vulnId = gcveIdOf(v.id, o.prefix, o.gna);
  if (!vulnId || v.state !== 'published') return null;
  const page = `${o.publicUrl}/vulnerabilities/${encodeURIComponent(v.id)}`;
  const basis = sources.length
    ? sources.map((s, i) => ({
        source: s.source,
        key: s.key,
        credits: s.record?.credits ?? (i === 0 ? v.credits : []),
      }))
    : [{ source: 'vulnshare' as const, key: v.id, credits: v.credits }];
  const cna = reconstructedCna(v, basis, page, o.org, true);
  const ours = platformAdp(v, v, [cna], o.org, {
    reconstructed: true,
    publicUrl: o.publicUrl,
    cnaSolutions: [],
  });
  const published = timestamp(v.dates.published) ?? timestamp(times.createdAt);
  const updated = timestamp(times.modifiedAt);
  return {
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: {
      vulnId,
      assignerOrgId: o.org.orgId,
      assignerShortName: o.org.shortName,
      state: 'PUBLISHED',
      ...(published ? { datePublished: published } : {}),
      ...(updated ? { dateUpdated: updated } : {}),
    },
    containers: {
      cna: {
        ...cna,
        x_vulnshare: { ...(cna.x_vulnshare as J), ...(ours.x_vulnshare as J) },
      },
    },
  };
}

/** GCVE-BCP-03's query of /api/gcve/publication, with its defaults and bounds. */
export interface PublicationQuery {
  page: number;
  perPage: number;
  /** which date `since` and the order read: the first publication or the last change */
  dateSort: 'published' | 'updated';
  sortOrder: 'asc' | 'desc';
  /** RFC 3339 instant (a date means its start, UTC) */
  since: string | null;
}

export const PUBLICATION_LIMITS = { defaultPerPage: 30, maxPerPage: 100 } as const;
