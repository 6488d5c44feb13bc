/** /api/v1/bulletins: the weekly bulletin, published (anyone) or draft (operator), in zh / en, JSON / HTML / Markdown / PDF. */
import type { FastifyInstance } from 'fastify';
import { can, requireAccess } from '../accounts/policy.js';
import { AppError } from '../errors.js';
import { EDITORIAL_SCHEMA, FORMATS, parseFormat, parseLang, type BulletinService } from './service.js';
import { LANGS } from './text.js';
import { SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';

const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^\\d{4}-W\\d{2}$', description: 'ISO week, e.g. 2024-W04' } },
} as const;

const summary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    year: { type: 'integer' },
    week: { type: 'integer' },
    start: { type: 'string', format: 'date' },
    end: { type: 'string', format: 'date' },
    publishedAt: { type: 'string' },
    total: { type: 'integer' },
    high: { type: 'integer' },
    links: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

const stateReply = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['draft', 'published'] },
    publishedAt: { type: 'string', nullable: true },
  },
} as const;

export function registerBulletinRoutes(app: FastifyInstance, deps: { bulletins: BulletinService }): void {
  const { bulletins } = deps;
  const links = (id: string) =>
    Object.fromEntries(
      LANGS.flatMap((l) =>
        FORMATS.map((f) => [`${f}_${l}`, `/api/v1/bulletins/${id}?lang=${l}&format=${f}`]),
      ),
    );

  app.get(
    '/api/v1/bulletins',
    {
      schema: {
        operationId: 'listBulletins',
        security: SIGN_IN_OPTIONAL,
        tags: ['bulletins'],
        summary: 'Published weekly bulletins, newest first',
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: summary } } } },
      },
    },
    async (req) => {
      const { limit } = req.query as { limit: number };
      const items = await bulletins.list(limit);
      return { items: items.map((b) => ({ ...b, links: links(b.id) })) };
    },
  );

  app.get(
    '/api/v1/bulletins/:id',
    {
      schema: {
        operationId: 'getBulletin',
        security: SIGN_IN_OPTIONAL,
        tags: ['bulletins'],
        summary: 'One week’s bulletin (信息安全漏洞周报)',
        description:
          'A published bulletin is frozen and public. A week not yet published is a draft computed live from the store, visible to operators only. `format=json` returns every figure.',
        params: idParam,
        querystring: {
          type: 'object',
          properties: {
            lang: { type: 'string', enum: [...LANGS], default: 'zh' },
            format: { type: 'string', enum: [...FORMATS], default: 'json' },
            download: { type: 'boolean', default: false },
          },
        },
        response: {
          200: {
            description: 'every figure (format=json), or the bulletin as HTML, Markdown or PDF',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: true,
                  description: 'the BulletinData: every figure of the week (src/reports/figures.ts)',
                },
              },
              'text/html': { schema: { type: 'string' } },
              'text/markdown': { schema: { type: 'string' } },
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
            },
          },
          400: { $ref: 'Error#' },
          403: { $ref: 'Error#' },
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const q = req.query as { lang?: string; format?: string; download?: boolean };
      const lang = parseLang(q.lang);
      const format = parseFormat(q.format);
      const b = await bulletins.get(id);
      if (b.state !== 'published' && !can(req.principal, 'bulletins:draft'))
        requireAccess(req.principal, 'bulletins:draft');
      const r = await bulletins.render(id, lang, format);
      void reply.header('content-type', r.contentType);
      void reply.header('cache-control', b.state === 'published' ? 'public, max-age=300' : 'no-store');
      if (q.download || format === 'pdf')
        void reply.header(
          'content-disposition',
          `${q.download ? 'attachment' : 'inline'}; filename="${r.filename}"`,
        );
      return reply.send(r.body);
    },
  );

  app.put(
    '/api/v1/bulletins/:id/editorial',
    {
      schema: {
        operationId: 'setBulletinEditorial',
        security: SIGNED_IN,
        tags: ['bulletins'],
        summary:
          'Set what an analyst enters for the week: news items, POC verifications, pinned / dropped alerts',
        params: idParam,
        body: EDITORIAL_SCHEMA,
        response: {
          200: stateReply,
          400: { $ref: 'Error#' },
          401: { $ref: 'Error#' },
          403: { $ref: 'Error#' },
          409: { $ref: 'Error#' },
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const b = await bulletins.setEditorial(req.principal, id, req.body);
      return { id: b.data.id, state: b.state, publishedAt: b.publishedAt };
    },
  );

  app.post(
    '/api/v1/bulletins/:id/publish',
    {
      schema: {
        operationId: 'publishBulletin',
        security: SIGNED_IN,
        tags: ['bulletins'],
        summary: 'Publish the week’s bulletin: its figures are frozen from now on',
        params: idParam,
        response: {
          200: stateReply,
          401: { $ref: 'Error#' },
          403: { $ref: 'Error#' },
          409: { $ref: 'Error#' },
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const b = await bulletins.publish(req.principal, id);
      if (b.state !== 'published') throw new AppError('internal', 'publish did not take effect');
      return { id: b.data.id, state: b.state, publishedAt: b.publishedAt };
    },
  );
}
