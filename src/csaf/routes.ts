/**
 * The CSAF provider's files under /.well-known/csaf (CSAF 2.0 section 7) and /.well-known/security.txt.
 * Each handler is one call to the provider; who may read a TLP directory is the provider's rule.
 */
import type { FastifyInstance } from 'fastify';
import { NO_SIGN_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';
import { WELL_KNOWN, type CsafProvider } from './provider.js';
import { csafResponseSchema } from './service.js';

const text = (description: string) => ({
  description,
  content: { 'text/plain': { schema: { type: 'string' } } },
});
const html = { description: 'A directory listing', content: { 'text/html': { schema: { type: 'string' } } } };
const errors = { 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' } };
const tlpParam = { tlp: { type: 'string', enum: ['white', 'green', 'amber', 'red'] } } as const;
const yearParam = { year: { type: 'string', pattern: '^[0-9]{4}$' } } as const;

const metadataSchema = {
  type: 'object',
  description: 'CSAF 2.0 provider metadata (provider_json_schema.json)',
  properties: {
    canonical_url: { type: 'string' },
    distributions: {
      type: 'array',
      items: { type: 'object', properties: { directory_url: { type: 'string' } } },
    },
    last_updated: { type: 'string', format: 'date-time' },
    list_on_CSAF_aggregators: { type: 'boolean' },
    metadata_version: { type: 'string' },
    mirror_on_CSAF_aggregators: { type: 'boolean' },
    public_openpgp_keys: {
      type: 'array',
      items: { type: 'object', properties: { fingerprint: { type: 'string' }, url: { type: 'string' } } },
    },
    publisher: {
      type: 'object',
      properties: { category: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } },
    },
    role: { type: 'string' },
  },
} as const;

export function registerCsafRoutes(app: FastifyInstance, deps: { provider: CsafProvider }): void {
  const p = deps.provider;

  app.get(
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

  app.get(
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

  app.get(
    `${WELL_KNOWN}/openpgp/:file`,
    {
      schema: {
        operationId: 'getCsafPublicKey',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: NO_SIGN_IN,
        tags: ['csaf'],
        summary: 'The OpenPGP public key the documents are signed with (<fingerprint>.asc)',
        params: {
          type: 'object',
          properties: { file: { type: 'string', pattern: '^[0-9A-Fa-f]{40,}\\.asc$' } },
          required: ['file'],
        },
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
      reply
        .type('application/pgp-keys')
        .send(await p.publicKey((req.params as { file: string }).file.replace(/\.asc$/, ''))),
  );

  app.get(
    `${WELL_KNOWN}/:tlp/`,
    {
      schema: {
        operationId: 'listCsafDirectory',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'The year folders of a TLP directory (TLP:WHITE public; AMBER/RED for members allowed)',
        params: { type: 'object', properties: tlpParam, required: ['tlp'] },
        response: { 200: html, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(await p.listing(req.principal, (req.params as { tlp: string }).tlp)),
  );

  app.get(
    `${WELL_KNOWN}/:tlp/index.txt`,
    {
      schema: {
        operationId: 'getCsafIndex',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'index.txt: the path of every document of a TLP directory',
        params: { type: 'object', properties: tlpParam, required: ['tlp'] },
        response: { 200: text('One path a line'), ...errors },
      },
    },
    async (req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(await p.indexTxt(req.principal, (req.params as { tlp: string }).tlp)),
  );

  app.get(
    `${WELL_KNOWN}/:tlp/changes.csv`,
    {
      schema: {
        operationId: 'getCsafChanges',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'changes.csv: path and current release date of every document, newest first',
        params: { type: 'object', properties: tlpParam, required: ['tlp'] },
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...errors,
        },
      },
    },
    async (req, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .send(await p.changesCsv(req.principal, (req.params as { tlp: string }).tlp)),
  );

  app.get(
    `${WELL_KNOWN}/:tlp/:year/`,
    {
      schema: {
        operationId: 'listCsafYear',
        // a CSAF distribution file (CSAF 2.0 section 7), not an API operation: left out of the OpenAPI document
        hide: true,
        security: SIGN_IN_OPTIONAL,
        tags: ['csaf'],
        summary: 'The files of one year folder',
        params: { type: 'object', properties: { ...tlpParam, ...yearParam }, required: ['tlp', 'year'] },
        response: { 200: html, ...errors },
      },
    },
    async (req, reply) => {
      const { tlp, year } = req.params as { tlp: string; year: string };
      return reply.type('text/html; charset=utf-8').send(await p.listing(req.principal, tlp, year));
    },
  );

  app.get(
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
        params: {
          type: 'object',
          properties: { ...tlpParam, ...yearParam, file: { type: 'string', maxLength: 200 } },
          required: ['tlp', 'year', 'file'],
        },
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
      const { tlp, year, file } = req.params as { tlp: string; year: string; file: string };
      const served = await p.file(req.principal, tlp, year, file);
      return reply.type(served.contentType).send(served.body);
    },
  );
}
