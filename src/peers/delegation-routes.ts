/**
 * ID delegation routes (admins, 'peers:manage'): delegate a block of our id series to a peer, list the blocks
 * delegated and the requests waiting, set how a peer's requests are answered, and the blocks we hold. Each
 * handler is one call of the delegation service.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SIGNED_IN } from '../http/openapi.js';
import { NoContent, Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { MAX_BLOCK, type DelegationService } from './delegation.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const nameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

const block = Type.Object(
  {
    peer: Type.String(),
    prefix: Type.String(),
    year: Type.Integer(),
    first: Type.Integer(),
    last: Type.Integer(),
    firstId: Type.String({ description: 'e.g. CNVD-2026-00001' }),
    lastId: Type.String(),
    messageId: Type.String({ description: 'the ids.delegate message (peer outbox)' }),
    request: Nullable(Type.String({ description: 'the ids.request it granted' })),
    delegatedBy: Type.String(),
    createdAt: Type.String(),
  },
  { additionalProperties: false },
);

const request = Type.Object(
  {
    peer: Type.String(),
    key: Type.String(),
    prefix: Type.String(),
    year: Type.Integer(),
    count: Type.Integer(),
    requestedAt: Type.String(),
  },
  { additionalProperties: false },
);

const held = Type.Object(
  {
    from: Type.String(),
    prefix: Type.String(),
    year: Type.Integer(),
    first: Type.Integer(),
    last: Type.Integer(),
    next: Type.Integer({ description: 'the lowest unused number (last + 1: used up)' }),
    left: Type.Integer(),
    requestedAt: Nullable(Type.String({ description: 'when the next block was asked for' })),
  },
  { additionalProperties: false },
);

export function registerDelegationRoutes(
  app: FastifyInstance,
  deps: { delegation: DelegationService },
): void {
  const d = deps.delegation;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { security: SIGNED_IN, tags: ['federation'] };

  r.post(
    '/api/v1/peers/:name/id-blocks',
    {
      schema: {
        ...admin,
        operationId: 'delegateIdBlock',
        summary:
          'Delegate the next `count` numbers of our id series (of `year`, default this year) to a peer: our own numbers skip them (admins)',
        params: nameParam,
        body: Type.Object(
          {
            count: Type.Integer({ minimum: 1, maximum: MAX_BLOCK }),
            year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 9999 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: block, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(
        await d.delegate(req.principal, req.params.name, {
          count: req.body.count,
          ...(req.body.year !== undefined ? { year: req.body.year } : {}),
        }),
      ),
  );

  r.get(
    '/api/v1/peers/:name/id-blocks',
    {
      schema: {
        ...admin,
        operationId: 'listIdBlocks',
        summary: 'The blocks delegated to a peer and its requests still waiting (admins)',
        params: nameParam,
        response: {
          200: Type.Object(
            { items: Type.Array(block), pending: Type.Array(request) },
            { additionalProperties: false },
          ),
          ...errors,
        },
      },
    },
    async (req) => ({
      items: await d.blocks(req.principal, req.params.name),
      pending: (await d.pending(req.principal, req.params.name)).map((x) => ({
        peer: x.peer_name,
        key: x.request_key,
        prefix: x.prefix,
        year: x.year,
        count: x.count,
        requestedAt: new Date(x.requested_at).toISOString(),
      })),
    }),
  );

  r.put(
    '/api/v1/peers/:name/id-policy',
    {
      schema: {
        ...admin,
        operationId: 'setPeerIdPolicy',
        summary:
          'How a peer’s requests for more numbers are answered: auto (blockSize numbers, null: as many as asked) or manual (admins)',
        params: nameParam,
        body: Type.Object(
          {
            grant: StringEnum(['auto', 'manual'] as const),
            blockSize: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: MAX_BLOCK }))),
          },
          { additionalProperties: false },
        ),
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await d.setIdPolicy(req.principal, req.params.name, {
        grant: req.body.grant,
        ...(req.body.blockSize !== undefined ? { blockSize: req.body.blockSize } : {}),
      });
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/peers/id-blocks/held',
    {
      schema: {
        ...admin,
        operationId: 'listHeldIdBlocks',
        summary: 'The blocks of numbers peers delegated to us, with what is left of each (admins)',
        response: {
          200: Type.Object({ items: Type.Array(held) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await d.held(req.principal) }),
  );
}
