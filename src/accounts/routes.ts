/** /api/v1/auth, /tokens, /organisations, /users, /audit: thin handlers over the account service. */
import type { FastifyInstance } from 'fastify';
import { listAudit } from '../audit/audit.js';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { CONTACT_MECHANISMS, ORG_KINDS, ROLES, type OrgKind, type Role } from './model.js';
import { ACTIONS } from './policy.js';
import type { AccountService } from './service.js';
import { NO_SIGN_IN, SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';

const err = { $ref: 'Error#' } as const;
const errors = { 400: err, 401: err, 403: err, 404: err, 409: err, 429: err } as const;
const user = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    email: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    organisationId: { type: 'integer', nullable: true },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string' },
    lastLoginAt: { type: 'string', nullable: true },
    failedSignInsSinceLastLogin: {
      type: 'integer',
      description: 'wrong passwords tried on this account since its previous sign-in',
    },
  },
} as const;
const nullableString = { type: 'string', nullable: true } as const;
/** An API token as its owner sees it again: never the secret, only its prefix. */
const apiToken = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'prefix', 'scopes', 'expiresAt', 'createdAt', 'lastUsedAt', 'revokedAt'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    expiresAt: nullableString,
    createdAt: { type: 'string' },
    lastUsedAt: nullableString,
    revokedAt: nullableString,
  },
} as const;
const auditEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'at', 'actor', 'action', 'targetKind', 'targetId', 'detail', 'ip'],
  properties: {
    id: { type: 'integer' },
    at: { type: 'string' },
    actor: { type: 'string' },
    action: { type: 'string' },
    targetKind: nullableString,
    targetId: nullableString,
    detail: { type: 'object', additionalProperties: true, description: 'what the action changed' },
    ip: nullableString,
  },
} as const;
const contact = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    email: { type: 'string', nullable: true },
    webhookUrl: { type: 'string', nullable: true },
    portal: { type: 'boolean' },
    mechanism: { type: 'string' },
  },
} as const;
const organisation = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: [...ORG_KINDS] },
    name: { type: 'string' },
    nameEn: { type: 'string', nullable: true },
    sector: { type: 'string', nullable: true },
    region: { type: 'string', nullable: true },
    allianceCert: { type: 'string', nullable: true },
    verified: { type: 'boolean' },
    verifiedAt: { type: 'string', nullable: true },
    contacts: { type: 'array', items: contact },
  },
} as const;
const password = { type: 'string', minLength: 1, maxLength: 256 } as const;
const email = { type: 'string', minLength: 3, maxLength: 254 } as const;

export function registerAccountRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountService; db: Kysely<DB> },
) {
  const { accounts } = deps;

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        operationId: 'signIn',
        security: NO_SIGN_IN,
        tags: ['accounts'],
        summary: 'Sign in: sets an http-only session cookie; send the returned csrfToken as X-CSRF-Token',
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: { email, password },
        },
        response: {
          200: {
            type: 'object',
            properties: { user, csrfToken: { type: 'string' }, expiresAt: { type: 'string' } },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { email: string; password: string };
      const r = await accounts.login({ ...b, ip: req.ip });
      reply.setSession(r.session);
      return { user: r.user, csrfToken: r.csrfToken, expiresAt: r.expiresAt };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        operationId: 'signOut',
        security: SIGN_IN_OPTIONAL,
        tags: ['accounts'],
        summary: 'Sign out',
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      if (req.sessionToken) await accounts.logout(req.sessionToken);
      reply.setSession(null);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        operationId: 'getSession',
        security: SIGN_IN_OPTIONAL,
        tags: ['accounts'],
        summary: 'The signed-in user and the session’s CSRF token; user null when not signed in',
        response: {
          200: {
            type: 'object',
            properties: {
              user: { anyOf: [user, { type: 'null' }] },
              csrfToken: { type: ['string', 'null'] },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      // not signed in is an answer, not an error: { user: null }
      const u = await accounts.me(req.principal);
      return { user: u, csrfToken: u ? req.csrfToken : null };
    },
  );

  app.post(
    '/api/v1/auth/register',
    {
      schema: {
        operationId: 'register',
        security: NO_SIGN_IN,
        tags: ['accounts'],
        summary:
          'Register as a reporter: an individual researcher or a reporting unit (security company). The answer is the same whether or not the address has an account: a new address can sign in at once; a taken one is left unchanged and its owner is told by e-mail',
        body: {
          type: 'object',
          required: ['email', 'password', 'displayName'],
          additionalProperties: false,
          properties: {
            email,
            password,
            displayName: { type: 'string', minLength: 1, maxLength: 200 },
            organisation: {
              type: 'object',
              required: ['kind'],
              additionalProperties: false,
              properties: {
                kind: { type: 'string', enum: ['individual', 'reporting_unit'] },
                name: { type: 'string', maxLength: 300 },
              },
            },
          },
        },
        response: {
          202: {
            type: 'object',
            properties: { status: { type: 'string', enum: ['accepted'] }, message: { type: 'string' } },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const b = req.body as Parameters<AccountService['register']>[0];
      return reply.status(202).send(await accounts.register({ ...b, ip: req.ip }));
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        operationId: 'listTokens',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Your API tokens (never the secret)',
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: { items: { type: 'array', items: apiToken } },
          },
          ...errors,
        },
      },
    },
    async (req) => ({ items: await accounts.listApiTokens(req.principal) }),
  );

  app.post(
    '/api/v1/tokens',
    {
      schema: {
        operationId: 'createToken',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Create an API token for machines; the token is shown once',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: { type: 'array', items: { type: 'string', enum: ACTIONS }, uniqueItems: true },
            expiresInDays: { type: 'integer', minimum: 1, maximum: 366 },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              token: { type: 'string' },
              scopes: { type: 'array', items: { type: 'string' } },
              expiresAt: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const t = await accounts.createApiToken(req.principal, req.body as { name: string });
      return reply.status(201).send(t);
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        operationId: 'revokeToken',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Revoke one of your API tokens',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      await accounts.revokeApiToken(req.principal, (req.params as { id: number }).id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/organisations',
    {
      schema: {
        operationId: 'listOrganisations',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Organisations (analysts)',
        querystring: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: [...ORG_KINDS] },
            q: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: organisation } } },
          ...errors,
        },
      },
    },
    async (req) => ({
      items: await accounts.listOrganisations(req.principal, req.query as { kind?: OrgKind; q?: string }),
    }),
  );

  app.post(
    '/api/v1/organisations',
    {
      schema: {
        operationId: 'createOrganisation',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Add an organisation: vendor, member unit (with sector), reporting unit, branch, authority…',
        body: {
          type: 'object',
          required: ['kind', 'name'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...ORG_KINDS] },
            name: { type: 'string', minLength: 1, maxLength: 300 },
            nameEn: { type: 'string', maxLength: 300 },
            sector: { type: 'string', maxLength: 100 },
            region: { type: 'string', maxLength: 100 },
            allianceCert: { type: 'string', maxLength: 100 },
          },
        },
        response: { 201: organisation, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await accounts.createOrganisation(
            req.principal,
            req.body as Parameters<AccountService['createOrganisation']>[1],
          ),
        ),
  );

  app.get(
    '/api/v1/organisations/:id',
    {
      schema: {
        operationId: 'getOrganisation',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'One organisation with its contacts (analysts, or its own members)',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        response: { 200: organisation, ...errors },
      },
    },
    async (req) => accounts.getOrganisation(req.principal, (req.params as { id: number }).id),
  );

  app.post(
    '/api/v1/organisations/:id/verification',
    {
      schema: {
        operationId: 'verifyOrganisation',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary:
          'Verify an organisation’s standing (it may then be notified and read what it is sent), or withdraw it (analysts)',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        body: {
          type: 'object',
          required: ['verified'],
          additionalProperties: false,
          properties: { verified: { type: 'boolean' } },
        },
        response: { 200: organisation, ...errors },
      },
    },
    async (req) =>
      accounts.setOrganisationVerified(
        req.principal,
        (req.params as { id: number }).id,
        (req.body as { verified: boolean }).verified,
      ),
  );

  app.post(
    '/api/v1/organisations/:id/contacts',
    {
      schema: {
        operationId: 'addContact',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary:
          'Add a contact with its channels (e-mail, webhook with an HMAC secret shown once, portal inbox)',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            email: { type: 'string', maxLength: 254 },
            webhookUrl: { type: 'string', maxLength: 2000 },
            portal: { type: 'boolean' },
            mechanism: { type: 'string', enum: [...CONTACT_MECHANISMS] },
          },
        },
        response: {
          201: { type: 'object', properties: { contact, webhookSecret: { type: 'string', nullable: true } } },
          ...errors,
        },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await accounts.addContact(
            req.principal,
            (req.params as { id: number }).id,
            req.body as Parameters<AccountService['addContact']>[2],
          ),
        ),
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        operationId: 'createUser',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Create a user of any role (admins)',
        body: {
          type: 'object',
          required: ['email', 'password', 'displayName', 'role'],
          additionalProperties: false,
          properties: {
            email,
            password,
            displayName: { type: 'string', minLength: 1, maxLength: 200 },
            role: { type: 'string', enum: [...ROLES] },
            organisationId: { type: 'integer' },
          },
        },
        response: { 201: user, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await accounts.createUser(req.principal, req.body as Parameters<AccountService['createUser']>[1]),
        ),
  );

  app.get(
    '/api/v1/users',
    {
      schema: {
        operationId: 'listUsers',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Users, newest first, with role and organisation (admins)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: [...ROLES] },
            q: { type: 'string', maxLength: 200, description: 'part of the e-mail or name' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { ...user.properties, organisation: { type: 'string', nullable: true } },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => ({
      items: await accounts.listUsers(req.principal, req.query as { role?: Role; q?: string; limit: number }),
    }),
  );

  app.get(
    '/api/v1/audit',
    {
      schema: {
        operationId: 'listAudit',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'The audit log, newest first (admins)',
        querystring: {
          type: 'object',
          properties: {
            action: { type: 'string', maxLength: 100, description: 'prefix, e.g. login.' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            before: { type: 'integer', description: 'entries with a smaller id (paging)' },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: { items: { type: 'array', items: auditEntry } },
          },
          ...errors,
        },
      },
    },
    async (req) => ({
      items: await listAudit(
        deps.db,
        req.principal,
        req.query as { action?: string; limit?: number; before?: number },
      ),
    }),
  );
}
