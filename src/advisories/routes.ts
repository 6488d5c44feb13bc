/**
 * /api/v1/advisories: platform advisories (several records in one CSAF 2.0 document). Each handler is one call
 * to the advisory service, which checks who may do what; the response schemas list what a caller sees (the
 * frozen content of each revision stays inside).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import { csafResponseSchema } from '../csaf/service.js';
import type { CsafDocument } from '../csaf/write.js';
import { SIGN_IN_OPTIONAL, SIGNED_IN } from '../http/openapi.js';
import { ADVISORY_LIMITS, ADVISORY_STATUSES, ADVISORY_TLPS } from './model.js';
import type { AdvisoryService } from './service.js';

const ErrorRef = Type.Unsafe<{ error: { code: string; message: string } }>({ $ref: 'Error#' });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorRef]));
const Nullable = <T extends TSchema>(s: T) => Type.Unsafe<Static<T> | null>({ ...s, nullable: true });
const StringEnum = <const V extends readonly string[]>(values: V) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values] });

const Revision = Type.Object({
  number: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  summary: Nullable(Type.String()),
  actor: Type.String(),
});

const AdvisoryView = Type.Object({
  id: Type.Integer(),
  publicId: Nullable(Type.String({ description: 'VS-SA-<year>-<n>, assigned on first publication' })),
  status: StringEnum(ADVISORY_STATUSES),
  titleZh: Nullable(Type.String()),
  titleEn: Nullable(Type.String()),
  summaryZh: Nullable(Type.String()),
  summaryEn: Nullable(Type.String()),
  tlp: StringEnum(ADVISORY_TLPS),
  vulnerabilityIds: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  publishedAt: Nullable(Type.String({ format: 'date-time' })),
  revisions: Type.Array(Revision),
  pendingChanges: Type.Boolean({
    description: 'Published, and changed since the last revision: publish again to revise',
  }),
});

const text = (max: number) => Nullable(Type.String({ maxLength: max }));
const TextFields = {
  titleZh: Type.Optional(text(ADVISORY_LIMITS.title)),
  titleEn: Type.Optional(text(ADVISORY_LIMITS.title)),
  summaryZh: Type.Optional(text(ADVISORY_LIMITS.summary)),
  summaryEn: Type.Optional(text(ADVISORY_LIMITS.summary)),
  tlp: Type.Optional(StringEnum(ADVISORY_TLPS)),
};
const RecordIds = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: ADVISORY_LIMITS.records,
});
const Ref = Type.Object({ id: Type.String({ description: 'the row id, or the public id VS-SA-…' }) });

export function registerAdvisoryRoutes(
  instance: FastifyInstance,
  deps: { advisories: AdvisoryService },
): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const a = deps.advisories;
  const tags = ['csaf'];

  app.get(
    '/api/v1/advisories',
    {
      schema: {
        operationId: 'listAdvisories',
        security: SIGN_IN_OPTIONAL,
        tags,
        summary:
          'Platform advisories, newest first: published ones as their TLP allows; drafts too for analysts',
        querystring: Type.Object(
          {
            status: Type.Optional(StringEnum(ADVISORY_STATUSES)),
            before: Type.Optional(
              Type.Integer({ description: 'only advisories with a smaller id (paging)' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(AdvisoryView) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => ({ items: await a.list(req.principal, req.query) }),
  );

  app.post(
    '/api/v1/advisories',
    {
      schema: {
        operationId: 'createAdvisory',
        security: SIGNED_IN,
        tags,
        summary: 'Create a draft advisory: titles and summaries in zh / en, TLP, the records it groups',
        body: Type.Object(
          { ...TextFields, vulnerabilityIds: Type.Optional(RecordIds) },
          { additionalProperties: false },
        ),
        response: { 201: AdvisoryView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await a.create(req.principal, req.body)),
  );

  app.get(
    '/api/v1/advisories/:id',
    {
      schema: {
        operationId: 'getAdvisory',
        security: SIGN_IN_OPTIONAL,
        tags,
        summary: 'One advisory with its records and revisions',
        params: Ref,
        response: { 200: AdvisoryView, ...errors(401, 403, 404) },
      },
    },
    async (req) => a.get(req.principal, req.params.id),
  );

  app.patch(
    '/api/v1/advisories/:id',
    {
      schema: {
        operationId: 'updateAdvisory',
        security: SIGNED_IN,
        tags,
        summary:
          'Edit titles, summaries or TLP (a published advisory: for its next revision, published by publish)',
        params: Ref,
        body: Type.Object(TextFields, { additionalProperties: false }),
        response: { 200: AdvisoryView, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => a.update(req.principal, req.params.id, req.body),
  );

  app.post(
    '/api/v1/advisories/:id/vulnerabilities',
    {
      schema: {
        operationId: 'addAdvisoryRecords',
        security: SIGNED_IN,
        tags,
        summary:
          'Add records by any of their ids (unknown: 404; rejected, or a CVE another record of the advisory carries: 409)',
        params: Ref,
        body: Type.Object({ ids: RecordIds }, { additionalProperties: false }),
        response: { 200: AdvisoryView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => a.addRecords(req.principal, req.params.id, req.body.ids),
  );

  app.delete(
    '/api/v1/advisories/:id/vulnerabilities/:vulnId',
    {
      schema: {
        operationId: 'removeAdvisoryRecord',
        security: SIGNED_IN,
        tags,
        summary: 'Remove one record from an advisory',
        params: Type.Object({ id: Type.String(), vulnId: Type.String() }),
        response: { 200: AdvisoryView, ...errors(401, 403, 404) },
      },
    },
    async (req) => a.removeRecord(req.principal, req.params.id, req.params.vulnId),
  );

  app.post(
    '/api/v1/advisories/:id/publish',
    {
      schema: {
        operationId: 'publishAdvisory',
        security: SIGNED_IN,
        tags,
        summary:
          'Publish: the first time assigns VS-SA-<year>-<n> (revision 1), later the next revision. 409 when a record is unpublished, under embargo, rejected or shares a CVE, or nothing changed',
        params: Ref,
        body: Type.Object(
          {
            summary: Type.Optional(
              Type.String({ maxLength: ADVISORY_LIMITS.revisionSummary, description: 'what changed' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: AdvisoryView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => a.publish(req.principal, req.params.id, req.body),
  );

  app.get(
    '/api/v1/advisories/:id/csaf',
    {
      schema: {
        operationId: 'getAdvisoryCsaf',
        security: SIGN_IN_OPTIONAL,
        tags,
        summary: 'A published advisory as one CSAF 2.0 document (csaf_security_advisory, or csaf_vex)',
        description:
          "What the last revision published: the records' products merged into one product tree, one " +
          'vulnerability per record with its vendor statuses where known (see src/advisories/csaf.ts), the ' +
          "advisory's TLP; valid against the strict CSAF 2.0 schema and every mandatory test. 409 for a draft.",
        params: Ref,
        querystring: Type.Object(
          { lang: Type.Optional(StringEnum(['zh', 'en'] as const)) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unsafe<CsafDocument>(csafResponseSchema),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => a.csaf(req.principal, req.params.id, req.query.lang),
  );
}
