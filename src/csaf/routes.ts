/**
 * The CSAF provider's files under /.well-known/csaf (CSAF 2.0 section 7) and /.well-known/security.txt.
 * Each handler is one call to the provider; who may read a TLP directory is the provider's rule.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NO_SIGN_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';
import { WELL_KNOWN, type CsafProvider } from './provider.js';
import { csafResponseSchema } from './service.js';

const text = (description: string) => ({
  description,
  content: { 'text/plain': { schema: { type: 'string' } } },
});
const html = { description: 'A directory listing', content: { 'text/html': { schema: { type: 'string' } } } };
const errors = { 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' } };
const tlpDir = Type.Enum(['white', 'green', 'amber', 'red'], { type: 'string' });
const yearDir = Type.String({ pattern: '^[0-9]{4}$' });
const tlpParams = Type.Object({ tlp: tlpDir });
const yearParams = Type.Object({ tlp: tlpDir, year: yearDir });

const metadataSchema = Type.Object(
  {
    canonical_url: Type.String(),
    distributions: Type.Array(
      Type.Object({
        directory_url: Type.String(),
        rolie: Type.Object({
          feeds: Type.Array(
            Type.Object({ summary: Type.String(), tlp_label: Type.String(), url: Type.String() }),
          ),
          services: Type.Array(Type.String()),
          categories: Type.Array(Type.String()),
        }),
      }),
    ),
    last_updated: Type.String({ format: 'date-time' }),
    list_on_CSAF_aggregators: Type.Boolean(),
    metadata_version: Type.String(),
    mirror_on_CSAF_aggregators: Type.Boolean(),
    public_openpgp_keys: Type.Array(Type.Object({ fingerprint: Type.String(), url: Type.String() })),
    publisher: Type.Object({ category: Type.String(), name: Type.String(), namespace: Type.String() }),
    role: Type.String(),
  },
  { description: 'CSAF 2.0 provider metadata (provider_json_schema.json)' },
);

const link = Type.Object({ rel: Type.String(), href: Type.String() });
const category = Type.Object({ scheme: Type.Optional(Type.String()), term: Type.String() });
/** A ROLIE feed (CSAF 2.0 7.1.15). */
const feedSchema = Type.Object({
  feed: Type.Object({
    id: Type.String(),
    title: Type.String(),
    link: Type.Array(link),
    category: Type.Array(category),
    updated: Type.String(),
    entry: Type.Array(
      Type.Object({
        id: Type.String(),
        title: Type.String(),
        link: Type.Array(link),
        published: Type.String(),
        updated: Type.String(),
        summary: Type.Object({ content: Type.String() }),
        content: Type.Object({ type: Type.String(), src: Type.String() }),
        format: Type.Object({ schema: Type.String(), version: Type.String() }),
        category: Type.Optional(Type.Array(category)),
      }),
    ),
  }),
});
/** A ROLIE category document (7.1.17). */
const categoriesSchema = Type.Object({
  categories: Type.Object({ category: Type.Array(category) }),
});
/** The ROLIE service document (7.1.16). */
const serviceSchema = Type.Object({
  service: Type.Object({
    workspace: Type.Array(
      Type.Object({
        title: Type.String(),
        collection: Type.Array(
          Type.Object({
            title: Type.String(),
            href: Type.String(),
            categories: Type.Object({ category: Type.Array(category) }),
          }),
        ),
      }),
    ),
  }),
});

export function registerCsafRoutes(app: FastifyInstance, deps: { provider: CsafProvider }): void {
  const p = deps.provider;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    `${WELL_KNOWN}/provider-metadata.json`,
    {
      schema: {
        operationId: 'getCsafProviderMetadata',
        security: NO_SIGN_IN,
        tags: ['csaf'],
        summary: 'CSAF provider metadata: the platform as csaf_trusted_provider',
        response: { 200: metadataSchema },
      },
    },
    () => p.metadata(),
  );

  r.get(
    `${WELL_KNOWN}/service.json`,
    {
      schema: {
        operationId: 'getCsafRolieService',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: NO_SIGN_IN,
        tags: ['csaf'],
        summary: 'The ROLIE service document: every ROLIE feed of the provider',
        response: { 200: serviceSchema },
      },
    },
    () => p.rolieService(),
  );

  r.get(
    `${WELL_KNOWN}/:tlp/:file`,
    {
      schema: {
        operationId: 'getCsafRolieFile',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary:
          'The ROLIE feed (csaf-feed-tlp-<tlp>.json) or category document (category-<tlp>.json) of a TLP directory',
        params: Type.Object({
          tlp: tlpDir,
          file: Type.String({ pattern: '^(csaf-feed-tlp|category)-(white|green|amber|red)\\.json$' }),
        }),
        response: { 200: Type.Union([feedSchema, categoriesSchema]), ...errors },
      },
    },
    (req) => p.rolieFile(req.principal, req.params.tlp, req.params.file),
  );

  r.get(
    '/.well-known/csaf-aggregator/aggregator.json',
    {
      schema: {
        operationId: 'getCsafAggregator',
        // a CSAF distribution file (CSAF 2.0 section 7.1.22), not an API operation: left out of the OpenAPI document
        hide: true,
        security: NO_SIGN_IN,
        tags: ['csaf'],
        summary: 'aggregator.json: the platform as a CSAF lister of the providers its csaf feeds follow',
        response: { 200: Type.Object({}, { additionalProperties: true }), 404: { $ref: 'Error#' } },
      },
    },
    () => p.aggregatorJson(),
  );

  r.get(
    '/.well-known/security.txt',
    {
      schema: {
        operationId: 'getSecurityTxt',
        security: NO_SIGN_IN,
        tags: ['csaf'],
        summary: 'security.txt (RFC 9116) naming the CSAF provider metadata',
        response: { 200: text('security.txt') },
      },
    },
    (_req, reply) => reply.type('text/plain; charset=utf-8').send(p.securityTxt()),
  );

  r.get(
    `${WELL_KNOWN}/openpgp/:file`,
    {
      schema: {
        operationId: 'getCsafPublicKey',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: NO_SIGN_IN,
        tags: ['csaf'],
        summary: 'The OpenPGP public key the documents are signed with (<fingerprint>.asc)',
        params: Type.Object({ file: Type.String({ pattern: '^[0-9A-Fa-f]{40,}\\.asc$' }) }),
        response: {
          200: {
            description: 'An armored public key',
            content: { 'application/pgp-keys': { schema: { type: 'string' } } },
          },
          404: { $ref: 'Error#' },
        },
      },
    },
    async (req, reply) =>
      reply.type('application/pgp-keys').send(await p.publicKey(req.params.file.replace(/\.asc$/, ''))),
  );

  r.get(
    `${WELL_KNOWN}/:tlp/`,
    {
      schema: {
        operationId: 'listCsafDirectory',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'The year folders of a TLP directory (TLP:WHITE public; AMBER/RED for members allowed)',
        params: tlpParams,
        response: { 200: html, ...errors },
      },
    },
    async (req, reply) =>
      reply.type('text/html; charset=utf-8').send(await p.listing(req.principal, req.params.tlp)),
  );

  r.get(
    `${WELL_KNOWN}/:tlp/index.txt`,
    {
      schema: {
        operationId: 'getCsafIndex',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'index.txt: the path of every document of a TLP directory',
        params: tlpParams,
        response: { 200: text('One path a line'), ...errors },
      },
    },
    async (req, reply) =>
      reply.type('text/plain; charset=utf-8').send(await p.indexTxt(req.principal, req.params.tlp)),
  );

  r.get(
    `${WELL_KNOWN}/:tlp/changes.csv`,
    {
      schema: {
        operationId: 'getCsafChanges',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'changes.csv: path and current release date of every document, newest first',
        params: tlpParams,
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...errors,
        },
      },
    },
    async (req, reply) =>
      reply.type('text/csv; charset=utf-8').send(await p.changesCsv(req.principal, req.params.tlp)),
  );

  r.get(
    `${WELL_KNOWN}/:tlp/:year/`,
    {
      schema: {
        operationId: 'listCsafYear',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'The files of one year folder',
        params: yearParams,
        response: { 200: html, ...errors },
      },
    },
    async (req, reply) => {
      const { tlp, year } = req.params;
      return reply.type('text/html; charset=utf-8').send(await p.listing(req.principal, tlp, year));
    },
  );

  r.get(
    `${WELL_KNOWN}/:tlp/:year/:file`,
    {
      schema: {
        operationId: 'getCsafFile',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'A CSAF document (<id>.json) or its .sha256, .sha512 or detached OpenPGP signature .asc',
        description:
          'The hashes and the signature are over exactly the bytes of the .json answer. The hash files read ' +
          '"<hex>  <file name>".',
        params: Type.Object({ tlp: tlpDir, year: yearDir, file: Type.String({ maxLength: 200 }) }),
        response: {
          200: {
            description: 'The document, a hash or a signature',
            content: {
              'application/json': { schema: csafResponseSchema },
              'text/plain': { schema: { type: 'string' } },
              'application/pgp-signature': { schema: { type: 'string' } },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { tlp, year, file } = req.params;
      const served = await p.file(req.principal, tlp, year, file);
      return reply.type(served.contentType).send(served.body);
    },
  );
}
