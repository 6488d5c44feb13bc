/** /api/v1 routes for vulnerabilities, vendors and statistics. Thin: validate → one service call → schema'd response. */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { exportCsv } from '../search/export-csv.js';
import { FACETS, SORTS, parseSearchParams } from '../search/query.js';
import { searchVulns } from '../search/store.js';
import { INDUSTRIES, OBJECT_TYPES, SEVERITIES, SOURCE_KINDS, VULN_KINDS } from './model.js';
import {
  VulnerabilityRef,
  cve5RecordSchema,
  searchItemSchema,
  statsSchema,
  textBody,
  vulnerabilitySchema,
} from './schema.js';
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
import { toCve5, type Cve5Org, type Cve5Record } from './export-cve5.js';
import { SIGN_IN_OPTIONAL } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';

/** What getOsv returns: an OSV record as a JSON tree. */
type OsvRecord = Awaited<ReturnType<typeof getOsv>>;

// Lists may be repeated (?severity=high&severity=low) or comma-separated (?severity=high,low); the shared
// parser checks values, so the allowed ones are listed in the description rather than as an enum.
const strList = (description: string, values?: readonly string[]) =>
  Type.Optional(
    Type.Array(Type.String(), {
      description: values
        ? `${description}; one or more of ${values.join(', ')} (repeat or comma-separate)`
        : `${description} (repeat or comma-separate)`,
    }),
  );
const str = (description: string, extra: Record<string, unknown> = {}) =>
  Type.Optional(Type.String({ description, ...extra }));
const date = (description: string) => str(description, { format: 'date' });
const Str = Type.String();
const idParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const searchQuerystring = Type.Object({
  q: str(
    'Search box: Chinese or English words (缓冲区溢出, DIR-823G) or any id (CVE-2024-0204, CNVD-2022-56484)',
    { maxLength: 200 },
  ),
  severity: strList('high, medium, low', SEVERITIES),
  scoreMin: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  scoreMax: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  objectType: strList('affected object type', OBJECT_TYPES),
  industry: strList('industry', INDUSTRIES),
  vendor: strList('vendor name'),
  product: strList('product name'),
  cwe: strList('CWE id, e.g. CWE-79'),
  kind: Type.Optional(StringEnum(VULN_KINDS, { description: 'general (通用型) or event (事件型)' })),
  zeroDay: Type.Optional(Type.Boolean()),
  exploited: Type.Optional(Type.Boolean({ description: 'listed in CISA KEV' })),
  hasPatch: Type.Optional(Type.Boolean()),
  source: strList('seen in source', SOURCE_KINDS),
  publishedFrom: date('published on or after'),
  publishedTo: date('published on or before'),
  collectedFrom: date('collected on or after'),
  collectedTo: date('collected on or before'),
  submittedFrom: date('submitted on or after'),
  submittedTo: date('submitted on or before'),
  updatedFrom: date('updated on or after'),
  updatedTo: date('updated on or before'),
  includeRejected: Type.Optional(Type.Boolean()),
  sort: Type.Optional(StringEnum(SORTS, { description: 'relevance (default with q), date, score' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: str('nextCursor of the previous page'),
  facets: strList('facet counts to return for the current query', FACETS),
});

const facetCounts = Type.Array(Type.Object({ value: Str, count: Type.Integer() }));
const searchResponse = Type.Object({
  items: Type.Array(searchItemSchema),
  nextCursor: Nullable(Str),
  total: Type.Integer(),
  totalIsExact: Type.Boolean(),
  /** present (true) when the facet counts were estimated from a fixed sample: a broad query on a large store */
  facetsAreEstimates: Type.Optional(Type.Boolean()),
  sort: Str,
  /** only the facets asked for */
  facets: Type.Optional(
    Type.Unsafe<Partial<Record<string, Static<typeof facetCounts>>>>({
      type: 'object',
      additionalProperties: facetCounts,
    }),
  ),
});

const vulnerabilityDetail = Type.Object({
  vulnerability: VulnerabilityRef,
  alsoKnownAs: Type.Array(Str),
  sources: Type.Array(
    Type.Object({
      source: Str,
      key: Str,
      state: Str,
      file: Nullable(Str),
      firstSeenAt: Str,
      updatedAt: Str,
      raw: Str,
    }),
  ),
  history: Type.Array(
    Type.Object({
      at: Str,
      change: Str,
      source: Nullable(Str),
      sourceKey: Nullable(Str),
      fields: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true }),
    }),
  ),
});

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
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(vulnerabilitySchema);

  r.get(
    '/api/v1/vulnerabilities',
    {
      schema: {
        operationId: 'searchVulnerabilities',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Search vulnerabilities',
        querystring: searchQuerystring,
        response: { 200: searchResponse, ...errorResponses(400) },
      },
    },
    async (req) => searchVulns(db, parseSearchParams(asRaw(req.query))),
  );

  r.get(
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
      const params = parseSearchParams(asRaw(req.query));
      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="vulnerabilities.csv"');
      return reply.send(Readable.from(exportCsv(db, params)));
    },
  );

  r.get(
    '/api/v1/vulnerabilities.atom',
    {
      schema: {
        operationId: 'getVulnerabilityFeed',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Atom feed of new and updated records (optionally one vendor’s), most recent first',
        querystring: Type.Object(
          {
            vendor: str('only this vendor', { maxLength: 200 }),
            lang: Type.Optional(StringEnum(['zh', 'en'], { description: 'zh or en', default: 'zh' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: textBody('application/atom+xml', 'an Atom 1.0 feed') },
      },
    },
    async (req, reply) => {
      // lang and limit have defaults, so Ajv has filled them in
      const { vendor, lang = 'zh', limit = 50 } = req.query;
      const entries = await listRecentChanges(db, { vendor, limit });
      const params = new URLSearchParams();
      if (vendor) params.set('vendor', vendor);
      if (lang !== 'zh') params.set('lang', lang);
      const self = `/api/v1/vulnerabilities.atom${params.size ? `?${params.toString()}` : ''}`;
      const name = lang === 'zh' ? 'vulnshare 漏洞更新' : 'vulnshare vulnerability updates';
      void reply
        .header('content-type', 'application/atom+xml; charset=utf-8')
        .header('cache-control', 'public, max-age=300');
      return renderAtom({
        baseUrl: deps.publicUrl,
        selfPath: self,
        lang,
        title: vendor ? `${name} · ${vendor}` : name,
        entries,
        now: (deps.clock ?? (() => new Date()))(),
      });
    },
  );

  r.get(
    '/api/v1/vulnerabilities/:id',
    {
      schema: {
        operationId: 'getVulnerability',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'One vulnerability by any of its ids, with its sources (verbatim) and history',
        params: idParams,
        querystring: Type.Object({
          raw: Type.Optional(
            Type.Boolean({ default: true, description: "include the sources' verbatim records" }),
          ),
        }),
        response: { 200: vulnerabilityDetail, ...errorResponses(404) },
      },
    },
    async (req) => getVulnerability(db, req.params.id, { withRaw: req.query.raw !== false }),
  );

  r.get(
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
        params: idParams,
        // toCve5 builds an untyped JSON tree (checked against CVE's own schema in its tests): the frame is the type
        response: { 200: Type.Unsafe<Cve5Record>(cve5RecordSchema), ...errorResponses(404, 409) },
      },
    },
    async (req) => {
      const { id } = req.params;
      const m = await getVulnerabilityRecords(db, id);
      return toCve5(m, { org: deps.platformOrg, requestedId: id, publicUrl: deps.publicUrl });
    },
  );

  r.get(
    '/api/v1/vulnerabilities/:id/osv',
    {
      schema: {
        operationId: 'getVulnerabilityOsv',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'The vulnerability as an OSV record (schema 1.7; CNVD fields in database_specific)',
        params: idParams,
        response: { 200: Type.Unsafe<OsvRecord>(osvResponseSchema), ...errorResponses(404) },
      },
    },
    async (req) => getOsv(db, req.params.id),
  );

  r.get(
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
          'Chinese text). 409 rejected_record for a rejected record.',
        params: idParams,
        querystring: Type.Object({ lang: Type.Optional(StringEnum(['zh', 'en'])) }),
        response: { 200: csafResponseSchema, ...errorResponses(404, 409) },
      },
    },
    async (req) => {
      const { lang } = req.query;
      return getCsaf(db, req.params.id, {
        publisher: { name: deps.platformOrg.shortName, namespace: deps.publicUrl },
        ...(lang ? { lang } : {}),
      });
    },
  );

  r.get(
    '/api/v1/vendors',
    {
      schema: {
        operationId: 'listVendors',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Vendors with their vulnerability counts',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ vendor: Str, count: Type.Integer(), high: Type.Integer() })),
          }),
        },
      },
    },
    async (req) => {
      const { q, limit } = req.query;
      return { items: await listVendors(db, { ...(q ? { q } : {}), ...(limit ? { limit } : {}) }) };
    },
  );

  r.get(
    '/api/v1/stats',
    {
      schema: {
        operationId: 'getStats',
        security: SIGN_IN_OPTIONAL,
        tags: ['vulnerabilities'],
        summary: 'Counts per week (by collection date), severity, object type, kind, source and vendor',
        querystring: Type.Object({
          weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 520, default: 12 })),
          from: Type.Optional(Type.String({ format: 'date' })),
          to: Type.Optional(Type.String({ format: 'date' })),
        }),
        response: { 200: statsSchema, ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.from && q.to && q.from > q.to)
        throw new AppError('invalid_parameter', 'from must not be after to', { parameter: 'from' });
      return getStats(db, q);
    },
  );
}
