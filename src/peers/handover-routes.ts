/**
 * Case hand-over routes: a coordinator hands a submission to a peer and reads what the console shows beside it
 * (handed over to / received from, the peer's board mirrored); admins set what of a case a peer may have.
 * Each handler is one call of the hand-over service; the response schemas list exactly what a caller sees.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SIGNED_IN } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { NOTIFICATION_STATES } from '../coordination/rules.js';
import { STATES } from '../submissions/workflow.js';
import { CASE_MESSAGE_LEVELS } from './handover-model.js';
import type { HandoverService } from './handover.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const tracking = Type.Object({ trackingNo: Type.String({ pattern: '^S-\\d{8}-[0-9A-Z]{8}$' }) });
const peerName = Type.Object({ name: Type.String({ maxLength: 64 }) });

const boardEntry = Type.Object(
  {
    organisation: Type.String(),
    category: Type.String(),
    state: StringEnum(NOTIFICATION_STATES),
    deadline: Type.String(),
    fixUrl: Nullable(Type.String()),
    overdue: Type.Boolean({ description: 'open past its deadline, by our clock' }),
  },
  { additionalProperties: false },
);

const handoverView = Type.Object(
  {
    trackingNo: Type.String(),
    handedOver: Nullable(
      Type.Object(
        {
          peer: Type.String(),
          version: Type.Integer({ description: 'sends of this case so far (a re-send counts up)' }),
          by: Type.String(),
          at: Type.String(),
          lastSentAt: Type.String(),
          messageId: Type.String({ description: 'the messaging id of the last send' }),
          delivery: StringEnum(['pending', 'sent', 'failed']),
          deliveryError: Nullable(Type.String()),
          coordination: Nullable(
            Type.Object(
              {
                trackingNo: Type.String({ description: 'the peer’s own tracking number' }),
                version: Type.Integer(),
                state: StringEnum(STATES),
                stateReason: Nullable(Type.String()),
                vulnerabilityId: Nullable(Type.String()),
                publishedAt: Nullable(Type.String()),
                updatedAt: Type.String(),
                board: Type.Array(boardEntry),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    received: Nullable(
      Type.Object(
        {
          peer: Type.String(),
          reference: Type.String({ description: 'the sender’s tracking number' }),
          version: Type.Integer(),
          credit: Nullable(Type.String({ description: 'the reporter as the sender credits them' })),
          reporterEmail: Nullable(Type.String()),
          receivedAt: Type.String(),
          updatedAt: Type.String(),
          changes: Type.Integer(),
          sentBack: Type.Integer({ description: 'the change last sent back as case.update' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const casePolicy = Type.Object(
  {
    messages: StringEnum(CASE_MESSAGE_LEVELS, {
      description:
        'case messages sent with a hand-over: none, the reporter thread, or all (internal notes too)',
    }),
    reporterContact: Type.Boolean({ description: 'whether the reporter’s e-mail goes with the credit' }),
  },
  { additionalProperties: false },
);

export function registerHandoverRoutes(app: FastifyInstance, deps: { handover: HandoverService }): void {
  const h = deps.handover;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/submissions/:trackingNo/hand-over',
    {
      schema: {
        security: SIGNED_IN,
        tags: ['federation'],
        operationId: 'handOverSubmission',
        summary:
          'Hand a submission to a peer for coordination: the report, attachments and the messages its case policy allows go signed; disposal happens there and its board comes back (analysts)',
        params: tracking,
        body: Type.Object({ peer: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        response: { 202: handoverView, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await h.handOver(req.principal, req.params.trackingNo, req.body)),
  );

  r.get(
    '/api/v1/submissions/:trackingNo/hand-over',
    {
      schema: {
        security: SIGNED_IN,
        tags: ['federation'],
        operationId: 'getSubmissionHandover',
        summary:
          'Whether a submission was handed over to a peer (and the board it sent back) or received from one (analysts)',
        params: tracking,
        response: { 200: handoverView, ...errors },
      },
    },
    async (req) => h.view(req.principal, req.params.trackingNo),
  );

  r.get(
    '/api/v1/peers/:name/case-policy',
    {
      schema: {
        security: SIGNED_IN,
        tags: ['federation'],
        operationId: 'getPeerCasePolicy',
        summary: 'What of a case handed over a peer may have beyond the report and attachments (admins)',
        params: peerName,
        response: { 200: casePolicy, ...errors },
      },
    },
    async (req) => h.casePolicy(req.principal, req.params.name),
  );

  r.put(
    '/api/v1/peers/:name/case-policy',
    {
      schema: {
        security: SIGNED_IN,
        tags: ['federation'],
        operationId: 'setPeerCasePolicy',
        summary: 'Set what of a case a peer may have; a part left out keeps its value (admins)',
        params: peerName,
        body: Type.Partial(casePolicy),
        response: { 200: casePolicy, ...errors },
      },
    },
    async (req) => h.setCasePolicy(req.principal, req.params.name, req.body),
  );
}
