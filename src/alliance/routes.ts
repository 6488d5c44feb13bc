/**
 * /api/v1/alliance: the public member directory (anyone), an analyst's changes of status and renewal, and the
 * active members as a sharing audience (an early warning notified to every member that may receive).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RECIPIENT_CATEGORIES } from '../coordination/rules.js';
import { NO_SIGN_IN, SIGNED_IN } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { MEMBERSHIP_STATUSES } from './model.js';
import { DIRECTORY_LIMIT, type AllianceService } from './service.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const str = Type.String();
const status = StringEnum(MEMBERSHIP_STATUSES);
const date = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'ISO date, 2021-12-31' });

const member = Type.Object(
  {
    organisationId: Type.Integer(),
    certificate: Type.String({ description: 'canonical: CCTGA-000150' }),
    certificateRaw: Type.String({ description: 'as the imported list wrote it: CCTGA-0000150' }),
    name: str,
    nameEn: Nullable(str),
    status,
    joinedOn: str,
    renewalOn: Nullable(str),
  },
  { additionalProperties: false },
);
const certificateParam = Type.Object({ certificate: Type.String({ minLength: 1, maxLength: 40 }) });
const category = StringEnum(RECIPIENT_CATEGORIES);
const skipped = Type.Array(
  Type.Object({ organisationId: Type.Integer(), name: str, reason: str }, { additionalProperties: false }),
);

export function registerAllianceRoutes(app: FastifyInstance, deps: { alliance: AllianceService }): void {
  const a = deps.alliance;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/alliance/members',
    {
      schema: {
        operationId: 'listAllianceMembers',
        security: NO_SIGN_IN,
        tags: ['alliance'],
        summary:
          'The alliance member directory (网络安全威胁治理联盟成员): search by name (zh or en) or certificate number (150, CCTGA-0000150); certificate order, ?after= pages',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 200 })),
            status: Type.Optional(status),
            after: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: DIRECTORY_LIMIT.max, default: DIRECTORY_LIMIT.default }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              members: Type.Array(member),
              next: Nullable(str),
              counts: Type.Object(
                { active: Type.Integer(), suspended: Type.Integer(), expired: Type.Integer() },
                { additionalProperties: false },
              ),
            },
            { additionalProperties: false },
          ),
          ...errors,
        },
      },
    },
    async (req) => a.directory(req.query),
  );

  r.get(
    '/api/v1/alliance/members/:certificate',
    {
      schema: {
        operationId: 'getAllianceMember',
        security: NO_SIGN_IN,
        tags: ['alliance'],
        summary: 'One member by its certificate (any padding: CCTGA-000150 = CCTGA-0000150)',
        params: certificateParam,
        response: { 200: member, ...errors },
      },
    },
    async (req) => a.member(req.params.certificate),
  );

  r.patch(
    '/api/v1/alliance/members/:certificate',
    {
      schema: {
        operationId: 'updateAllianceMember',
        security: SIGNED_IN,
        tags: ['alliance'],
        summary:
          'Suspend, expire or renew a membership, or move its renewal date (admins, analysts); renewing an expired one without a date runs one more term from today',
        params: certificateParam,
        body: Type.Object(
          {
            status: Type.Optional(status),
            renewalOn: Type.Optional(Nullable(date)),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: member, ...errors },
      },
    },
    async (req) => a.update(req.principal, req.params.certificate, req.body),
  );

  r.get(
    '/api/v1/alliance/audience',
    {
      schema: {
        operationId: 'getAllianceAudience',
        security: SIGNED_IN,
        tags: ['alliance'],
        summary:
          'The active members as disposal recipients (organisation, category), and those left out with the reason (analysts)',
        querystring: Type.Object({ category: Type.Optional(category) }, { additionalProperties: false }),
        response: {
          200: Type.Object(
            {
              recipients: Type.Array(
                Type.Object({ organisationId: Type.Integer(), category }, { additionalProperties: false }),
              ),
              skipped,
            },
            { additionalProperties: false },
          ),
          ...errors,
        },
      },
    },
    async (req) => a.audience(req.principal, req.query.category),
  );

  r.post(
    '/api/v1/alliance/notifications',
    {
      schema: {
        operationId: 'notifyAllianceMembers',
        security: SIGNED_IN,
        tags: ['alliance'],
        summary:
          'An early warning: notify a verified report to every active member that may receive (analysts), through disposal',
        body: Type.Object(
          { trackingNo: Type.String({ minLength: 1, maxLength: 60 }), category: Type.Optional(category) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ notified: Type.Integer(), skipped }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await a.notifyMembers(req.principal, req.body.trackingNo, req.body.category)),
  );
}
