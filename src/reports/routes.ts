/**
 * /api/v1/bulletins: the weekly bulletin, published (anyone) or draft (operators), in zh / en, JSON / HTML /
 * Markdown / PDF. Each handler is one service call; who may read a draft is the service's check.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import { EDITORIAL_SCHEMA, FORMATS, parseFormat, parseLang, type BulletinService } from './service.js';
import { LANGS } from './text.js';
import { SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';

const idParam = Type.Object({
  id: Type.String({ pattern: '^\\d{4}-W\\d{2}$', description: 'ISO week, e.g. 2024-W04' }),
});

const summary = Type.Object({
  id: Type.String(),
  year: Type.Integer(),
  week: Type.Integer(),
  start: Type.String({ format: 'date' }),
  end: Type.String({ format: 'date' }),
  publishedAt: Type.String(),
  total: Type.Integer(),
  high: Type.Integer(),
  links: Type.Record(Type.String(), Type.String()),
});

const stateReply = Type.Object({
  id: Type.String(),
  state: StringEnum(['draft', 'published'] as const),
  publishedAt: Nullable(Type.String()),
});

/** The analyst's editorial content: the service validates it (parseEditorial) against the same schema. */
const editorialBody = Type.Unsafe<unknown>(EDITORIAL_SCHEMA);

export function registerBulletinRoutes(app: FastifyInstance, deps: { bulletins: BulletinService }): void {
  const { bulletins } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const links = (id: string) =>
    Object.fromEntries(
      LANGS.flatMap((l) =>
        FORMATS.map((f) => [`${f}_${l}`, `/api/v1/bulletins/${id}?lang=${l}&format=${f}`]),
      ),
    );

  r.get(
    '/api/v1/bulletins',
    {
      schema: {
        operationId: 'listBulletins',
        security: SIGN_IN_OPTIONAL,
        tags: ['bulletins'],
        summary: 'Published weekly bulletins, newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(summary) }) },
      },
    },
    async (req) => {
      const items = await bulletins.list(req.query.limit);
      return { items: items.map((b) => ({ ...b, links: links(b.id) })) };
    },
  );

  r.get(
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
        querystring: Type.Object({
          lang: Type.Optional(StringEnum(LANGS, { default: 'zh' })),
          format: Type.Optional(StringEnum(FORMATS, { default: 'json' })),
          download: Type.Optional(Type.Boolean({ default: false })),
        }),
        response: {
          200: Type.Unsafe<string | Buffer>({
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
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const format = parseFormat(q.format);
      const b = await bulletins.read(req.principal, req.params.id, parseLang(q.lang), format);
      void reply.header('content-type', b.contentType);
      void reply.header('cache-control', b.state === 'published' ? 'public, max-age=300' : 'no-store');
      if (q.download || format === 'pdf')
        void reply.header(
          'content-disposition',
          `${q.download ? 'attachment' : 'inline'}; filename="${b.filename}"`,
        );
      return reply.send(b.body);
    },
  );

  r.put(
    '/api/v1/bulletins/:id/editorial',
    {
      schema: {
        operationId: 'setBulletinEditorial',
        security: SIGNED_IN,
        tags: ['bulletins'],
        summary:
          'Set what an analyst enters for the week: news items, POC verifications, pinned / dropped alerts',
        params: idParam,
        body: editorialBody,
        response: { 200: stateReply, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req) => {
      const b = await bulletins.setEditorial(req.principal, req.params.id, req.body);
      return { id: b.data.id, state: b.state, publishedAt: b.publishedAt };
    },
  );

  r.post(
    '/api/v1/bulletins/:id/publish',
    {
      schema: {
        operationId: 'publishBulletin',
        security: SIGNED_IN,
        tags: ['bulletins'],
        summary: 'Publish the week’s bulletin: its figures are frozen from now on',
        params: idParam,
        response: { 200: stateReply, ...errorResponses(401, 403, 409) },
      },
    },
    async (req) => {
      const b = await bulletins.publish(req.principal, req.params.id);
      if (b.state !== 'published') throw new AppError('internal', 'publish did not take effect');
      return { id: b.data.id, state: b.state, publishedAt: b.publishedAt };
    },
  );
}
