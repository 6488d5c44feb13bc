/**
 * /api/v1/setup and /api/v1/demo: the first run's routes, and the gate that keeps everything else read-only
 * until the first admin exists (registered on the root instance, so it sees every route).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import type { Principal } from '../accounts/model.js';
import { ROLES } from '../accounts/model.js';
import type { DemoResult } from '../demo/load.js';
import { NO_SIGN_IN, SIGNED_IN } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import type { SetupService } from './service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Paths writable before the first admin exists: the setup itself. */
const OPEN_BEFORE_SETUP = ['/api/v1/setup'];

/** Every mutating request waits for the setup while `setup.required()`: `setup_required` (503). */
export function registerSetupGate(app: FastifyInstance, setup: Pick<SetupService, 'required'>): void {
  app.addHook('onRequest', async (req) => {
    if (SAFE_METHODS.has(req.method)) return;
    const path = req.url.split('?')[0] ?? '';
    if (OPEN_BEFORE_SETUP.includes(path)) return;
    if (await setup.required())
      throw new AppError(
        'setup_required',
        `${req.method} ${path} refused: no admin yet; complete the setup first (the link vulnshare serve printed)`,
      );
  });
}

const Str = Type.String();
const status = Type.Object(
  {
    setupRequired: Type.Boolean({ description: 'no admin yet and a setup link was issued' }),
    adminExists: Type.Boolean(),
  },
  { additionalProperties: false },
);
const demoResult = Type.Object(
  {
    records: Type.Object({
      read: Type.Integer(),
      imported: Type.Integer(),
      unchanged: Type.Integer(),
      rejected: Type.Integer(),
    }),
    organisationsCreated: Type.Integer(),
    usersCreated: Type.Array(Str),
    password: Nullable(Str),
    submissionsCreated: Type.Integer(),
    bulletin: Type.Object({ week: Str, published: Type.Boolean() }),
    incident: Type.Object({ id: Str, created: Type.Boolean() }),
  },
  { additionalProperties: false },
);

export function registerSetupRoutes(
  app: FastifyInstance,
  deps: { setup: SetupService; demo: (p: Principal) => Promise<DemoResult> },
) {
  const { setup } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/setup',
    {
      schema: {
        operationId: 'getSetupStatus',
        security: NO_SIGN_IN,
        tags: ['platform'],
        summary: 'Whether the platform waits for its first admin (the first run)',
        response: { 200: status },
      },
    },
    () => setup.status(),
  );

  r.post(
    '/api/v1/setup',
    {
      schema: {
        operationId: 'completeSetup',
        security: NO_SIGN_IN,
        tags: ['platform'],
        summary:
          'Create the first admin with the one-time setup token vulnshare serve printed; the token is dead afterwards',
        body: Type.Object(
          {
            token: Type.String({ minLength: 1, maxLength: 200 }),
            email: Type.String({ minLength: 3, maxLength: 254 }),
            displayName: Type.String({ minLength: 1, maxLength: 200 }),
            password: Type.String({ minLength: 1, maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object(
            {
              user: Type.Object(
                { id: Type.Integer(), email: Str, displayName: Str, role: StringEnum(ROLES) },
                { additionalProperties: false },
              ),
            },
            { additionalProperties: false },
          ),
          ...errorResponses(400, 403, 409),
        },
      },
    },
    async (req, reply) => {
      const u = await setup.complete(req.body);
      return reply
        .status(201)
        .send({ user: { id: u.id, email: u.email, displayName: u.displayName, role: u.role } });
    },
  );

  r.post(
    '/api/v1/demo',
    {
      schema: {
        operationId: 'loadDemo',
        security: SIGNED_IN,
        tags: ['platform'],
        summary:
          'Load the generated demo data set (records, organisations, reports in every state, a bulletin, an incident); running it again adds nothing',
        response: { 200: demoResult, ...errorResponses(401, 403) },
      },
    },
    (req) => deps.demo(req.principal),
  );
}
