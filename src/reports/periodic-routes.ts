/**
 * /api/v1/reports: the monthly report (/monthly/{YYYY-MM}) and the annual report (/annual/{YYYY}), published
 * (anyone) or draft (operators), in zh / en, JSON / HTML / Markdown / PDF, as the bulletin's routes. Each
 * handler is one service call.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import { SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { PERIOD_KINDS, type PeriodKind } from './period.js';
import type { PeriodicReportService } from './periodic-service.js';
import { FORMATS, parseFormat, parseLang } from './service.js';
import { LANGS } from './text.js';

const PATH: Record<PeriodKind, 'monthly' | 'annual'> = { month: 'monthly', year: 'annual' };
const ID_PARAM = {
  month: Type.Object({
    id: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'calendar month, e.g. 2023-12' }),
  }),
  year: Type.Object({ id: Type.String({ pattern: '^\\d{4}$', description: 'calendar year, e.g. 2023' }) }),
} satisfies Record<PeriodKind, unknown>;

const renderQuery = Type.Object({
  lang: Type.Optional(StringEnum(LANGS, { default: 'zh' })),
  format: Type.Optional(StringEnum(FORMATS, { default: 'json' })),
  download: Type.Optional(Type.Boolean({ default: false })),
});

const summary = Type.Object({
  id: Type.String(),
  kind: StringEnum(PERIOD_KINDS),
  start: Type.String({ format: 'date' }),
  end: Type.String({ format: 'date' }),
  publishedAt: Type.String(),
  total: Type.Integer(),
  high: Type.Integer(),
  links: Type.Record(Type.String(), Type.String()),
});

const stateReply = Type.Object({
  id: Type.String(),
  kind: StringEnum(PERIOD_KINDS),
  state: StringEnum(['draft', 'published'] as const),
  publishedAt: Nullable(Type.String()),
});

const renderedResponse = Type.Unsafe<string | Buffer>({
  description: 'every figure (format=json), or the report as HTML, Markdown or PDF',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        additionalProperties: true,
        description: 'the PeriodicData: every figure of the period (src/reports/periodic.ts)',
      },
    },
    'text/html': { schema: { type: 'string' } },
    'text/markdown': { schema: { type: 'string' } },
    'application/pdf': { schema: { type: 'string', format: 'binary' } },
  },
});

export const reportLinks = (kind: PeriodKind, id: string): Record<string, string> =>
  Object.fromEntries(
    LANGS.flatMap((l) =>
      FORMATS.map((f) => [`${f}_${l}`, `/api/v1/reports/${PATH[kind]}/${id}?lang=${l}&format=${f}`]),
    ),
  );

export function registerPeriodicReportRoutes(
  app: FastifyInstance,
  deps: { reports: PeriodicReportService },
): void {
  const { reports } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/reports',
    {
      schema: {
        operationId: 'listPeriodicReports',
        security: SIGN_IN_OPTIONAL,
        tags: ['bulletins'],
        summary: 'Published monthly and annual reports, newest period first',
        querystring: Type.Object({
          kind: Type.Optional(StringEnum(PERIOD_KINDS)),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(summary) }), ...errorResponses(400) },
      },
    },
    async (req) => {
      const items = await reports.list(req.query.limit, req.query.kind);
      return { items: items.map((x) => ({ ...x, links: reportLinks(x.kind, x.id) })) };
    },
  );

  for (const kind of PERIOD_KINDS) {
    const word = kind === 'month' ? 'monthly' : 'annual';
    const title = kind === 'month' ? 'One month’s report (月报)' : 'One year’s report (年报)';
    const Op = kind === 'month' ? 'Monthly' : 'Annual';
    r.get(
      `/api/v1/reports/${PATH[kind]}/:id`,
      {
        schema: {
          operationId: `get${Op}Report`,
          security: SIGN_IN_OPTIONAL,
          tags: ['bulletins'],
          summary: title,
          description: `A published ${word} report is frozen and public. A period not yet published is a draft computed live from the store, visible to operators only. \`format=json\` returns every figure.`,
          params: ID_PARAM[kind],
          querystring: renderQuery,
          response: { 200: renderedResponse, ...errorResponses(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const q = req.query;
        const format = parseFormat(q.format);
        const b = await reports.read(req.principal, kind, req.params.id, parseLang(q.lang), format);
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

    r.post(
      `/api/v1/reports/${PATH[kind]}/:id/publish`,
      {
        schema: {
          operationId: `publish${Op}Report`,
          security: SIGNED_IN,
          tags: ['bulletins'],
          summary: `Publish the ${word} report: its figures are frozen from now on`,
          params: ID_PARAM[kind],
          response: { 200: stateReply, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (req) => {
        const b = await reports.publish(req.principal, kind, req.params.id);
        if (b.state !== 'published') throw new AppError('internal', 'publish did not take effect');
        return { id: b.data.id, kind: b.data.kind, state: b.state, publishedAt: b.publishedAt };
      },
    );
  }
}
