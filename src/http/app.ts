/**
 * The Fastify application: error shape, rate limits, OpenAPI document and docs, health check.
 * Nothing domain-specific: capabilities register their own routes.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import { appliedMigrationCount } from '../db/migrate.js';
import { ERROR_CODE_SCHEMA, ERROR_STATUS, isAppError, userLangOf, userMessage } from '../errors.js';
import { errorSchema } from '../vulns/schema.js';
import { registerVulnRoutes } from '../vulns/routes.js';
import { registerFeedRoutes } from '../feeds/routes.js';
import { registerWatchlistRoutes } from '../watchlists/routes.js';
import { registerIncidentRoutes } from '../incidents/routes.js';
import { registerBulletinRoutes } from '../reports/routes.js';
import { registerPeriodicReportRoutes } from '../reports/periodic-routes.js';
import { registerAccountRoutes } from '../accounts/routes.js';
import { registerAuth } from './auth.js';
import { NO_SIGN_IN } from './openapi.js';
import { registerSecurityHeaders, requestLogSerializer } from './security.js';
import { frameworkErrors, registerInputGuards } from './input-guards.js';
import { registerSubmissionRoutes } from '../submissions/routes.js';
import { registerCoordinationRoutes } from '../coordination/routes.js';
import { registerCsafRoutes } from '../csaf/routes.js';
import { registerAdvisoryRoutes } from '../advisories/routes.js';
import { registerGcveRoutes } from '../gcve/routes.js';
import { registerVocabularyRoutes } from '../vocabularies/routes.js';
import { registerPeerRoutes } from '../peers/routes.js';
import { registerHandoverRoutes } from '../peers/handover-routes.js';
import { registerDelegationRoutes } from '../peers/delegation-routes.js';
import { registerSetupGate, registerSetupRoutes } from '../setup/routes.js';
import { loadDemo } from '../demo/load.js';
import { registerAllianceRoutes } from '../alliance/routes.js';
import { registerTipoffRoutes } from '../tipoffs/routes.js';
import { registerDrillRoutes } from '../drills/routes.js';
import { completeConfig, createPlatform, type Platform, type PlatformOverrides } from '../app/platform.js';
import type { ReplicaRouter } from '../ops/replicas.js';
import { registerRequestRoutes } from '../ops/request-route.js';
import { registerMetrics } from '../ops/metrics.js';
import { databaseRateLimitStore } from '../ops/rate-limit-store.js';

export interface AppDeps {
  database: Database;
  /** Settings; what is left out takes its default (tests give only what they test). */
  config: Partial<Config>;
  /**
   * The platform's services (src/app/platform.ts). `serve` passes the one it built; when absent it is built
   * here by the same function from `database`, `config` and `overrides` — there is one wiring.
   */
  platform?: Platform;
  overrides?: PlatformOverrides;
  version?: string;
  /** Where the request log goes (default standard output); tests read it. */
  logStream?: NodeJS.WritableStream;
  /** Read replicas (src/ops/replicas.ts): `database` is then `router.database`, the routed one. */
  router?: ReplicaRouter | null;
}

/** An incoming X-Request-Id (from a proxy or another vulnshare process) is kept when it looks like an id. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const config = deps.platform?.config ?? completeConfig(deps.config);
  const own = deps.platform ? null : createPlatform(deps.database, config, deps.overrides);
  const platform = deps.platform ?? (own as Platform);
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            serializers: { req: requestLogSerializer },
            ...(deps.logStream ? { stream: deps.logStream } : {}),
          },
    genReqId: (req) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, allErrors: false } },
    trustProxy: false,
    frameworkErrors,
  });
  registerInputGuards(app);
  const router = deps.router ?? null;
  // before every other hook: the request's reads know where they may go (src/ops/request-route.ts)
  if (router) registerRequestRoutes(app, router);
  app.addHook('onRequest', async (req, reply) => void reply.header('x-request-id', req.id));
  // the primary as opened: counters and figures are written and read there, never routed
  const primaryDb = (router?.primary ?? deps.database).db;
  registerMetrics(app, { db: primaryDb, router });

  // the code property lists every code of the one table (src/errors.ts)
  const errorBody = errorSchema.properties.error;
  app.addSchema({
    $id: 'Error',
    ...errorSchema,
    properties: { error: { ...errorBody, properties: { ...errorBody.properties, code: ERROR_CODE_SCHEMA } } },
  });
  await registerSecurityHeaders(app, { https: config.publicUrl.startsWith('https://') });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    // the user message in the reader's language (?lang=, else Accept-Language; default en); the log keeps err.message
    // read from the URL itself: the error may come before (or from) the route's query validation
    const lang = userLangOf(
      req.headers['accept-language'],
      new URL(req.url, 'http://localhost').searchParams.get('lang') ?? undefined,
    );
    if (isAppError(err)) {
      const retry = err.details?.retryAfterSeconds;
      if (typeof retry === 'number') void reply.header('retry-after', String(retry));
      req.log.info({ code: err.code, details: err.details }, err.message);
      void reply
        .status(err.status)
        .send({ error: { code: err.code, message: err.userMessage(lang), details: err.details ?? {} } });
      return;
    }
    if (err.validation) {
      const v = err.validation[0];
      const path =
        v?.instancePath?.replace(/^\//, '') ||
        (v?.params as { missingProperty?: string } | undefined)?.missingProperty ||
        '';
      const parameter = path.split('/')[0] ?? '';
      void reply.status(400).send({
        error: {
          code: 'invalid_parameter',
          message: userMessage('invalid_parameter', lang, {
            message: `${err.validationContext ?? 'request'} parameter "${parameter}" ${v?.message ?? 'is invalid'}`,
          }),
          details: { parameter, in: err.validationContext },
        },
      });
      return;
    }
    if (err.statusCode === 429) {
      void reply.status(429).send({
        error: {
          code: 'rate_limited',
          message: userMessage('rate_limited', lang, { message: err.message }),
          details: {},
        },
      });
      return;
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      void reply.status(err.statusCode).send({
        error: {
          code: 'bad_request',
          message: userMessage('bad_request', lang, { message: err.message }),
          details: {},
        },
      });
      return;
    }
    req.log.error({ err }, 'unhandled error');
    void reply.status(500).send({
      error: { code: 'internal', message: userMessage('internal', lang), details: { requestId: req.id } },
    });
  });

  // the web app (dist/web, built by `npm run build`): files as they are, every other page to index.html
  const webRoot = fileURLToPath(new URL('../../dist/web/', import.meta.url));
  const hasWeb = existsSync(join(webRoot, 'index.html'));
  if (hasWeb)
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: 'index.html' });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (hasWeb && req.method === 'GET' && !path.startsWith('/api/') && path !== '/healthz')
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    void reply.status(ERROR_STATUS.not_found).send({
      error: {
        code: 'not_found',
        message: `No route ${req.method} ${req.url.split('?')[0] ?? ''}`,
        details: {},
      },
    });
  });

  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    // on a PostgreSQL server several app processes share the counters; PGlite has one process, in memory
    ...(deps.database.kind === 'postgres' && deps.database.via === 'owner'
      ? { store: databaseRateLimitStore(primaryDb) }
      : {}),
    errorResponseBuilder: (req, ctx) => {
      // a route may count over its own window (tip-offs: an hour)
      const own = (req.routeOptions.config as { rateLimit?: { timeWindow?: unknown } }).rateLimit?.timeWindow;
      const per =
        typeof own === 'number' && own !== 60_000 ? `${Math.round(own / 60_000)} minutes` : 'minute';
      const e = new Error(
        `Rate limit exceeded: at most ${ctx.max} requests per ${per}; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
      ) as Error & { statusCode: number };
      e.statusCode = 429;
      return e;
    },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'vulnshare API',
        version: deps.version ?? '0.1.0',
        description:
          'Vulnerabilities collected, verified, coordinated and published by vulnshare (CNVD-style platform).',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      servers: [{ url: '/', description: 'this server' }],
      tags: [
        {
          name: 'vulnerabilities',
          description: 'The published records: search, one record, exports, vendors, stats',
        },
        {
          name: 'bulletins',
          description: 'The weekly bulletin (信息安全漏洞周报): drafts, editorial content, publication',
        },
        {
          name: 'accounts',
          description: 'Sign-in, registration, API tokens, organisations, users, the audit log',
        },
        {
          name: 'submissions',
          description: 'Reports from reporters: intake, workflow, attachments, messages, ranking',
        },
        {
          name: 'disposal',
          description: 'Notifications to recipients and what they answer, by account or by link',
        },
        {
          name: 'incidents',
          description: 'Security incidents under TLP, their disposal and STIX 2.1 exchange',
        },
        { name: 'feeds', description: 'Remote catalogues synced on a schedule or on demand' },
        {
          name: 'watchlists',
          description: 'Products and CPEs an organisation watches, and the alerts they raise',
        },
        { name: 'csaf', description: 'The platform as a CSAF 2.0 trusted provider (/.well-known/csaf)' },
        {
          name: 'alliance',
          description:
            'The alliance registry (网络安全威胁治理联盟, CCTGA): member directory, status, audience',
        },
        {
          name: 'tipoffs',
          description: 'Public tip-offs (举报) without an account, followed by receipt code',
        },
        {
          name: 'drills',
          description: 'Exercises (应急演练): injects, responses, the timeline, the after-action report',
        },
        { name: 'gcve', description: 'GCVE numbering authority: GCVE-BCP-03 pull API and dump' },
        { name: 'platform', description: 'Health of the service' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API token (POST /api/v1/tokens)' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'vs_session',
            description: 'POST /api/v1/auth/login; unsafe methods also need X-CSRF-Token',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    // swagger-ui's own policy (hashes for its inline scripts); its inline styles as the app allows them
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        security: NO_SIGN_IN,
        tags: ['platform'],
        summary: 'Whether the service and its database answer',
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              database: { type: 'string' },
              replicas: {
                type: 'array',
                description: 'read replicas: in rotation or not (and why), WAL bytes behind the primary',
                items: {
                  type: 'object',
                  required: ['name', 'inRotation'],
                  properties: {
                    name: { type: 'string' },
                    address: { type: 'string' },
                    inRotation: { type: 'boolean' },
                    lagBytes: { type: 'integer', nullable: true },
                    replayLsn: { type: 'string', nullable: true },
                    reason: { type: 'string', nullable: true },
                    checkedAt: { type: 'string', nullable: true },
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => {
      await appliedMigrationCount(router?.primary ?? deps.database);
      return {
        status: 'ok',
        database: deps.database.kind,
        ...(router ? { replicas: router.status() } : {}),
      };
    },
  );

  if (own) app.addHook('onClose', () => own.close());
  const { accounts, submissions, messages, stats, coordination, watchlists, feeds, incidents, bulletins } =
    platform;
  const db = deps.database.db;
  await registerAuth(app, { accounts, secureCookies: config.publicUrl.startsWith('https://') });
  // first run: nothing but the setup is writable until the first admin exists
  registerSetupGate(app, platform.setup);
  await app.register((instance) =>
    registerSetupRoutes(instance, { setup: platform.setup, demo: (p) => loadDemo(p, platform) }),
  );
  await app.register((instance) => registerAccountRoutes(instance, { accounts, db }));
  await app.register((instance) =>
    registerVulnRoutes(instance, { db, publicUrl: config.publicUrl, platformOrg: config.platformOrg }),
  );
  await app.register((instance) => registerSubmissionRoutes(instance, { submissions, messages, stats }));
  await app.register((instance) => registerCoordinationRoutes(instance, { coordination }));
  await app.register((instance) => registerWatchlistRoutes(instance, { watchlists }));
  await app.register((instance) => registerFeedRoutes(instance, { feeds }));
  await app.register((instance) => registerIncidentRoutes(instance, { incidents }));
  await app.register((instance) => registerBulletinRoutes(instance, { bulletins }));
  await app.register((instance) => registerPeriodicReportRoutes(instance, { reports: platform.reports }));
  await app.register((instance) => registerCsafRoutes(instance, { provider: platform.csafProvider }));
  await app.register((instance) => registerAdvisoryRoutes(instance, { advisories: platform.advisories }));
  await app.register((instance) => registerGcveRoutes(instance, { gcve: platform.gcve }));
  await app.register((instance) => registerVocabularyRoutes(instance));
  await app.register((instance) => registerPeerRoutes(instance, { peers: platform.peers }));
  await app.register((instance) => registerHandoverRoutes(instance, { handover: platform.handover }));
  await app.register((instance) => registerDelegationRoutes(instance, { delegation: platform.delegation }));
  await app.register((instance) => registerAllianceRoutes(instance, { alliance: platform.alliance }));
  await app.register((instance) => registerTipoffRoutes(instance, { tipoffs: platform.tipoffs }));
  await app.register((instance) => registerDrillRoutes(instance, { drills: platform.drills }));
  return app;
}
