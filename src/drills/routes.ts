/**
 * /api/v1/drills: exercises (应急演练). The control team (admins, analysts) creates, starts and ends them and
 * reads the timeline and the after-action report; members of participating organisations read what reached
 * them (/api/v1/drills/mine) and answer an inject. One service call per handler.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import { SIGNED_IN } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { LANGS } from '../reports/text.js';
import { ACTION_STATUSES } from './figures.js';
import { DRILL_STATES, INJECT_CHANNELS, RESPONSE_KINDS } from './model.js';
import { REPORT_FORMATS, type DrillService } from './service.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const str = Type.String();
const nstr = Nullable(str);
const int = Type.Integer();
const closed = { additionalProperties: false } as const;

const expected = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]{0,39}$',
      description: 'what a response names in fulfils: ack, report_c2',
    }),
    description: Type.String({ minLength: 1, maxLength: 500 }),
    withinMinutes: Type.Integer({ minimum: 1, maximum: 43200, description: 'deadline after delivery' }),
  },
  closed,
);
const channels = Type.Array(StringEnum(INJECT_CHANNELS), { minItems: 1, maxItems: 3 });
const scenario = Type.Object(
  { zh: Type.String({ maxLength: 20000 }), en: Type.String({ maxLength: 20000 }) },
  closed,
);
const participant = Type.Object({ organisationId: int, name: str, nameEn: nstr, kind: str }, closed);
const inject = Type.Object(
  {
    id: int,
    seq: int,
    dueAt: str,
    channels,
    subject: str,
    body: str,
    artefacts: str,
    expected: Type.Array(expected),
    sentAt: nstr,
  },
  closed,
);
const drill = Type.Object(
  {
    id: int,
    title: str,
    scenario,
    state: StringEnum(DRILL_STATES),
    createdBy: str,
    createdAt: str,
    startedAt: nstr,
    endedAt: nstr,
    participants: Type.Array(participant),
    injects: Type.Array(inject),
  },
  closed,
);
const response = Type.Object(
  { id: int, kind: StringEnum(RESPONSE_KINDS), text: str, fulfils: nstr, at: str, actor: str },
  closed,
);
const idParam = Type.Object({ id: Type.Integer({ minimum: 1 }) }, closed);
const figuresSchema = Type.Object(
  {
    drill: Type.Object({ id: int, title: str, scenario, state: str, startedAt: nstr, endedAt: nstr }, closed),
    asOf: str,
    injects: Type.Array(
      Type.Object(
        { seq: int, subject: str, dueAt: str, sentAt: nstr, expected: Type.Array(expected) },
        closed,
      ),
    ),
    participants: Type.Array(
      Type.Object(
        {
          organisationId: int,
          name: str,
          nameEn: nstr,
          kind: str,
          responses: int,
          injects: Type.Array(
            Type.Object(
              {
                seq: int,
                deliveredAt: nstr,
                acknowledgedAt: nstr,
                minutesToAcknowledge: Nullable(Type.Number()),
                actions: Type.Array(
                  Type.Object(
                    {
                      key: str,
                      description: str,
                      deadlineAt: str,
                      doneAt: nstr,
                      minutes: Nullable(Type.Number()),
                      status: StringEnum(ACTION_STATUSES),
                    },
                    closed,
                  ),
                ),
              },
              closed,
            ),
          ),
          meanMinutesToAcknowledge: Nullable(Type.Number()),
          onTime: int,
          late: int,
          missed: int,
          pending: int,
        },
        closed,
      ),
    ),
    missed: Type.Array(
      Type.Object(
        {
          organisationId: int,
          name: str,
          seq: int,
          key: str,
          description: str,
          deadlineAt: str,
          doneAt: nstr,
          status: StringEnum(['late', 'missed'] as const),
        },
        closed,
      ),
    ),
    totals: Type.Object(
      {
        participants: int,
        responding: int,
        injectsSent: int,
        deliveries: int,
        responses: int,
        expected: int,
        onTime: int,
        late: int,
        missed: int,
        pending: int,
      },
      closed,
    ),
  },
  closed,
);

/** Changes need an account: refuse anonymous callers before the body is validated. */
function signedIn(req: FastifyRequest, _reply: FastifyReply, done: (e?: Error) => void): void {
  done(req.principal.kind === 'anonymous' ? new AppError('unauthorized', 'Sign in first') : undefined);
}

export function registerDrillRoutes(app: FastifyInstance, deps: { drills: DrillService }): void {
  const s = deps.drills;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['drills'];

  r.post(
    '/api/v1/drills',
    {
      preValidation: signedIn,
      schema: {
        operationId: 'createDrill',
        security: SIGNED_IN,
        tags,
        summary:
          'A draft exercise (应急演练): scenario, participating organisations, the schedule of injects',
        body: Type.Object(
          {
            title: Type.String({ minLength: 1, maxLength: 300 }),
            scenario,
            participantIds: Type.Array(int, { minItems: 1, maxItems: 500 }),
            injects: Type.Array(
              Type.Object(
                {
                  dueAt: Type.String({ description: 'ISO 8601 time it goes out' }),
                  channels,
                  subject: Type.String({ minLength: 1, maxLength: 300 }),
                  body: Type.String({ minLength: 1, maxLength: 50000 }),
                  artefacts: Type.Optional(Type.String({ maxLength: 50000 })),
                  expected: Type.Array(expected, { maxItems: 20 }),
                },
                closed,
              ),
              { minItems: 1, maxItems: 100 },
            ),
          },
          closed,
        ),
        response: { 201: drill, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await s.create(req.principal, req.body)),
  );

  r.get(
    '/api/v1/drills',
    {
      schema: {
        operationId: 'listDrills',
        security: SIGNED_IN,
        tags,
        summary: 'Exercises, newest first (the control team)',
        querystring: Type.Object({ state: Type.Optional(StringEnum(DRILL_STATES)) }, closed),
        response: { 200: Type.Object({ items: Type.Array(drill) }, closed), ...errors },
      },
    },
    async (req) => ({
      items: await s.list(req.principal, req.query.state ? { state: req.query.state } : {}),
    }),
  );

  r.get(
    '/api/v1/drills/mine',
    {
      schema: {
        operationId: 'myDrills',
        security: SIGNED_IN,
        tags,
        summary:
          "The exercises one's organisation takes part in: the injects that reached it and its responses",
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object(
                  {
                    id: int,
                    title: str,
                    scenario,
                    state: StringEnum(DRILL_STATES),
                    injects: Type.Array(
                      Type.Object(
                        {
                          ...inject.properties,
                          deliveredAt: str,
                          responses: Type.Array(response),
                        },
                        closed,
                      ),
                    ),
                  },
                  closed,
                ),
              ),
            },
            closed,
          ),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await s.mine(req.principal) }),
  );

  r.get(
    '/api/v1/drills/:id',
    {
      schema: {
        operationId: 'getDrill',
        security: SIGNED_IN,
        tags,
        summary: 'One exercise',
        params: idParam,
        response: { 200: drill, ...errors },
      },
    },
    async (req) => s.get(req.principal, req.params.id),
  );

  for (const [path, operationId, summary, call] of [
    ['start', 'startDrill', 'Start a draft exercise: its injects go out at their times', s.start],
    ['end', 'endDrill', 'End a running exercise: injects not yet sent stay unsent, responses close', s.end],
  ] as const)
    r.post(
      `/api/v1/drills/:id/${path}`,
      {
        preValidation: signedIn,
        schema: {
          operationId,
          security: SIGNED_IN,
          tags,
          summary,
          params: idParam,
          response: { 200: drill, ...errors },
        },
      },
      async (req) => call(req.principal, req.params.id),
    );

  r.post(
    '/api/v1/drills/:id/injects/:injectId/responses',
    {
      preValidation: signedIn,
      schema: {
        operationId: 'respondToInject',
        security: SIGNED_IN,
        tags,
        summary:
          'Answer an inject that reached your organisation: acknowledge, findings, actions taken (naming the expected action fulfilled), questions',
        params: Type.Object(
          { id: Type.Integer({ minimum: 1 }), injectId: Type.Integer({ minimum: 1 }) },
          closed,
        ),
        body: Type.Object(
          {
            kind: StringEnum(RESPONSE_KINDS),
            text: Type.String({ minLength: 1, maxLength: 20000 }),
            fulfils: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' })),
          },
          closed,
        ),
        response: {
          201: Type.Object(
            {
              id: int,
              injectId: int,
              seq: int,
              kind: StringEnum(RESPONSE_KINDS),
              text: str,
              fulfils: nstr,
              at: str,
            },
            closed,
          ),
          ...errors,
        },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await s.respond(req.principal, req.params.id, req.params.injectId, req.body)),
  );

  r.get(
    '/api/v1/drills/:id/timeline',
    {
      schema: {
        operationId: 'getDrillTimeline',
        security: SIGNED_IN,
        tags,
        summary:
          'The live timeline for the control team: injects sent (per participant) and responses, in time order',
        params: idParam,
        response: {
          200: Type.Object(
            {
              drillId: int,
              state: StringEnum(DRILL_STATES),
              entries: Type.Array(
                Type.Object(
                  {
                    at: str,
                    kind: StringEnum(['inject_sent', 'response'] as const),
                    seq: int,
                    injectId: int,
                    organisationId: Nullable(int),
                    organisation: nstr,
                    subject: nstr,
                    messages: Nullable(int),
                    responseKind: Nullable(StringEnum(RESPONSE_KINDS)),
                    text: nstr,
                    fulfils: nstr,
                    actor: nstr,
                  },
                  closed,
                ),
              ),
            },
            closed,
          ),
          ...errors,
        },
      },
    },
    async (req) => s.timeline(req.principal, req.params.id),
  );

  r.get(
    '/api/v1/drills/:id/report',
    {
      schema: {
        operationId: 'getDrillReport',
        security: SIGNED_IN,
        tags,
        summary:
          'The after-action report (演练总结报告): who took part, time to acknowledge and to each expected action, what was missed',
        params: idParam,
        querystring: Type.Object(
          {
            format: Type.Optional(StringEnum(REPORT_FORMATS, { default: 'json' })),
            lang: Type.Optional(StringEnum(LANGS, { default: 'zh' })),
          },
          closed,
        ),
        response: {
          200: Type.Unsafe<string | Buffer>({
            description: 'the figures (format=json), or the report as HTML or PDF',
            content: {
              'application/json': { schema: figuresSchema },
              'text/html': { schema: { type: 'string' } },
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
            },
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'json';
      const out = await s.report(req.principal, req.params.id, req.query.lang ?? 'zh', format);
      void reply.header('content-type', out.contentType);
      void reply.header('cache-control', 'no-store');
      if (format === 'pdf') void reply.header('content-disposition', `inline; filename="${out.filename}"`);
      return reply.send(out.body);
    },
  );
}
