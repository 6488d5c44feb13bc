/**
 * /api/v1/incidents: thin handlers over the incident service. Bodies are permissive objects (the domain
 * validator reports every problem with its field); responses list exactly the fields a caller may see. Routes
 * that change something refuse an anonymous caller before reading the body.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { RECIPIENTS_BODY } from '../coordination/routes.js';
import {
  ASSET_KINDS,
  ATTACK_PHASES,
  ATTRIBUTION_CONFIDENCES,
  SECTORS,
  STATUSES,
  TLP_LEVELS,
  VECTORS,
} from './tables.js';
import { INDICATOR_TYPES } from './indicators.js';
import { LIST_LIMIT, PERIODS, type IncidentService, type ListQuery } from './service.js';
import { SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';

const err = { $ref: 'Error#' } as const;
const errors = { 400: err, 401: err, 403: err, 404: err, 409: err } as const;
const str = { type: 'string' } as const;
const nstr = { type: 'string', nullable: true } as const;
const int = { type: 'integer' } as const;
const strings = { type: 'array', items: str } as const;
const oneOf = (table: object) => ({ type: 'string', enum: Object.keys(table) }) as const;

const incident = {
  type: 'object',
  required: ['id', 'title', 'summary', 'victims', 'discoveredAt', 'status', 'vector', 'tlp'],
  properties: {
    id: str,
    title: str,
    summary: str,
    victims: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: str, sector: oneOf(SECTORS), organisationId: int },
      },
    },
    discoveredAt: str,
    startedAt: str,
    endedAt: str,
    status: oneOf(STATUSES),
    attackChain: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          order: int,
          phase: oneOf(ATTACK_PHASES),
          description: str,
          techniqueIds: strings,
          vulnerabilityIds: strings,
          assets: str,
        },
      },
    },
    assets: {
      type: 'array',
      items: { type: 'object', properties: { kind: oneOf(ASSET_KINDS), count: int } },
    },
    dataTaken: str,
    indicators: {
      type: 'array',
      items: {
        type: 'object',
        properties: { type: { type: 'string', enum: [...INDICATOR_TYPES] }, value: str, description: str },
      },
    },
    attribution: {
      type: 'object',
      properties: { actor: str, confidence: { type: 'string', enum: [...ATTRIBUTION_CONFIDENCES] } },
    },
    vector: oneOf(VECTORS),
    tlp: oneOf(TLP_LEVELS),
    sharedWithOrganisationIds: { type: 'array', items: int },
    createdAt: str,
    updatedAt: str,
  },
} as const;

const incidentView = {
  ...incident,
  properties: {
    ...incident.properties,
    caseTrackingNo: nstr,
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: str,
          actor: str,
          kind: str,
          fromStatus: nstr,
          toStatus: nstr,
          fields: strings,
          change: str,
          note: nstr,
        },
      },
    },
  },
} as const;

const summary = {
  type: 'object',
  properties: {
    id: str,
    title: str,
    status: oneOf(STATUSES),
    tlp: oneOf(TLP_LEVELS),
    vector: oneOf(VECTORS),
    sectors: strings,
    victims: strings,
    discoveredAt: str,
    updatedAt: str,
  },
} as const;

const counts = { type: 'object', additionalProperties: int } as const;
const figures = {
  type: 'object',
  properties: {
    period: { type: 'string', enum: [...PERIODS] },
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
    byMonth: { type: 'array', items: int },
  },
} as const;

const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 40, description: 'INC-2026-0001' } },
} as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

/** Changes need an account: refuse anonymous callers before the body is validated. */
function signedIn(req: FastifyRequest, _reply: FastifyReply, done: (e?: Error) => void): void {
  done(req.principal.kind === 'anonymous' ? new AppError('unauthorized', 'Sign in first') : undefined);
}

const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;

export function registerIncidentRoutes(app: FastifyInstance, deps: { incidents: IncidentService }): void {
  const s = deps.incidents;

  app.get(
    '/api/v1/incidents',
    {
      schema: {
        operationId: 'listIncidents',
        security: SIGN_IN_OPTIONAL,
        tags: ['incidents'],
        summary:
          'Incidents the caller may see under their TLP (anonymous: TLP:CLEAR), newest discovery first; q searches titles, summaries, victims, indicators, technique and vulnerability ids',
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 500 },
            status: oneOf(STATUSES),
            sector: oneOf(SECTORS),
            vector: oneOf(VECTORS),
            tlp: oneOf(TLP_LEVELS),
            from: { type: 'string', pattern: DATE },
            to: { type: 'string', pattern: DATE },
            limit: { type: 'integer', minimum: 1, maximum: LIST_LIMIT.max },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: summary }, nextCursor: nstr },
          },
          ...errors,
        },
      },
    },
    async (req) => s.list(req.principal, req.query as ListQuery),
  );

  app.get(
    '/api/v1/incidents/figures',
    {
      schema: {
        operationId: 'getIncidentFigures',
        security: SIGN_IN_OPTIONAL,
        tags: ['incidents'],
        summary:
          'Incidents by discovery date (Asia/Shanghai) in a week (2026-W47), month (2026-11) or year (2026): by sector, vector, status and TLP; opened and closed in the period; by month for a year',
        querystring: {
          type: 'object',
          required: ['period', 'at'],
          properties: {
            period: { type: 'string', enum: [...PERIODS] },
            at: { type: 'string', maxLength: 10 },
          },
        },
        response: { 200: figures, ...errors },
      },
    },
    async (req) => s.figures(req.principal, req.query as { period: string; at: string }),
  );

  app.get(
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
    async (req) => s.get(req.principal, idOf(req)),
  );

  app.post(
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

  app.put(
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
    async (req) => s.update(req.principal, idOf(req), req.body),
  );

  app.post(
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
        body: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: { to: oneOf(STATUSES), note: { type: 'string', maxLength: 5000 } },
        },
        response: { 200: incident, ...errors },
      },
    },
    async (req) => {
      const b = req.body as { to: string; note?: string };
      return s.transition(req.principal, idOf(req), b.to, b.note);
    },
  );

  app.get(
    '/api/v1/incidents/:id/stix',
    {
      schema: {
        operationId: 'getIncidentStix',
        security: SIGN_IN_OPTIONAL,
        tags: ['incidents'],
        summary: 'The incident as a STIX 2.1 bundle (TLP 2.0 markings); ?download=true to save it as a file',
        params: idParam,
        querystring: { type: 'object', properties: { download: { type: 'boolean' } } },
        response: {
          200: {
            description: 'a STIX 2.1 bundle; its schema is OASIS’s (vendored in src/incidents/stix-schemas)',
            content: {
              'application/stix+json;version=2.1': {
                schema: {
                  type: 'object',
                  additionalProperties: true,
                  required: ['type', 'id', 'objects'],
                  properties: {
                    type: { type: 'string', enum: ['bundle'] },
                    id: { type: 'string' },
                    objects: { type: 'array', items: { type: 'object', additionalProperties: true } },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const id = idOf(req);
      const bundle = await s.exportStix(req.principal, id);
      if ((req.query as { download?: boolean }).download)
        void reply.header('content-disposition', `attachment; filename="${id}.stix.json"`);
      return reply.type('application/stix+json;version=2.1').send(JSON.stringify(bundle, null, 2));
    },
  );

  app.post(
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
          201: { type: 'object', properties: { incident, outcome: { type: 'string' }, warnings: strings } },
          200: { type: 'object', properties: { incident, outcome: { type: 'string' }, warnings: strings } },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const r = await s.importStix(req.principal, req.body);
      return reply.status(r.outcome === 'created' ? 201 : 200).send(r);
    },
  );

  app.post(
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
          201: {
            type: 'object',
            properties: {
              trackingNo: str,
              notifications: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { recipients: Array<{ organisationId: number; category: string }> };
      return reply.status(201).send(await s.notify(req.principal, idOf(req), b.recipients));
    },
  );
}
