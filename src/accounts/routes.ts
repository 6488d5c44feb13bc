/** /api/v1/auth, /tokens, /organisations, /users, /audit: thin handlers over the account service. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAudit } from '../audit/audit.js';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { CONTACT_MECHANISMS, ORG_KINDS, ROLES } from './model.js';
import { ROBOT_KINDS } from '../coordination/robots.js';
import { ACTIONS } from './policy.js';
import type { AccountService } from './service.js';
import { NO_SIGN_IN, SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';
import { IdParam, NoContent, Nullable, StringEnum, errorResponses } from '../http/schemas.js';

const errors = errorResponses(400, 401, 403, 404, 409, 429);
const Str = Type.String();
const NullStr = Nullable(Str);
const anyObject = (description: string) =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description });

const user = Type.Object({
  id: Type.Integer(),
  email: Str,
  displayName: Str,
  role: StringEnum(ROLES),
  organisationId: Nullable(Type.Integer()),
  disabled: Type.Boolean(),
  createdAt: Str,
  lastLoginAt: NullStr,
  failedSignInsSinceLastLogin: Type.Integer({
    description: 'wrong passwords tried on this account since its previous sign-in',
  }),
});
/** An API token as its owner sees it again: never the secret, only its prefix. */
const apiToken = Type.Object(
  {
    id: Type.Integer(),
    name: Str,
    prefix: Str,
    scopes: Type.Array(Str),
    expiresAt: NullStr,
    createdAt: Str,
    lastUsedAt: NullStr,
    revokedAt: NullStr,
  },
  { additionalProperties: false },
);
const auditEntry = Type.Object(
  {
    id: Type.Integer(),
    at: Str,
    actor: Str,
    action: Str,
    targetKind: NullStr,
    targetId: NullStr,
    detail: anyObject('what the action changed'),
    ip: NullStr,
  },
  { additionalProperties: false },
);
const contact = Type.Object({
  id: Type.Integer(),
  name: Str,
  email: NullStr,
  webhookUrl: NullStr,
  portal: Type.Boolean(),
  mechanism: Str,
  // a nullable enum lists null among its values (OpenAPI 3.0)
  robot: Type.Optional(
    Type.Unsafe<(typeof ROBOT_KINDS)[number] | null>({
      type: 'string',
      enum: [...ROBOT_KINDS, null],
      nullable: true,
      description: 'a chat robot channel (its URL and secret are not shown)',
    }),
  ),
});
const organisationFields = {
  id: Type.Integer(),
  kind: StringEnum(ORG_KINDS),
  name: Str,
  nameEn: NullStr,
  sector: NullStr,
  allianceCert: NullStr,
  verified: Type.Boolean(),
  verifiedAt: NullStr,
};
const organisation = Type.Object({
  ...organisationFields,
  region: NullStr,
  contacts: Type.Array(contact),
});
/** The list leaves out the region and the contacts (one organisation's page has them). */
const organisationListItem = Type.Object({
  ...organisationFields,
  region: Type.Optional(NullStr),
  contacts: Type.Optional(Type.Array(contact)),
});
const password = Type.String({ minLength: 1, maxLength: 256 });
const email = Type.String({ minLength: 3, maxLength: 254 });
const displayName = Type.String({ minLength: 1, maxLength: 200 });

export function registerAccountRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountService; db: Kysely<DB> },
) {
  const { accounts } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/auth/login',
    {
      schema: {
        operationId: 'signIn',
        security: NO_SIGN_IN,
        tags: ['accounts'],
        summary: 'Sign in: sets an http-only session cookie; send the returned csrfToken as X-CSRF-Token',
        body: Type.Object({ email, password }, { additionalProperties: false }),
        response: {
          200: Type.Object({ user, csrfToken: Str, expiresAt: Str }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const s = await accounts.login({ ...req.body, ip: req.ip });
      reply.setSession(s.session);
      return { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
    },
  );

  r.post(
    '/api/v1/auth/logout',
    {
      schema: {
        operationId: 'signOut',
        security: SIGN_IN_OPTIONAL,
        tags: ['accounts'],
        summary: 'Sign out',
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      if (req.sessionToken) await accounts.logout(req.sessionToken);
      reply.setSession(null);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/auth/me',
    {
      schema: {
        operationId: 'getSession',
        security: SIGN_IN_OPTIONAL,
        tags: ['accounts'],
        summary: 'The signed-in user and the session’s CSRF token; user null when not signed in',
        response: {
          200: Type.Object({ user: Nullable(user), csrfToken: NullStr }),
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

  r.post(
    '/api/v1/auth/register',
    {
      schema: {
        operationId: 'register',
        security: NO_SIGN_IN,
        tags: ['accounts'],
        summary:
          'Register as a reporter: an individual researcher or a reporting unit (security company). The answer is the same whether or not the address has an account: a new address can sign in at once; a taken one is left unchanged and its owner is told by e-mail',
        body: Type.Object(
          {
            email,
            password,
            displayName,
            organisation: Type.Optional(
              Type.Object(
                {
                  kind: StringEnum(['individual', 'reporting_unit']),
                  name: Type.Optional(Type.String({ maxLength: 300 })),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Object({ status: StringEnum(['accepted']), message: Str }),
          ...errors,
        },
      },
    },
    async (req, reply) => reply.status(202).send(await accounts.register({ ...req.body, ip: req.ip })),
  );

  r.get(
    '/api/v1/tokens',
    {
      schema: {
        operationId: 'listTokens',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Your API tokens (never the secret)',
        response: {
          200: Type.Object({ items: Type.Array(apiToken) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await accounts.listApiTokens(req.principal) }),
  );

  r.post(
    '/api/v1/tokens',
    {
      schema: {
        operationId: 'createToken',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Create an API token for machines; the token is shown once',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Optional(Type.Array(StringEnum(ACTIONS), { uniqueItems: true })),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.Integer(), token: Str, scopes: Type.Array(Str), expiresAt: Str }),
          ...errors,
        },
      },
    },
    async (req, reply) => reply.status(201).send(await accounts.createApiToken(req.principal, req.body)),
  );

  r.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        operationId: 'revokeToken',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Revoke one of your API tokens',
        params: IdParam,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await accounts.revokeApiToken(req.principal, req.params.id);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/organisations',
    {
      schema: {
        operationId: 'listOrganisations',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Organisations (analysts)',
        querystring: Type.Object({
          kind: Type.Optional(StringEnum(ORG_KINDS)),
          q: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(organisationListItem) }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await accounts.listOrganisations(req.principal, req.query) }),
  );

  r.post(
    '/api/v1/organisations',
    {
      schema: {
        operationId: 'createOrganisation',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Add an organisation: vendor, member unit (with sector), reporting unit, branch, authority…',
        body: Type.Object(
          {
            kind: StringEnum(ORG_KINDS),
            name: Type.String({ minLength: 1, maxLength: 300 }),
            nameEn: Type.Optional(Type.String({ maxLength: 300 })),
            sector: Type.Optional(Type.String({ maxLength: 100 })),
            region: Type.Optional(Type.String({ maxLength: 100 })),
            allianceCert: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: organisation, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await accounts.createOrganisation(req.principal, req.body)),
  );

  r.get(
    '/api/v1/organisations/:id',
    {
      schema: {
        operationId: 'getOrganisation',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'One organisation with its contacts (analysts, or its own members)',
        params: IdParam,
        response: { 200: organisation, ...errors },
      },
    },
    async (req) => accounts.getOrganisation(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/organisations/:id/verification',
    {
      schema: {
        operationId: 'verifyOrganisation',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary:
          'Verify an organisation’s standing (it may then be notified and read what it is sent), or withdraw it (analysts)',
        params: IdParam,
        body: Type.Object({ verified: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: organisation, ...errors },
      },
    },
    async (req) => accounts.setOrganisationVerified(req.principal, req.params.id, req.body.verified),
  );

  r.post(
    '/api/v1/organisations/:id/contacts',
    {
      schema: {
        operationId: 'addContact',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary:
          'Add a contact with its channels (e-mail, webhook with an HMAC secret shown once, portal inbox, a DingTalk / WeCom / Feishu robot)',
        params: IdParam,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            email: Type.Optional(Type.String({ maxLength: 254 })),
            webhookUrl: Type.Optional(Type.String({ maxLength: 2000 })),
            portal: Type.Optional(Type.Boolean()),
            mechanism: Type.Optional(StringEnum(CONTACT_MECHANISMS)),
            robot: Type.Optional(
              Type.Object(
                {
                  kind: StringEnum(ROBOT_KINDS),
                  url: Type.String({ minLength: 1, maxLength: 2000 }),
                  secret: Type.Optional(Type.String({ maxLength: 200 })),
                },
                {
                  additionalProperties: false,
                  description:
                    'a DingTalk / WeCom / Feishu group robot: its webhook URL and (DingTalk, Feishu) signing secret',
                },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ contact, webhookSecret: NullStr }),
          ...errors,
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await accounts.addContact(req.principal, req.params.id, req.body)),
  );

  r.post(
    '/api/v1/users',
    {
      schema: {
        operationId: 'createUser',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Create a user of any role (admins)',
        body: Type.Object(
          {
            email,
            password,
            displayName,
            role: StringEnum(ROLES),
            organisationId: Type.Optional(Type.Integer()),
          },
          { additionalProperties: false },
        ),
        response: { 201: user, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await accounts.createUser(req.principal, req.body)),
  );

  r.get(
    '/api/v1/users',
    {
      schema: {
        operationId: 'listUsers',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'Users, newest first, with role and organisation (admins)',
        querystring: Type.Object(
          {
            role: Type.Optional(StringEnum(ROLES)),
            q: Type.Optional(Type.String({ maxLength: 200, description: 'part of the e-mail or name' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ ...user.properties, organisation: NullStr })),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await accounts.listUsers(req.principal, req.query) }),
  );

  r.get(
    '/api/v1/audit',
    {
      schema: {
        operationId: 'listAudit',
        security: SIGNED_IN,
        tags: ['accounts'],
        summary: 'The audit log, newest first (admins)',
        querystring: Type.Object({
          action: Type.Optional(Type.String({ maxLength: 100, description: 'prefix, e.g. login.' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          before: Type.Optional(Type.Integer({ description: 'entries with a smaller id (paging)' })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(auditEntry) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await listAudit(deps.db, req.principal, req.query) }),
  );
}
