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

const nullable = (type: 'string' | 'integer') => ({ type, nullable: true }) as const;
const outcome = { type: 'string', enum: ['imported', 'not_modified', 'failed'] } as const;
const counts = {
  type: 'object',
  additionalProperties: false,
  required: ['read', 'imported', 'updated', 'unchanged', 'rejected'],
  properties: {
    read: { type: 'integer' },
    imported: { type: 'integer' },
    updated: { type: 'integer' },
    unchanged: { type: 'integer' },
    rejected: { type: 'integer' },
  },
} as const;
/** A feed as admins and analysts see it (the worker's lease stays inside). */
const feedProperties = {
  name: { type: 'string' },
  format,
  url: { type: 'string' },
  scheduleMs: { ...nullable('integer'), description: 'the schedule in milliseconds' },
  schedule: { ...nullable('string'), description: "'6h', '1d', '1h30m'; null = on demand only" },
  createdAt: { type: 'string' },
  status: {
    type: 'object',
    additionalProperties: false,
    required: [
      'lastAttemptAt',
      'lastSuccessAt',
      'lastOutcome',
      'lastHttpStatus',
      'lastError',
      'lastErrorAt',
      'lastCounts',
      'consecutiveFailures',
      'nextRunAt',
    ],
    properties: {
      lastAttemptAt: nullable('string'),
      lastSuccessAt: nullable('string'),
      lastOutcome: { type: 'string', enum: [...outcome.enum, null], nullable: true },
      lastHttpStatus: nullable('integer'),
      lastError: nullable('string'),
      lastErrorAt: nullable('string'),
      etag: { ...nullable('string'), description: 'the validator the next conditional GET sends' },
      lastModified: nullable('string'),
      lastCounts: counts,
      consecutiveFailures: { type: 'integer' },
      nextRunAt: nullable('string'),
    },
  },
} as const;
const feedView = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'format', 'url', 'scheduleMs', 'schedule', 'createdAt', 'status'],
  properties: feedProperties,
} as const;
const runView = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'url',
    'startedAt',
    'finishedAt',
    'outcome',
    'httpStatus',
    'attempts',
    'bytes',
    'counts',
    'importRunId',
    'error',
  ],
  properties: {
    id: { type: 'integer' },
    url: { type: 'string' },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    outcome,
    httpStatus: nullable('integer'),
    attempts: { type: 'integer' },
    bytes: { type: 'integer' },
    counts,
    importRunId: nullable('integer'),
    error: nullable('string'),
  },
} as const;
const syncResult = {
  type: 'object',
  additionalProperties: false,
  required: [
    'feed',
    'format',
    'url',
    'outcome',
    'httpStatus',
    'attempts',
    'bytes',
    'counts',
    'importRunId',
    'error',
  ],
  properties: {
    feed: { type: 'string' },
    format,
    url: { type: 'string' },
    outcome,
    httpStatus: nullable('integer'),
    attempts: { type: 'integer' },
    bytes: { type: 'integer' },
    counts,
    importRunId: nullable('integer'),
    error: nullable('string'),
    issues: {
      type: 'array',
      description: 'the importer’s record-level issues (first 200)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'message'],
        properties: {
          file: { type: 'string' },
          record: { type: 'string' },
          field: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
    statusApplied: {
      type: 'boolean',
      description: 'false when another worker took the lease over meanwhile',
    },
    durationMs: { type: 'number' },
  },
} as const;

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
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: { items: { type: 'array', items: feedView } },
          },
          ...errors,
        },
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
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: [...feedView.required, 'runs'],
            properties: { ...feedProperties, runs: { type: 'array', items: runView } },
          },
          ...errors,
        },
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
        response: { 201: feedView, ...errors },
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
        response: { 200: feedView, ...errors },
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
        response: { 200: syncResult, ...errors },
      },
    },
    async (req) =>
      f.syncFeed(req.principal, (req.params as NameParams).name, {
        force: (req.query as { force: boolean }).force,
      }),
  );
}
