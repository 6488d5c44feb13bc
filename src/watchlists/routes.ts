/** /api/v1/watchlists: thin handlers over the watchlist service (a recipient: its own organisation's). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ALERT_REASONS, DELIVERIES, WATCH_KINDS } from './rules.js';
import type { WatchlistService } from './service.js';
import { SIGNED_IN } from '../http/openapi.js';
import { IdParam, NoContent, Nullable, StringEnum, errorResponses } from '../http/schemas.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const nstr = Nullable(Type.String());
const delivery = StringEnum(DELIVERIES);

const itemBody = Type.Object(
  {
    kind: StringEnum(WATCH_KINDS),
    vendor: Type.Optional(Type.String({ maxLength: 200 })),
    product: Type.Optional(Type.String({ maxLength: 300 })),
    range: Type.Optional(Type.String({ maxLength: 200 })),
    cpe: Type.Optional(Type.String({ maxLength: 500 })),
    keyword: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

const itemView = Type.Object({
  id: Type.Integer(),
  kind: StringEnum(WATCH_KINDS),
  vendor: nstr,
  product: nstr,
  range: nstr,
  cpe: nstr,
  keyword: nstr,
});

const watchlistView = Type.Object({
  id: Type.Integer(),
  organisationId: Type.Integer(),
  name: Type.String(),
  delivery,
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  items: Type.Array(itemView),
});

const alertView = Type.Object({
  id: Type.Integer(),
  organisationId: Type.Integer(),
  watchlistId: Nullable(Type.Integer()),
  watchlist: nstr,
  vulnerabilityId: Type.String(),
  title: nstr,
  severity: nstr,
  reason: StringEnum(ALERT_REASONS),
  delivery,
  matchReason: Type.String(),
  createdAt: Type.String(),
  deliveredAt: nstr,
  digestSentAt: nstr,
});

export function registerWatchlistRoutes(app: FastifyInstance, deps: { watchlists: WatchlistService }): void {
  const w = deps.watchlists;
  const tags = ['watchlists'];
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/watchlists',
    {
      schema: {
        operationId: 'listWatchlists',
        security: SIGNED_IN,
        tags,
        summary: 'Watchlists (a recipient: its organisation’s; analysts: all, or one organisationId)',
        querystring: Type.Object(
          { organisationId: Type.Optional(Type.Integer()) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(watchlistView) }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await w.list(req.principal, req.query) }),
  );

  r.post(
    '/api/v1/watchlists',
    {
      schema: {
        operationId: 'createWatchlist',
        security: SIGNED_IN,
        tags,
        summary:
          'Create a watchlist: products (vendor, product, version or range), CPE 2.3 names, keywords; delivery immediate, daily or weekly',
        body: Type.Object(
          {
            organisationId: Type.Optional(Type.Integer()),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            delivery: Type.Optional(delivery),
            items: Type.Optional(Type.Array(itemBody, { maxItems: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: watchlistView, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await w.create(req.principal, req.body)),
  );

  r.get(
    '/api/v1/watchlists/alerts',
    {
      schema: {
        operationId: 'listWatchAlerts',
        security: SIGNED_IN,
        tags,
        summary: 'Recent alerts, newest first, with the vulnerability, the reason and why it matched',
        querystring: Type.Object(
          {
            organisationId: Type.Optional(Type.Integer()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(alertView) }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await w.alerts(req.principal, req.query) }),
  );

  r.get(
    '/api/v1/watchlists/:id',
    {
      schema: {
        operationId: 'getWatchlist',
        security: SIGNED_IN,
        tags,
        summary: 'One watchlist with its items',
        params: IdParam,
        response: { 200: watchlistView, ...errors },
      },
    },
    async (req) => w.get(req.principal, req.params.id),
  );

  r.put(
    '/api/v1/watchlists/:id',
    {
      schema: {
        operationId: 'updateWatchlist',
        security: SIGNED_IN,
        tags,
        summary: 'Rename a watchlist or change its delivery',
        params: IdParam,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            delivery: Type.Optional(delivery),
          },
          { additionalProperties: false },
        ),
        response: { 200: watchlistView, ...errors },
      },
    },
    async (req) => w.update(req.principal, req.params.id, req.body),
  );

  r.delete(
    '/api/v1/watchlists/:id',
    {
      schema: {
        operationId: 'deleteWatchlist',
        security: SIGNED_IN,
        tags,
        summary: 'Delete a watchlist (its alerts stay)',
        params: IdParam,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await w.remove(req.principal, req.params.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/watchlists/:id/items',
    {
      schema: {
        operationId: 'addWatchItems',
        security: SIGNED_IN,
        tags,
        summary: 'Add items to a watchlist (a bad range or CPE is a 400 naming the field)',
        params: IdParam,
        body: Type.Object(
          { items: Type.Array(itemBody, { minItems: 1, maxItems: 500 }) },
          { additionalProperties: false },
        ),
        response: { 201: watchlistView, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await w.addItems(req.principal, req.params.id, req.body.items)),
  );

  r.delete(
    '/api/v1/watchlists/:id/items/:itemId',
    {
      schema: {
        operationId: 'removeWatchItem',
        security: SIGNED_IN,
        tags,
        summary: 'Remove one item from a watchlist',
        params: Type.Object({ id: Type.Integer(), itemId: Type.Integer() }),
        response: { 200: watchlistView, ...errors },
      },
    },
    async (req) => w.removeItem(req.principal, req.params.id, req.params.itemId),
  );
}
