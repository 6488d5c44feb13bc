/**
 * Feed routes: the status of every feed and of one (with its recent runs), add, change, remove, sync now.
 * Admins and analysts read ('feeds:read'); only admins manage and sync ('feeds:manage'). A sync that fails
 * downloading or importing is still a 200: the body is the SyncResult with outcome "failed" and the error.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FEED_FORMATS, type FeedOutcome } from './model.js';
import type { FeedService } from './service.js';
import { SIGNED_IN } from '../http/openapi.js';
import { NoContent, Nullable, StringEnum, errorResponses } from '../http/schemas.js';

const errors = errorResponses(400, 401, 403, 404, 409);

const nameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
const format = StringEnum(FEED_FORMATS);
const url = Type.String({ minLength: 1, maxLength: 2000 });
/** '6h', '1d', '1h30m' or null (on demand); the service checks the value and explains what it wants. */
const schedule = Nullable(Type.String({ maxLength: 40 }));

const feedSummary =
  'name, format, url, schedule, and status: lastAttemptAt, lastSuccessAt, lastOutcome, lastHttpStatus, lastError, lastErrorAt, lastCounts, consecutiveFailures, nextRunAt';

const OUTCOMES = ['imported', 'not_modified', 'failed'] as const satisfies readonly FeedOutcome[];
const outcome = StringEnum(OUTCOMES);
const nstr = Nullable(Type.String());
const nint = Nullable(Type.Integer());
const counts = Type.Object(
  {
    read: Type.Integer(),
    imported: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    rejected: Type.Integer(),
  },
  { additionalProperties: false },
);
/** A feed as admins and analysts see it (the worker's lease stays inside). */
const feedProperties = {
  name: Type.String(),
  format,
  url: Type.String(),
  scheduleMs: Nullable(Type.Integer({ description: 'the schedule in milliseconds' })),
  schedule: Nullable(Type.String({ description: "'6h', '1d', '1h30m'; null = on demand only" })),
  createdAt: Type.String(),
  status: Type.Object(
    {
      lastAttemptAt: nstr,
      lastSuccessAt: nstr,
      // OpenAPI 3.0: a nullable enum lists null among its values
      lastOutcome: Type.Unsafe<FeedOutcome | null>({
        type: 'string',
        enum: [...OUTCOMES, null],
        nullable: true,
      }),
      lastHttpStatus: nint,
      lastError: nstr,
      lastErrorAt: nstr,
      etag: Type.Optional(
        Nullable(Type.String({ description: 'the validator the next conditional GET sends' })),
      ),
      lastModified: Type.Optional(nstr),
      lastCounts: counts,
      consecutiveFailures: Type.Integer(),
      nextRunAt: nstr,
    },
    { additionalProperties: false },
  ),
};
const feedView = Type.Object(feedProperties, { additionalProperties: false });
const runView = Type.Object(
  {
    id: Type.Integer(),
    url: Type.String(),
    startedAt: Type.String(),
    finishedAt: Type.String(),
    outcome,
    httpStatus: nint,
    attempts: Type.Integer(),
    bytes: Type.Integer(),
    counts,
    importRunId: nint,
    error: nstr,
  },
  { additionalProperties: false },
);
const syncResult = Type.Object(
  {
    feed: Type.String(),
    format,
    url: Type.String(),
    outcome,
    httpStatus: nint,
    attempts: Type.Integer(),
    bytes: Type.Integer(),
    counts,
    importRunId: nint,
    error: nstr,
    issues: Type.Array(
      Type.Object(
        {
          file: Type.String(),
          record: Type.Optional(Type.String()),
          field: Type.Optional(Type.String()),
          message: Type.String(),
        },
        { additionalProperties: false },
      ),
      { description: 'the importer’s record-level issues (first 200)' },
    ),
    documents: Type.Optional(
      Type.Object(
        {
          listed: Type.Integer(),
          fetched: Type.Integer(),
          imported: Type.Integer(),
          invalid: Type.Integer(),
          refused: Type.Integer(),
        },
        {
          additionalProperties: false,
          description: 'a csaf-provider feed only: its documents listed, fetched, imported, invalid, refused',
        },
      ),
    ),
    statusApplied: Type.Boolean({ description: 'false when another worker took the lease over meanwhile' }),
    durationMs: Type.Number(),
  },
  { additionalProperties: false },
);

export function registerFeedRoutes(app: FastifyInstance, deps: { feeds: FeedService }): void {
  const f = deps.feeds;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/feeds',
    {
      schema: {
        operationId: 'listFeeds',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary: `Every feed with its status (${feedSummary}); admins and analysts`,
        response: {
          200: Type.Object({ items: Type.Array(feedView) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await f.listFeeds(req.principal) }),
  );

  r.get(
    '/api/v1/feeds/:name',
    {
      schema: {
        operationId: 'getFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary: 'One feed with its status and its most recent runs, newest first (?runs=N, default 10)',
        params: nameParam,
        querystring: Type.Object(
          { runs: Type.Optional(Type.Integer({ minimum: 0, maximum: 500, default: 10 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ ...feedProperties, runs: Type.Array(runView) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req) => f.feedStatus(req.principal, req.params.name, { runs: req.query.runs }),
  );

  r.post(
    '/api/v1/feeds',
    {
      schema: {
        operationId: 'addFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary:
          'Register a feed (admins): a name, a format (kev, cve5, cnvd-xml), an http(s) URL of a full snapshot, and a schedule (6h, 1d…; absent = on demand)',
        body: Type.Object(
          {
            // the service checks names, URLs and schedules with messages that say what is wanted
            name: Type.String({ maxLength: 200 }),
            format,
            url,
            schedule: Type.Optional(schedule),
          },
          { additionalProperties: false },
        ),
        response: { 201: feedView, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const feed = await f.addFeed(req.principal, {
        name: b.name,
        format: b.format,
        url: b.url,
        ...(b.schedule ? { schedule: b.schedule } : {}),
      });
      return reply.status(201).send(feed);
    },
  );

  r.patch(
    '/api/v1/feeds/:name',
    {
      schema: {
        operationId: 'updateFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary:
          'Change a feed’s URL, format or schedule (admins); schedule null = on demand only. A new URL or format forgets the ETag',
        params: nameParam,
        body: Type.Object(
          { format: Type.Optional(format), url: Type.Optional(url), schedule: Type.Optional(schedule) },
          { additionalProperties: false },
        ),
        response: { 200: feedView, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      return f.updateFeed(req.principal, req.params.name, {
        ...(b.format !== undefined ? { format: b.format } : {}),
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.schedule !== undefined ? { schedule: b.schedule } : {}),
      });
    },
  );

  r.delete(
    '/api/v1/feeds/:name',
    {
      schema: {
        operationId: 'removeFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary: 'Remove a feed and its run history (admins); records it imported stay',
        params: nameParam,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await f.removeFeed(req.principal, req.params.name);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/feeds/:name/sync',
    {
      schema: {
        operationId: 'syncFeed',
        security: SIGNED_IN,
        tags: ['feeds'],
        summary:
          'Sync a feed now (admins): conditional GET unless ?force=true, import, status. Outcome imported, not_modified or failed (with the error); 409 while another worker syncs it',
        params: nameParam,
        querystring: Type.Object(
          { force: Type.Optional(Type.Boolean({ default: false })) },
          { additionalProperties: false },
        ),
        response: { 200: syncResult, ...errors },
      },
    },
    async (req) => f.syncFeed(req.principal, req.params.name, { force: req.query.force }),
  );
}
