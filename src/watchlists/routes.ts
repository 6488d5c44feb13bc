/** /api/v1/watchlists: thin handlers over the watchlist service (a recipient: its own organisation's). */
import type { FastifyInstance } from 'fastify';
import { ALERT_REASONS, DELIVERIES, WATCH_KINDS, type Delivery } from './rules.js';
import type { WatchItemInput, WatchlistInput, WatchlistService } from './service.js';
import { SIGNED_IN } from '../http/openapi.js';

const err = { $ref: 'Error#' } as const;
const errors = { 400: err, 401: err, 403: err, 404: err, 409: err } as const;
const nstr = { type: 'string', nullable: true } as const;
const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } as const;

const itemBody = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: [...WATCH_KINDS] },
    vendor: { type: 'string', maxLength: 200 },
    product: { type: 'string', maxLength: 300 },
    range: { type: 'string', maxLength: 200 },
    cpe: { type: 'string', maxLength: 500 },
    keyword: { type: 'string', maxLength: 100 },
  },
} as const;

const itemView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string' },
    vendor: nstr,
    product: nstr,
    range: nstr,
    cpe: nstr,
    keyword: nstr,
  },
} as const;

const watchlistView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    organisationId: { type: 'integer' },
    name: { type: 'string' },
    delivery: { type: 'string', enum: [...DELIVERIES] },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    items: { type: 'array', items: itemView },
  },
} as const;

const alertView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    organisationId: { type: 'integer' },
    watchlistId: { type: 'integer', nullable: true },
    watchlist: nstr,
    vulnerabilityId: { type: 'string' },
    title: nstr,
    severity: nstr,
    reason: { type: 'string', enum: [...ALERT_REASONS] },
    delivery: { type: 'string', enum: [...DELIVERIES] },
    matchReason: { type: 'string' },
    createdAt: { type: 'string' },
    deliveredAt: nstr,
    digestSentAt: nstr,
  },
} as const;

export function registerWatchlistRoutes(app: FastifyInstance, deps: { watchlists: WatchlistService }): void {
  const w = deps.watchlists;
  const tags = ['watchlists'];

  app.get(
    '/api/v1/watchlists',
    {
      schema: {
        operationId: 'listWatchlists',
        security: SIGNED_IN,
        tags,
        summary: 'Watchlists (a recipient: its organisation’s; analysts: all, or one organisationId)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { organisationId: { type: 'integer' } },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: watchlistView } } },
          ...errors,
        },
      },
    },
    async (req) => ({ items: await w.list(req.principal, req.query as { organisationId?: number }) }),
  );

  app.post(
    '/api/v1/watchlists',
    {
      schema: {
        operationId: 'createWatchlist',
        security: SIGNED_IN,
        tags,
        summary:
          'Create a watchlist: products (vendor, product, version or range), CPE 2.3 names, keywords; delivery immediate, daily or weekly',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            organisationId: { type: 'integer' },
            name: { type: 'string', minLength: 1, maxLength: 200 },
            delivery: { type: 'string', enum: [...DELIVERIES] },
            items: { type: 'array', maxItems: 500, items: itemBody },
          },
        },
        response: { 201: watchlistView, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await w.create(req.principal, req.body as WatchlistInput)),
  );

  app.get(
    '/api/v1/watchlists/alerts',
    {
      schema: {
        operationId: 'listWatchAlerts',
        security: SIGNED_IN,
        tags,
        summary: 'Recent alerts, newest first, with the vulnerability, the reason and why it matched',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            organisationId: { type: 'integer' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: alertView } } },
          ...errors,
        },
      },
    },
    async (req) => ({
      items: await w.alerts(req.principal, req.query as { organisationId?: number; limit?: number }),
    }),
  );

  app.get(
    '/api/v1/watchlists/:id',
    {
      schema: {
        operationId: 'getWatchlist',
        security: SIGNED_IN,
        tags,
        summary: 'One watchlist with its items',
        params: idParam,
        response: { 200: watchlistView, ...errors },
      },
    },
    async (req) => w.get(req.principal, (req.params as { id: number }).id),
  );

  app.put(
    '/api/v1/watchlists/:id',
    {
      schema: {
        operationId: 'updateWatchlist',
        security: SIGNED_IN,
        tags,
        summary: 'Rename a watchlist or change its delivery',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            delivery: { type: 'string', enum: [...DELIVERIES] },
          },
        },
        response: { 200: watchlistView, ...errors },
      },
    },
    async (req) =>
      w.update(
        req.principal,
        (req.params as { id: number }).id,
        req.body as { name?: string; delivery?: Delivery },
      ),
  );

  app.delete(
    '/api/v1/watchlists/:id',
    {
      schema: {
        operationId: 'deleteWatchlist',
        security: SIGNED_IN,
        tags,
        summary: 'Delete a watchlist (its alerts stay)',
        params: idParam,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      await w.remove(req.principal, (req.params as { id: number }).id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/watchlists/:id/items',
    {
      schema: {
        operationId: 'addWatchItems',
        security: SIGNED_IN,
        tags,
        summary: 'Add items to a watchlist (a bad range or CPE is a 400 naming the field)',
        params: idParam,
        body: {
          type: 'object',
          required: ['items'],
          additionalProperties: false,
          properties: { items: { type: 'array', minItems: 1, maxItems: 500, items: itemBody } },
        },
        response: { 201: watchlistView, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await w.addItems(
            req.principal,
            (req.params as { id: number }).id,
            (req.body as { items: WatchItemInput[] }).items,
          ),
        ),
  );

  app.delete(
    '/api/v1/watchlists/:id/items/:itemId',
    {
      schema: {
        operationId: 'removeWatchItem',
        security: SIGNED_IN,
        tags,
        summary: 'Remove one item from a watchlist',
        params: {
          type: 'object',
          required: ['id', 'itemId'],
          properties: { id: { type: 'integer' }, itemId: { type: 'integer' } },
        },
        response: { 200: watchlistView, ...errors },
      },
    },
    async (req) => {
      const p = req.params as { id: number; itemId: number };
      return w.removeItem(req.principal, p.id, p.itemId);
    },
  );
}
