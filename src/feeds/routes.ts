/**
 * Feed routes: the status of every feed and of one (with its recent runs), add, change, remove, sync now.
 * Admins and analysts read ('feeds:read'); only admins manage and sync ('feeds:manage'). A sync that fails
 * downloading or importing is still a 200: the body is the SyncResult with outcome "failed" and the error.
 */
import type { FastifyInstance } from 'fastify';
import { FEED_FORMATS, type FeedFormat } from './model.js';
import type { FeedService } from './service.js';
import { SIGNED_IN } from '../http/openapi.js';

const err = { $ref: 'Error#' } as const;
const errors = { 400: err, 401: err, 403: err, 404: err, 409: err } as const;

const nameParam = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
const format = { type: 'string', enum: [...FEED_FORMATS] } as const;
const url = { type: 'string', minLength: 1, maxLength: 2000 } as const;
/** '6h', '1d', '1h30m' or null (on demand); the service checks the value and explains what it wants. */
const schedule = { type: ['string', 'null'], maxLength: 40 } as const;

const feedSummary =
  'name, format, url, schedule, and status: lastAttemptAt, lastSuccessAt, lastOutcome, lastHttpStatus, lastError, lastErrorAt, lastCounts, consecutiveFailures, nextRunAt';

type NameParams = { name: string };

export function registerFeedRoutes(app: FastifyInstance, deps: { feeds: FeedService }): void {
  const f = deps.feeds;

  app.get(
    '/api/v1/feeds',
    {
      schema: {
        operationId: 'listFeeds',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary: `Every feed with its status (${feedSummary}); admins and analysts`,
        response: { ...errors },
      },
    },
    async (req) => ({ items: await f.listFeeds(req.principal) }),
  );

  app.get(
    '/api/v1/feeds/:name',
    {
      schema: {
        operationId: 'getFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary: 'One feed with its status and its most recent runs, newest first (?runs=N, default 10)',
        params: nameParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { runs: { type: 'integer', minimum: 0, maximum: 500, default: 10 } },
        },
        response: { ...errors },
      },
    },
    async (req) =>
      f.feedStatus(req.principal, (req.params as NameParams).name, {
        runs: (req.query as { runs: number }).runs,
      }),
  );

  app.post(
    '/api/v1/feeds',
    {
      schema: {
        operationId: 'addFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary:
          'Register a feed (admins): a name, a format (kev, cve5, cnvd-xml), an http(s) URL of a full snapshot, and a schedule (6h, 1d…; absent = on demand)',
        body: {
          type: 'object',
          required: ['name', 'format', 'url'],
          additionalProperties: false,
          properties: {
            // the service checks names, URLs and schedules with messages that say what is wanted
            name: { type: 'string', maxLength: 200 },
            format,
            url,
            schedule,
          },
        },
        response: { 201: { type: 'object', additionalProperties: true }, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body as { name: string; format: FeedFormat; url: string; schedule?: string | null };
      const feed = await f.addFeed(req.principal, {
        name: b.name,
        format: b.format,
        url: b.url,
        ...(b.schedule ? { schedule: b.schedule } : {}),
      });
      return reply.status(201).send(feed);
    },
  );

  app.patch(
    '/api/v1/feeds/:name',
    {
      schema: {
        operationId: 'updateFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary:
          'Change a feed’s URL, format or schedule (admins); schedule null = on demand only. A new URL or format forgets the ETag',
        params: nameParam,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { format, url, schedule },
        },
        response: { ...errors },
      },
    },
    async (req) => {
      const b = (req.body ?? {}) as { format?: FeedFormat; url?: string; schedule?: string | null };
      return f.updateFeed(req.principal, (req.params as NameParams).name, {
        ...(b.format !== undefined ? { format: b.format } : {}),
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.schedule !== undefined ? { schedule: b.schedule } : {}),
      });
    },
  );

  app.delete(
    '/api/v1/feeds/:name',
    {
      schema: {
        operationId: 'removeFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary: 'Remove a feed and its run history (admins); records it imported stay',
        params: nameParam,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      await f.removeFeed(req.principal, (req.params as NameParams).name);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/feeds/:name/sync',
    {
      schema: {
        operationId: 'syncFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary:
          'Sync a feed now (admins): conditional GET unless ?force=true, import, status. Outcome imported, not_modified or failed (with the error); 409 while another worker syncs it',
        params: nameParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { force: { type: 'boolean', default: false } },
        },
        response: { ...errors },
      },
    },
    async (req) =>
      f.syncFeed(req.principal, (req.params as NameParams).name, {
        force: (req.query as { force: boolean }).force,
      }),
  );
}
