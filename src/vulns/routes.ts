/** /api/v1 routes for vulnerabilities, vendors and statistics. Thin: validate → one service call → schema'd response. */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { exportCsv } from '../search/export-csv.js';
import { FACETS, SORTS, parseSearchParams } from '../search/query.js';
import { searchVulns } from '../search/store.js';
import { INDUSTRIES, OBJECT_TYPES, SEVERITIES, SOURCE_KINDS, VULN_KINDS } from './model.js';
import { cve5RecordSchema, searchItemSchema, statsSchema, textBody, vulnerabilitySchema } from './schema.js';
import {
  getStats,
  getVulnerability,
  getVulnerabilityRecords,
  listRecentChanges,
  listVendors,
} from './store.js';
import { renderAtom } from './atom.js';
import { getOsv, osvResponseSchema } from '../exports/service.js';
import { csafResponseSchema, getCsaf } from '../csaf/service.js';
import { toCve5, type Cve5Org } from './export-cve5.js';
import { SIGN_IN_OPTIONAL } from '../http/openapi.js';

// Lists may be repeated (?severity=high&severity=low) or comma-separated (?severity=high,low); the shared
// parser checks values, so the allowed ones are listed in the description rather than as an enum.
const strList = (description: string, values?: readonly string[]) => ({
  type: 'array',
  items: { type: 'string' },
  description: values
    ? `${description}; one or more of ${values.join(', ')} (repeat or comma-separate)`
    : `${description} (repeat or comma-separate)`,
});
const str = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  description,
  ...extra,
});
const date = (description: string) => str(description, { format: 'date' });

const searchQuerystring = {
  type: 'object',
  properties: {
    q: str(
      'Search box: Chinese or English words (缓冲区溢出, DIR-823G) or any id (CVE-2024-0204, CNVD-2022-56484)',
      { maxLength: 200 },
    ),
    severity: strList('high, medium, low', SEVERITIES),
    scoreMin: { type: 'number', minimum: 0, maximum: 10 },
    scoreMax: { type: 'number', minimum: 0, maximum: 10 },
    objectType: strList('affected object type', OBJECT_TYPES),
    industry: strList('industry', INDUSTRIES),
    vendor: strList('vendor name'),
    product: strList('product name'),
    cwe: strList('CWE id, e.g. CWE-79'),
    kind: str('general (通用型) or event (事件型)', { enum: [...VULN_KINDS] }),
    zeroDay: { type: 'boolean' },
    exploited: { type: 'boolean', description: 'listed in CISA KEV' },
    hasPatch: { type: 'boolean' },
    source: strList('seen in source', SOURCE_KINDS),
    publishedFrom: date('published on or after'),
    publishedTo: date('published on or before'),
    collectedFrom: date('collected on or after'),
    collectedTo: date('collected on or before'),
    submittedFrom: date('submitted on or after'),
    submittedTo: date('submitted on or before'),
    updatedFrom: date('updated on or after'),
    updatedTo: date('updated on or before'),
    includeRejected: { type: 'boolean' },
    sort: str('relevance (default with q), date, score', { enum: [...SORTS] }),
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: str('nextCursor of the previous page'),
    facets: strList('facet counts to return for the current query', FACETS),
  },
} as const;

type Query = Record<string, string | string[] | undefined>;
/** Re-stringify Fastify's coerced values so the API and the CLI share one parser with one set of messages. */
const asRaw = (q: Record<string, unknown>): Query =>
  Object.fromEntries(
    Object.entries(q).map(([k, v]) => [
      k,
      Array.isArray(v)
        ? v.map((x) => String(x as string | number | boolean))
        : v === undefined
          ? undefined
          : String(v as string | number | boolean),
    ]),
  );

export function registerVulnRoutes(
  app: FastifyInstance,
  deps: { db: Kysely<DB>; publicUrl: string; clock?: () => Date; platformOrg: Cve5Org },
): void {
  const { db } = deps;
  app.addSchema(vulnerabilitySchema);

  app.get(
    '/api/v1/vulnerabilities',
    {
      schema: {
        operationId: 'searchVulnerabilities',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Search vulnerabilities',
        querystring: searchQuerystring,
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: searchItemSchema },
              nextCursor: { type: ['string', 'null'] },
              total: { type: 'integer' },
              totalIsExact: { type: 'boolean' },
              sort: { type: 'string' },
              facets: {
                type: 'object',
                additionalProperties: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { value: { type: 'string' }, count: { type: 'integer' } },
                  },
                },
              },
            },
          },
          400: { $ref: 'Error#' },
        },
      },
    },
    async (req) => searchVulns(db, parseSearchParams(asRaw(req.query as Record<string, unknown>))),
  );

  app.get(
    '/api/v1/vulnerabilities.csv',
    {
      schema: {
        operationId: 'exportVulnerabilitiesCsv',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Export a search as CSV (UTF-8 with BOM)',
        querystring: searchQuerystring,
        response: {
          200: textBody('text/csv', 'the records of the search, one per line, with a header line'),
        },
      },
    },
    async (req, reply) => {
      const params = parseSearchParams(asRaw(req.query as Record<string, unknown>));
      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="vulnerabilities.csv"');
      return reply.send(Readable.from(exportCsv(db, params)));
    },
  );

  app.get(
    '/api/v1/vulnerabilities.atom',
    {
      schema: {
        operationId: 'getVulnerabilityFeed',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Atom feed of new and updated records (optionally one vendor’s), most recent first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            vendor: str('only this vendor', { maxLength: 200 }),
            lang: str('zh or en', { enum: ['zh', 'en'], default: 'zh' }),
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: { 200: textBody('application/atom+xml', 'an Atom 1.0 feed') },
      },
    },
    async (req, reply) => {
      const q = req.query as { vendor?: string; lang: 'zh' | 'en'; limit: number };
      const entries = await listRecentChanges(db, { vendor: q.vendor, limit: q.limit });
      const params = new URLSearchParams();
      if (q.vendor) params.set('vendor', q.vendor);
      if (q.lang !== 'zh') params.set('lang', q.lang);
      const self = `/api/v1/vulnerabilities.atom${params.size ? `?${params.toString()}` : ''}`;
      const name = q.lang === 'zh' ? 'vulnshare 漏洞更新' : 'vulnshare vulnerability updates';
      void reply
        .header('content-type', 'application/atom+xml; charset=utf-8')
        .header('cache-control', 'public, max-age=300');
      return renderAtom({
        baseUrl: deps.publicUrl,
        selfPath: self,
        lang: q.lang,
        title: q.vendor ? `${name} · ${q.vendor}` : name,
        entries,
        now: (deps.clock ?? (() => new Date()))(),
      });
    },
  );

  app.get(
    '/api/v1/vulnerabilities/:id',
    {
      schema: {
        operationId: 'getVulnerability',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'One vulnerability by any of its ids, with its sources (verbatim) and history',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        querystring: {
          type: 'object',
          properties: {
            raw: { type: 'boolean', default: true, description: "include the sources' verbatim records" },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              vulnerability: { $ref: 'Vulnerability#' },
              alsoKnownAs: { type: 'array', items: { type: 'string' } },
              sources: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    source: { type: 'string' },
                    key: { type: 'string' },
                    state: { type: 'string' },
                    file: { type: ['string', 'null'] },
                    firstSeenAt: { type: 'string' },
                    updatedAt: { type: 'string' },
                    raw: { type: 'string' },
                  },
                },
              },
              history: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    at: { type: 'string' },
                    change: { type: 'string' },
                    source: { type: ['string', 'null'] },
                    sourceKey: { type: ['string', 'null'] },
                    fields: { type: 'object', additionalProperties: true },
                  },
                },
              },
            },
          },
          404: { $ref: 'Error#' },
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { raw } = req.query as { raw?: boolean };
      return getVulnerability(db, id, { withRaw: raw !== false });
    },
  );

  app.get(
    '/api/v1/vulnerabilities/:id/cve5',
    {
      schema: {
        operationId: 'getVulnerabilityCve5',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'The vulnerability as a CVE JSON 5.1 record',
        description:
          'A record valid against the CVE Record Format 5.1.1 schema. Asked by a CVE id, the record of that CVE; ' +
          "asked by another id, the vulnerability's first CVE. A held CVE record keeps its CNA and ADP containers " +
          'verbatim; what vulnshare adds is in its own ADP container. 409 no_cve_id when the vulnerability has no CVE id.',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        response: { 200: cve5RecordSchema, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const m = await getVulnerabilityRecords(db, id);
      return toCve5(m, { org: deps.platformOrg, requestedId: id, publicUrl: deps.publicUrl });
    },
  );

  app.get(
    '/api/v1/vulnerabilities/:id/osv',
    {
      schema: {
        operationId: 'getVulnerabilityOsv',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'The vulnerability as an OSV record (schema 1.7; CNVD fields in database_specific)',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        response: { 200: osvResponseSchema, 404: { $ref: 'Error#' } },
      },
    },
    async (req) => getOsv(db, (req.params as { id: string }).id),
  );

  app.get(
    '/api/v1/vulnerabilities/:id/csaf',
    {
      schema: {
        operationId: 'getVulnerabilityCsaf',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'The vulnerability as a CSAF 2.0 document',
        description:
          'A csaf_security_advisory, or a csaf_vex where the vendors notified of its published submission have answered ' +
          '(see src/csaf/write.ts for the mapping), published by the platform as coordinator under TLP:WHITE; valid ' +
          'against the CSAF 2.0 schema and every mandatory test. lang: zh or en (default: zh where the record has ' +
          'Chinese text). 409 conflict for a rejected record.',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        querystring: { type: 'object', properties: { lang: { type: 'string', enum: ['zh', 'en'] } } },
        response: { 200: csafResponseSchema, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } },
      },
    },
    async (req) =>
      getCsaf(db, (req.params as { id: string }).id, {
        publisher: { name: deps.platformOrg.shortName, namespace: deps.publicUrl },
        ...((req.query as { lang?: 'zh' | 'en' }).lang
          ? { lang: (req.query as { lang: 'zh' | 'en' }).lang }
          : {}),
      }),
  );

  app.get(
    '/api/v1/vendors',
    {
      schema: {
        operationId: 'listVendors',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Vendors with their vulnerability counts',
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 100 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    vendor: { type: 'string' },
                    count: { type: 'integer' },
                    high: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { q?: string; limit?: number };
      return {
        items: await listVendors(db, { ...(q.q ? { q: q.q } : {}), ...(q.limit ? { limit: q.limit } : {}) }),
      };
    },
  );

  app.get(
    '/api/v1/stats',
    {
      schema: {
        operationId: 'getStats',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Counts per week (by collection date), severity, object type, kind, source and vendor',
        querystring: {
          type: 'object',
          properties: {
            weeks: { type: 'integer', minimum: 1, maximum: 520, default: 12 },
            from: { type: 'string', format: 'date' },
            to: { type: 'string', format: 'date' },
          },
        },
        response: { 200: statsSchema, 400: { $ref: 'Error#' } },
      },
    },
    async (req) => {
      const q = req.query as { weeks?: number; from?: string; to?: string };
      if (q.from && q.to && q.from > q.to)
        throw new AppError('invalid_parameter', 'from must not be after to', { parameter: 'from' });
      return getStats(db, q);
    },
  );
}
