/**
 * /api/v1/incidents: thin handlers over the incident service. Bodies are permissive objects (the domain
 * validator reports every problem with its field); responses list exactly the fields a caller may see. Routes
 * that change something refuse an anonymous caller before reading the body.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import { RECIPIENTS_BODY, notificationView } from '../coordination/routes.js';
import {
  ASSET_KINDS,
  ATTACK_PHASES,
  ATTRIBUTION_CONFIDENCES,
  LAWS,
  MEASURE_KINDS,
  RESPONSIBLE_ROLES,
  REVOCATION_STATUSES,
  SECTORS,
  STATUSES,
  TLP_LEVELS,
  VECTORS,
} from './tables.js';
import { INDICATOR_TYPES } from './indicators.js';
import type { StixBundle } from './stix.js';
import { LIST_LIMIT, PERIODS, type IncidentService } from './service.js';
import { SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const str = Type.String();
const nstr = Nullable(Type.String());
const int = Type.Integer();
const strings = Type.Array(str);
/** One of a table's codes (the keys of SECTORS, STATUSES …). */
const oneOf = <T extends object>(table: T) =>
  StringEnum(Object.keys(table) as Array<Extract<keyof T, string>>);

const incidentProperties = {
  id: str,
  title: str,
  summary: str,
  victims: Type.Array(Type.Object({ name: str, sector: oneOf(SECTORS), organisationId: Type.Optional(int) })),
  discoveredAt: str,
  startedAt: Type.Optional(str),
  endedAt: Type.Optional(str),
  status: oneOf(STATUSES),
  attackChain: Type.Array(
    Type.Object({
      order: int,
      phase: oneOf(ATTACK_PHASES),
      description: str,
      techniqueIds: strings,
      vulnerabilityIds: strings,
      assets: Type.Optional(str),
    }),
  ),
  assets: Type.Array(Type.Object({ kind: oneOf(ASSET_KINDS), count: int })),
  dataTaken: Type.Optional(str),
  indicators: Type.Array(
    Type.Object({
      type: StringEnum(INDICATOR_TYPES),
      value: str,
      description: Type.Optional(str),
    }),
  ),
  attribution: Type.Optional(Type.Object({ actor: str, confidence: StringEnum(ATTRIBUTION_CONFIDENCES) })),
  responsibleParties: Type.Optional(
    Type.Array(Type.Object({ name: str, role: oneOf(RESPONSIBLE_ROLES), description: Type.Optional(str) }), {
      description: 'who the case names as responsible (承建单位, 运营单位 …)',
    }),
  ),
  measures: Type.Optional(
    Type.Array(
      Type.Object({
        kind: oneOf(MEASURE_KINDS),
        description: str,
        legalBasis: Type.Array(
          Type.Object({ law: oneOf(LAWS), article: Type.Optional(str), text: Type.Optional(str) }),
        ),
        against: Type.Optional(str),
        authority: Type.Optional(str),
        amountCny: Type.Optional(Type.Number()),
        decidedAt: Type.Optional(str),
      }),
      { description: 'measures and penalties (责令整改, 罚款 …), each with its legal basis' },
    ),
  ),
  certificates: Type.Optional(
    Type.Array(
      Type.Object({
        issuer: str,
        serialNumber: str,
        subject: Type.Optional(str),
        thumbprintSha256: Type.Optional(str),
        thumbprintSha1: Type.Optional(str),
        revocation: oneOf(REVOCATION_STATUSES),
        revokedAt: Type.Optional(str),
      }),
      { description: 'certificates misused in the incident, and their revocation' },
    ),
  ),
  vector: oneOf(VECTORS),
  tlp: oneOf(TLP_LEVELS),
  sharedWithOrganisationIds: Type.Optional(Type.Array(int)),
  createdAt: str,
  updatedAt: str,
};
const incident = Type.Object(incidentProperties);

const incidentView = Type.Object({
  ...incidentProperties,
  caseTrackingNo: nstr,
  history: Type.Array(
    Type.Object({
      at: str,
      actor: str,
      kind: str,
      fromStatus: nstr,
      toStatus: nstr,
      fields: strings,
      change: str,
      note: nstr,
    }),
  ),
});

const summary = Type.Object({
  id: str,
  title: str,
  status: oneOf(STATUSES),
  tlp: oneOf(TLP_LEVELS),
  vector: oneOf(VECTORS),
  sectors: strings,
  victims: strings,
  discoveredAt: str,
  updatedAt: str,
});

const counts = Type.Object({}, { additionalProperties: int });
const figures = Type.Object({
  period: StringEnum(PERIODS),
  id: str,
  from: str,
  to: str,
  total: int,
  opened: int,
  closed: int,
  bySector: counts,
  byVector: counts,
  byStatus: counts,
  byTlp: counts,
  byMonth: Type.Optional(Type.Array(int, { description: "period 'year' only: per month, January first" })),
});

const imported = Type.Object({
  incident,
  outcome: StringEnum(['created', 'updated', 'unchanged']),
  warnings: strings,
});

/** The bundle's frame; its objects are STIX 2.1 objects (OASIS's schemas, vendored in src/incidents/stix-schemas). */
const stixBundle = Type.Unsafe<StixBundle>({
  type: 'object',
  additionalProperties: true,
  required: ['type', 'id', 'objects'],
  properties: {
    type: { type: 'string', enum: ['bundle'] },
    id: { type: 'string' },
    objects: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
});

const idParam = Type.Object({ id: Type.String({ maxLength: 40, description: 'INC-2026-0001' }) });
/** Bodies the domain validator checks field by field (it reports every problem with its field). */
const anyObject = Type.Object({}, { additionalProperties: true });
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

/** Changes need an account: refuse anonymous callers before the body is validated. */
function signedIn(req: FastifyRequest, _reply: FastifyReply, done: (e?: Error) => void): void {
  done(req.principal.kind === 'anonymous' ? new AppError('unauthorized', 'Sign in first') : undefined);
}

export function registerIncidentRoutes(app: FastifyInstance, deps: { incidents: IncidentService }): void {
  const s = deps.incidents;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/incidents',
    {
      schema: {
        operationId: 'listIncidents',
        security: SIGN_IN_OPTIONAL,
        tags: ['incidents'],
        summary:
          'Incidents the caller may see under their TLP (anonymous: TLP:CLEAR), newest discovery first; q searches titles, summaries, victims, indicators, technique and vulnerability ids',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 500 })),
          status: Type.Optional(oneOf(STATUSES)),
          sector: Type.Optional(oneOf(SECTORS)),
          vector: Type.Optional(oneOf(VECTORS)),
          tlp: Type.Optional(oneOf(TLP_LEVELS)),
          from: Type.Optional(Type.String({ pattern: DATE })),
          to: Type.Optional(Type.String({ pattern: DATE })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_LIMIT.max })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(summary), nextCursor: nstr }),
          ...errors,
        },
      },
    },
    async (req) => s.list(req.principal, req.query),
  );

  r.get(
    '/api/v1/incidents/figures',
    {
      schema: {
        operationId: 'getIncidentFigures',
        security: SIGN_IN_OPTIONAL,
        tags: ['incidents'],
        summary:
          'Incidents by discovery date (Asia/Shanghai) in a week (2026-W47), month (2026-11) or year (2026): by sector, vector, status and TLP; opened and closed in the period; by month for a year',
        querystring: Type.Object({ period: StringEnum(PERIODS), at: Type.String({ maxLength: 10 }) }),
        response: { 200: figures, ...errors },
      },
    },
    async (req) => s.figures(req.principal, req.query),
  );

  r.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        operationId: 'getIncident',
        security: SIGN_IN_OPTIONAL,
        tags: ['incidents'],
        summary: 'One incident with its history (and its disposal case, for analysts); hidden ones are 404',
        params: idParam,
        response: { 200: incidentView, ...errors },
      },
    },
    async (req) => s.get(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/incidents',
    {
      preValidation: signedIn,
      schema: {
        operationId: 'createIncident',
        security: SIGNED_IN,
        tags: ['incidents'],
        summary: 'Record an incident (analysts); 400 lists every problem in error.details.problems',
        body: anyObject,
        response: { 201: incident, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await s.create(req.principal, req.body)),
  );

  r.put(
    '/api/v1/incidents/:id',
    {
      preValidation: signedIn,
      schema: {
        operationId: 'updateIncident',
        security: SIGNED_IN,
        tags: ['incidents'],
        summary: 'Replace the editable fields (analysts); the status changes only along the transition table',
        params: idParam,
        body: anyObject,
        response: { 200: incident, ...errors },
      },
    },
    async (req) => s.update(req.principal, req.params.id, req.body),
  );

  r.post(
    '/api/v1/incidents/:id/transitions',
    {
      preValidation: signedIn,
      schema: {
        operationId: 'transitionIncident',
        security: SIGNED_IN,
        tags: ['incidents'],
        summary:
          'Move an incident to another status (open → analysing → contained → closed; reopen to analysing)',
        params: idParam,
        body: Type.Object(
          { to: oneOf(STATUSES), note: Type.Optional(Type.String({ maxLength: 5000 })) },
          { additionalProperties: false },
        ),
        response: { 200: incident, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      return s.transition(req.principal, req.params.id, b.to, b.note);
    },
  );

  r.get(
    '/api/v1/incidents/:id/stix',
    {
      schema: {
        operationId: 'getIncidentStix',
        security: SIGN_IN_OPTIONAL,
        tags: ['incidents'],
        summary: 'The incident as a STIX 2.1 bundle (TLP 2.0 markings); ?download=true to save it as a file',
        params: idParam,
        querystring: Type.Object({ download: Type.Optional(Type.Boolean()) }),
        response: {
          200: {
            description: 'a STIX 2.1 bundle; its schema is OASIS’s (vendored in src/incidents/stix-schemas)',
            content: {
              'application/stix+json;version=2.1': {
                schema: stixBundle,
              },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const bundle = await s.exportStix(req.principal, id);
      if (req.query.download)
        void reply.header('content-disposition', `attachment; filename="${id}.stix.json"`);
      // indented as a file is (the whole bundle: its schema is OASIS's, not this route's)
      return reply
        .type('application/stix+json;version=2.1')
        .serializer((payload) => JSON.stringify(payload, null, 2))
        .send(bundle);
    },
  );

  r.post(
    '/api/v1/incidents/import',
    {
      preValidation: signedIn,
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        operationId: 'importIncidentStix',
        security: SIGNED_IN,
        tags: ['incidents'],
        summary:
          'Import a STIX 2.1 bundle (analysts): 201 with a new incident, or 200 when its STIX id is known here (the incident updated or unchanged); an invalid bundle is refused with every problem',
        body: anyObject,
        response: {
          201: imported,
          200: imported,
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const r = await s.importStix(req.principal, req.body);
      return reply.status(r.outcome === 'created' ? 201 : 200).send(r);
    },
  );

  r.post(
    '/api/v1/incidents/:id/notifications',
    {
      preValidation: signedIn,
      schema: {
        operationId: 'notifyIncident',
        security: SIGNED_IN,
        tags: ['incidents', 'disposal'],
        summary:
          'Hand the incident to disposal (an event-type case, opened once) and notify recipients with deadlines',
        params: idParam,
        body: RECIPIENTS_BODY,
        response: {
          201: Type.Object({ trackingNo: str, notifications: Type.Array(notificationView) }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      return reply.status(201).send(await s.notify(req.principal, req.params.id, req.body.recipients));
    },
  );
}
