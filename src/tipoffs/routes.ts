/**
 * /api/v1/tipoffs: anyone reports without an account (a body of at most TIPOFF_LIMITS.bodyBytes, a few per hour
 * per client address) and follows the case with the receipt code it answers once. Receipt routes have their
 * own per-address rate, so receipts cannot be tried in bulk.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NO_SIGN_IN, SIGNED_IN } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { STATES } from '../submissions/workflow.js';
import { PUBLIC_STATUSES, TIPOFF_KINDS, TIPOFF_LIMITS } from './model.js';
import type { TipoffService } from './service.js';

const errors = errorResponses(400, 404, 409, 413, 429);
const L = TIPOFF_LIMITS;
const text = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) });

const tipoffCase = Type.Object(
  {
    trackingNo: Type.String(),
    kind: StringEnum(TIPOFF_KINDS),
    title: Type.String(),
    status: StringEnum(PUBLIC_STATUSES),
    closedReason: Nullable(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    messages: Type.Array(
      Type.Object(
        { from: StringEnum(['coordinator', 'you']), body: Type.String(), at: Type.String() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const receiptParam = Type.Object({ receipt: Type.String({ minLength: 1, maxLength: 60 }) });
const followLimit = { rateLimit: { max: L.followsPerMinute, timeWindow: 60_000 } };

export function registerTipoffRoutes(app: FastifyInstance, deps: { tipoffs: TipoffService }): void {
  const t = deps.tipoffs;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/tipoffs',
    {
      bodyLimit: L.bodyBytes,
      config: { rateLimit: { max: L.tipoffsPerHour, timeWindow: 3_600_000 } },
      schema: {
        operationId: 'submitTipoff',
        security: NO_SIGN_IN,
        tags: ['tipoffs'],
        summary: `Report an incident or a vulnerability in a deployed system without an account (举报); answers the receipt code once. At most ${L.bodyBytes / 1024} KiB, ${L.tipoffsPerHour} an hour per address`,
        body: Type.Object(
          {
            kind: StringEnum(TIPOFF_KINDS),
            title: text(L.titleChars),
            affectedOrganisation: text(L.fieldChars, 'whose system it is'),
            affectedSystem: text(L.fieldChars, 'URL, host or a description of the system'),
            description: text(L.descriptionChars),
            contact: Type.Optional(
              Type.String({
                maxLength: L.contactChars,
                description: 'e-mail or phone, if you want to be reached',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object(
            {
              receipt: Type.String({ description: 'shown once: keep it to follow the case' }),
              trackingNo: Type.String(),
              createdAt: Type.String(),
            },
            { additionalProperties: false },
          ),
          ...errors,
        },
      },
    },
    async (req, reply) => reply.status(201).send(await t.submit(req.body, { ip: req.ip })),
  );

  r.get(
    '/api/v1/submissions/:trackingNo/tipoff',
    {
      schema: {
        operationId: 'getSubmissionTipoff',
        security: SIGNED_IN,
        tags: ['tipoffs'],
        summary:
          'Whether a submission came as a public tip-off: its kind and the contact the tipster left (analysts)',
        params: Type.Object({ trackingNo: Type.String({ minLength: 1, maxLength: 60 }) }),
        response: {
          200: Type.Object(
            {
              trackingNo: Type.String(),
              kind: StringEnum(TIPOFF_KINDS),
              contact: Nullable(Type.String()),
              receivedAt: Type.String(),
            },
            { additionalProperties: false },
          ),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (req) => t.ofSubmission(req.principal, req.params.trackingNo),
  );

  r.get(
    '/api/v1/tipoffs',
    {
      schema: {
        operationId: 'listTipoffs',
        security: SIGNED_IN,
        tags: ['tipoffs'],
        summary:
          'The tip-offs among the submissions, newest first, with their case’s state (analysts): what the console marks 公众举报 / public tip-off and filters by',
        querystring: Type.Object(
          {
            state: Type.Optional(StringEnum(STATES)),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            before: Type.Optional(Type.Integer({ description: 'a submission id: older ones only' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object(
                  {
                    trackingNo: Type.String(),
                    kind: StringEnum(TIPOFF_KINDS),
                    state: StringEnum(STATES),
                    title: Type.String(),
                    receivedAt: Type.String(),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (req) => ({ items: await t.list(req.principal, req.query) }),
  );

  r.get(
    '/api/v1/tipoffs/:receipt',
    {
      config: followLimit,
      schema: {
        operationId: 'followTipoff',
        security: NO_SIGN_IN,
        tags: ['tipoffs'],
        summary: 'A tip-off by its receipt: its status and the coordinator’s questions and your answers',
        params: receiptParam,
        response: { 200: tipoffCase, ...errors },
      },
    },
    async (req) => t.follow(req.params.receipt),
  );

  r.post(
    '/api/v1/tipoffs/:receipt',
    {
      bodyLimit: L.bodyBytes,
      config: followLimit,
      schema: {
        operationId: 'answerTipoff',
        security: NO_SIGN_IN,
        tags: ['tipoffs'],
        summary:
          'Answer the coordinator (or add to your tip-off); an answer to a question sends it back to review',
        params: receiptParam,
        body: Type.Object({ body: text(L.messageChars) }, { additionalProperties: false }),
        response: { 200: tipoffCase, ...errors },
      },
    },
    async (req) => t.reply(req.params.receipt, req.body.body, { ip: req.ip }),
  );
}
