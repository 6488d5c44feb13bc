/**
 * GCVE-BCP-03's two transports at the platform's public URL (the `gcve_pull_api` a GCVE directory names):
 * `GET /api/gcve/publication` (pages of records, newest first by default, `since` for incremental pulls) and
 * `GET /dumps/gna-<id>.ndjson` (every record, one JSON document a line, streamed).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NO_SIGN_IN } from '../http/openapi.js';
import { StringEnum, errorResponses } from '../http/schemas.js';
import { textBody } from '../vulns/schema.js';
import { PUBLICATION_LIMITS } from './model.js';
import type { GcvePublication } from './service.js';

/** A GCVE-BCP-05 record: the CVE Record Format with `cveMetadata.vulnId` (loosely: the record is the body). */
const gcveRecord = Type.Object(
  {
    dataType: Type.Literal('CVE_RECORD'),
    dataVersion: Type.String(),
    cveMetadata: Type.Object(
      {
        vulnId: Type.String({ pattern: '^GCVE-[0-9]+-[0-9]{4}-[0-9]{4,}$' }),
        assignerOrgId: Type.String(),
        assignerShortName: Type.String(),
        state: Type.Literal('PUBLISHED'),
        datePublished: Type.Optional(Type.String({ format: 'date-time' })),
        dateUpdated: Type.Optional(Type.String({ format: 'date-time' })),
      },
      { additionalProperties: false },
    ),
    containers: Type.Object({ cna: Type.Object({}, { additionalProperties: true }) }),
  },
  { description: 'A GCVE-BCP-05 record (CVE Record Format 5.1 with cveMetadata.vulnId)' },
);

export function registerGcveRoutes(app: FastifyInstance, deps: { gcve: GcvePublication }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/gcve/publication',
    {
      schema: {
        operationId: 'getGcvePublication',
        security: NO_SIGN_IN,
        tags: ['gcve'],
        summary: "GCVE-BCP-03 pull API: the platform's own published records as GCVE-BCP-05 records",
        description:
          'A bare JSON array. Records numbered by this platform (its id prefix) only, as GCVE-<gna>-<year>-<serial>; ' +
          '404 not_found while no GNA id is configured.',
        querystring: Type.Object({
          page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
          per_page: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: PUBLICATION_LIMITS.maxPerPage,
              default: PUBLICATION_LIMITS.defaultPerPage,
            }),
          ),
          date_sort: Type.Optional(StringEnum(['published', 'updated'], { default: 'updated' })),
          sort_order: Type.Optional(StringEnum(['asc', 'desc'], { default: 'desc' })),
          since: Type.Optional(
            Type.String({ description: 'a date (YYYY-MM-DD, its start in UTC) or an RFC 3339 instant' }),
          ),
        }),
        response: { 200: Type.Array(gcveRecord), ...errorResponses(400, 404) },
      },
    },
    (req) =>
      deps.gcve.publication({
        ...(req.query.page ? { page: req.query.page } : {}),
        ...(req.query.per_page ? { perPage: req.query.per_page } : {}),
        ...(req.query.date_sort ? { dateSort: req.query.date_sort } : {}),
        ...(req.query.sort_order ? { sortOrder: req.query.sort_order } : {}),
        ...(req.query.since ? { since: req.query.since } : {}),
      }),
  );

  r.get(
    '/dumps/:file',
    {
      schema: {
        operationId: 'getGcveDump',
        security: NO_SIGN_IN,
        tags: ['gcve'],
        summary: "GCVE-BCP-03 static dump: every record of the platform's GNA, one JSON document a line",
        params: Type.Object({ file: Type.String({ pattern: '^gna-[0-9]{1,9}\\.ndjson$' }) }),
        // 404 (not a GNA, another GNA's dump) is the error body every route answers
        response: { 200: textBody('application/x-ndjson', 'NDJSON: one GCVE-BCP-05 record a line') },
      },
    },
    async (req, reply) => {
      const gna = Number(/^gna-(\d+)\.ndjson$/.exec(req.params.file)?.[1]);
      const lines = deps.gcve.dump(gna);
      // the first page is read before the status is sent, so a wrong GNA is a 404, not a broken 200
      const first = await lines.next();
      async function* all() {
        if (!first.done) yield first.value;
        yield* lines;
      }
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(all()));
    },
  );
}
