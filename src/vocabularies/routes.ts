/**
 * GET /api/v1/vocabularies — the tables the web app labels codes with; GET /api/v1/weeks — an ISO week with
 * its neighbours. Both public and cacheable: the tables change with a release, a named week never.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { NO_SIGN_IN } from '../http/openapi.js';
import { vocabularies, weekFor } from './vocabularies.js';
import { ASSET_KINDS, ATTACK_PHASES, SECTORS, STATUSES, TLP_LEVELS, VECTORS } from '../incidents/tables.js';
import { INDUSTRIES, OBJECT_TYPES } from '../vulns/model.js';

const Label = Type.Object({ zh: Type.String(), en: Type.String() });
/** One property per code, each with its zh/en label: the document names every code a table holds. */
const table = <R extends TSchema>(codes: readonly string[], row: R) =>
  Type.Object(Object.fromEntries(codes.map((c) => [c, row])));

export const vocabulariesSchema = Type.Object({
  vulnerabilities: Type.Object({
    objectTypes: table(OBJECT_TYPES, Label),
    industries: table(INDUSTRIES, Label),
  }),
  incidents: Type.Object({
    sectors: table(Object.keys(SECTORS), Label),
    attackPhases: table(
      Object.keys(ATTACK_PHASES),
      Type.Object({ tactic: Type.String(), zh: Type.String(), en: Type.String() }),
    ),
    assetKinds: table(Object.keys(ASSET_KINDS), Label),
    vectors: table(Object.keys(VECTORS), Label),
    statuses: table(Object.keys(STATUSES), Label),
    transitions: table(
      Object.keys(STATUSES),
      Type.Array(Type.String(), { description: 'the statuses this one may change to' }),
    ),
    tlpLevels: table(Object.keys(TLP_LEVELS), Label),
  }),
  notifications: Type.Object({
    closedStates: Type.Array(Type.String(), {
      description: 'states in which a notification is settled: the recipient has nothing more to do',
    }),
  }),
});

const weekId = Type.String({ pattern: '^\\d{4}-W\\d{2}$' });
export const weekSchema = Type.Object({
  id: weekId,
  year: Type.Integer(),
  week: Type.Integer({ minimum: 1, maximum: 53 }),
  start: Type.String({ format: 'date', description: 'Monday' }),
  end: Type.String({ format: 'date', description: 'Sunday' }),
  previous: weekId,
  next: weekId,
});

const errorRef = Type.Unsafe<{ error: { code: string; message: string } }>({ $ref: 'Error#' });

export function registerVocabularyRoutes(app: FastifyInstance, deps: { now?: () => Date } = {}) {
  const now = deps.now ?? (() => new Date());
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tables = vocabularies();

  r.get(
    '/api/v1/vocabularies',
    {
      schema: {
        operationId: 'getVocabularies',
        security: NO_SIGN_IN,
        tags: ['platform'],
        summary: 'The code tables the platform labels its data with (zh/en): object types, sectors, TLP …',
        response: { 200: vocabulariesSchema },
      },
    },
    (_req, reply) => {
      void reply.header('cache-control', 'public, max-age=3600');
      return tables;
    },
  );

  r.get(
    '/api/v1/weeks',
    {
      schema: {
        operationId: 'getWeek',
        security: NO_SIGN_IN,
        tags: ['platform'],
        summary: 'An ISO week (Monday–Sunday, Asia/Shanghai) with the ids of the weeks before and after',
        description:
          'The week named by `week`, else the one holding `date`, else the current one. Bulletins and the reporter ranking count by these weeks.',
        querystring: Type.Object({
          week: Type.Optional(Type.String({ description: 'an ISO week id, e.g. 2023-W49' })),
          date: Type.Optional(Type.String({ format: 'date', description: 'a calendar date' })),
        }),
        response: { 200: weekSchema, 400: errorRef },
      },
    },
    (req, reply) => {
      const named = !!(req.query.week ?? req.query.date);
      void reply.header('cache-control', named ? 'public, max-age=86400' : 'public, max-age=60');
      return weekFor(req.query, now());
    },
  );
}
