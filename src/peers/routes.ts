/**
 * Federation routes. Admins ('peers:manage'): this instance's identity and key rotation, the peers with their
 * status and policy, add / remove / policy / sync now (/api/v1/peers). Peers: the signed change feed
 * (/api/v1/federation/changes), which reads no session or token — the request's Vulnshare-Signature says who
 * asks, and the answer is signed the same way (docs/FEDERATION.md).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import { NO_SIGN_IN, SIGNED_IN } from '../http/openapi.js';
import { NoContent, Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { SIGNATURE_HEADER } from './envelope.js';
import { ITEM_KINDS, TLP } from './policy.js';
import { MESSAGES_PATH } from './messages.js';
import { CHANGES_PATH, type PeerService } from './service.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const nameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const nstr = Nullable(Type.String());
const strs = Type.Array(Type.String());

const receive = Type.Object(
  {
    kinds: Type.Array(StringEnum(ITEM_KINDS)),
    tlp: Type.Array(StringEnum(TLP)),
    embargoed: Type.Boolean(),
    sectors: Nullable(strs),
    vendors: Nullable(strs),
    excludeVendors: strs,
  },
  { additionalProperties: false, description: 'what the peer may receive from us' },
);
const accept = Type.Object(
  {
    kinds: Type.Array(StringEnum(ITEM_KINDS)),
    tlp: Type.Array(StringEnum(TLP)),
    embargoed: Type.Boolean({ description: 'whether we store its embargoed advance notices' }),
    overrideSeverity: Type.Boolean(),
    overrideClassification: Type.Boolean(),
  },
  { additionalProperties: false, description: 'what we accept from the peer' },
);
const policy = Type.Object({ receive, accept }, { additionalProperties: false });
/** A policy as given: any part left out takes the default (the service names every problem). */
const policyInput = Type.Object(
  {
    receive: Type.Optional(Type.Partial(receive)),
    accept: Type.Optional(Type.Partial(accept)),
  },
  { additionalProperties: false },
);

const identity = Type.Object(
  {
    name: Type.String(),
    url: Type.String(),
    keyId: Type.String(),
    publicKey: Type.String({ description: 'SPKI PEM' }),
    publicKeyBase64: Type.String({ description: 'base64 of the SPKI DER' }),
    algorithm: Type.Literal('Ed25519'),
    retiredKeys: Type.Array(
      Type.Object(
        { keyId: Type.String(), publicKey: Type.String(), retiredAt: nstr },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const peerView = Type.Object(
  {
    name: Type.String(),
    url: Type.String(),
    state: StringEnum(['active', 'suspended'] as const),
    keys: Type.Array(
      Type.Object(
        {
          keyId: Type.String(),
          state: StringEnum(['active', 'retired', 'revoked'] as const),
          retiredAt: nstr,
        },
        { additionalProperties: false },
      ),
    ),
    cursor: Type.String({ description: 'the last change sequence of its feed we applied' }),
    lastAttemptAt: nstr,
    lastSuccessAt: nstr,
    lastError: nstr,
    lastErrorAt: nstr,
    lag: Nullable(Type.Integer({ description: 'changes it had beyond our cursor at the last sync' })),
    received: Type.Integer(),
    refused: Type.Integer({ description: 'records our accept policy refused (not stored)' }),
    policy,
    createdAt: Type.String(),
  },
  { additionalProperties: false },
);

const syncResult = Type.Object(
  {
    peer: Type.String(),
    outcome: StringEnum(['synced', 'failed', 'busy'] as const),
    pages: Type.Integer(),
    applied: Type.Integer(),
    unchanged: Type.Integer(),
    refused: Type.Integer(),
    cursor: Type.String(),
    error: nstr,
    errorCode: nstr,
  },
  { additionalProperties: false },
);
const syncResults = Type.Object({ items: Type.Array(syncResult) }, { additionalProperties: false });

export function registerPeerRoutes(app: FastifyInstance, deps: { peers: PeerService }): void {
  const p = deps.peers;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { security: SIGNED_IN, tags: ['federation'] };

  r.get(
    '/api/v1/peers/identity',
    {
      schema: {
        ...admin,
        operationId: 'getPeerIdentity',
        summary: 'This instance as a partner adds it: name, URL, key id and Ed25519 public key (admins)',
        response: { 200: identity, ...errors },
      },
    },
    async (req) => p.identity(req.principal),
  );

  r.post(
    '/api/v1/peers/identity/rotate',
    {
      schema: {
        ...admin,
        operationId: 'rotatePeerKey',
        summary:
          'A new signing key; the old one is kept as retired and still verifies at peers for their grace period',
        response: { 200: identity, ...errors },
      },
    },
    async (req) => p.rotateKey(req.principal),
  );

  r.get(
    '/api/v1/peers',
    {
      schema: {
        ...admin,
        operationId: 'listPeers',
        summary:
          'Every peer with its keys, cursor, status (last success, lag, last error) and policy (admins)',
        response: {
          200: Type.Object({ items: Type.Array(peerView) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await p.listPeers(req.principal) }),
  );

  r.post(
    '/api/v1/peers',
    {
      schema: {
        ...admin,
        operationId: 'addPeer',
        summary:
          'Add a peer from what its `peer init` printed: name, URL, public key; and its policy (admins)',
        body: Type.Object(
          {
            name: Type.String({ maxLength: 64 }),
            url: Type.String({ maxLength: 2000 }),
            key: Type.String({ maxLength: 4000, description: 'Ed25519 public key: SPKI PEM or base64 DER' }),
            policy: Type.Optional(policyInput),
          },
          { additionalProperties: false },
        ),
        response: { 201: peerView, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const view = await p.addPeer(req.principal, {
        name: b.name,
        url: b.url,
        key: b.key,
        ...(b.policy ? { policy: b.policy } : {}),
      });
      return reply.status(201).send(view);
    },
  );

  r.delete(
    '/api/v1/peers/:name',
    {
      schema: {
        ...admin,
        operationId: 'removePeer',
        summary: 'Remove a peer, its policy and cursor (admins); records received from it stay',
        params: nameParam,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await p.removePeer(req.principal, req.params.name);
      return reply.status(204).send(null);
    },
  );

  r.put(
    '/api/v1/peers/:name/policy',
    {
      schema: {
        ...admin,
        operationId: 'setPeerPolicy',
        summary: 'Replace a peer’s policy (parts left out take the defaults) (admins)',
        params: nameParam,
        body: policyInput,
        response: { 200: peerView, ...errors },
      },
    },
    async (req) => p.setPolicy(req.principal, req.params.name, req.body),
  );

  r.post(
    '/api/v1/peers/:name/sync',
    {
      schema: {
        ...admin,
        operationId: 'syncPeer',
        summary:
          'Pull a peer’s change feed now from its cursor (admins); a failure is a 200 with outcome failed',
        params: nameParam,
        response: { 200: syncResults, ...errors },
      },
    },
    async (req) => ({ items: await p.sync(req.principal, req.params.name) }),
  );

  r.post(
    '/api/v1/peers/sync',
    {
      schema: {
        ...admin,
        operationId: 'syncPeers',
        summary: 'Pull every active peer’s change feed now (admins)',
        response: { 200: syncResults, ...errors },
      },
    },
    async (req) => ({ items: await p.sync(req.principal) }),
  );

  r.get(
    CHANGES_PATH,
    {
      schema: {
        operationId: 'federationChanges',
        security: NO_SIGN_IN,
        tags: ['federation'],
        summary:
          'A peer’s pull of our published records after its cursor, its receive policy applied; the request and the answer carry a Vulnshare-Signature (docs/FEDERATION.md)',
        headers: Type.Object({ [SIGNATURE_HEADER]: Type.Optional(Type.String({ maxLength: 8000 })) }),
        querystring: Type.Object(
          {
            after: Type.String({ pattern: '^[0-9]{1,19}$', default: '0' }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          // the handler sends the signed bytes as they are (a string), which this schema describes
          200: Type.Unsafe<string>(
            Type.Object(
              {
                from: Type.String(),
                after: Type.String(),
                next: Type.String(),
                head: Type.String(),
                more: Type.Boolean(),
                entries: Type.Array(
                  Type.Object({
                    seq: Type.String(),
                    record: Type.Object(
                      {},
                      {
                        additionalProperties: true,
                        description: 'a vulnerability as GET /api/v1/vulnerabilities/{id} returns it',
                      },
                    ),
                  }),
                ),
              },
              { description: 'signed: the Vulnshare-Signature header covers these exact bytes' },
            ),
          ),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const page = await p.changes(
        { token: req.headers[SIGNATURE_HEADER], target: `GET ${req.url}` },
        { after: req.query.after, limit: req.query.limit ?? 500 },
      );
      req.log.info({ peer: page.peer }, 'federation changes served');
      // the exact bytes that were signed: sent as they are, not serialized again
      return reply
        .header(SIGNATURE_HEADER, page.token)
        .type('application/json; charset=utf-8')
        .send(page.body);
    },
  );

  const shareOutcome = Type.Object(
    {
      peer: Type.String(),
      outcome: StringEnum(['shared', 'refused'] as const),
      code: nstr,
      reason: nstr,
      messageId: nstr,
      version: Nullable(Type.Integer()),
    },
    { additionalProperties: false },
  );
  r.post(
    '/api/v1/submissions/:trackingNo/advance-notices',
    {
      schema: {
        security: SIGNED_IN,
        tags: ['federation'],
        operationId: 'shareAdvanceNotice',
        summary:
          'Share an embargoed submission with peers as an advance notice (analysts, admins); each peer shared or refused with its code (its policy: kind advance_notice, embargoed, TLP, sectors, vendors)',
        params: Type.Object({ trackingNo: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object(
          { peers: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(shareOutcome) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await p.notices.share(req.principal, req.params.trackingNo, req.body.peers) }),
  );

  const localised = Type.Object(
    { zh: Type.Optional(Type.String()), en: Type.Optional(Type.String()) },
    { additionalProperties: false },
  );
  const noticeView = Type.Object(
    {
      sender: Type.String(),
      reference: Type.String({ description: 'the sender’s reference (its tracking number)' }),
      version: Type.Integer(),
      state: StringEnum(['embargoed', 'released'] as const),
      recordId: nstr,
      title: localised,
      vendors: strs,
      tlp: Type.String(),
      embargoUntil: Nullable(Type.String({ description: 'the sender’s embargo end (its clock decides)' })),
      record: Nullable(
        Type.Object(
          {},
          {
            additionalProperties: true,
            description: 'the record as the sender’s change feed would carry it',
          },
        ),
      ),
      receivedAt: Type.String(),
      updatedAt: Type.String(),
      releasedAt: nstr,
    },
    { additionalProperties: false },
  );
  r.get(
    '/api/v1/peers/notices',
    {
      schema: {
        security: SIGNED_IN,
        tags: ['federation'],
        operationId: 'listPeerNotices',
        summary:
          'Advance notices peers shared with us, under their embargo (analysts, admins); never in search, detail, feeds or exports',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(noticeView) }, { additionalProperties: false }),
          ...errors,
        },
      },
    },
    async (req) => ({
      items: await p.notices.list(
        req.principal,
        req.query.limit !== undefined ? { limit: req.query.limit } : {},
      ),
    }),
  );

  // peers' messages: the exact bytes sent are kept beside the parsed body (the envelope signs their digest)
  const rawBodies = new WeakMap<object, string>();
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: 8 * 1024 * 1024 },
      (req, body, next) => {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        rawBodies.set(req, text);
        try {
          next(null, JSON.parse(text));
        } catch {
          next(new AppError('invalid_input', 'the message body is not JSON'), undefined);
        }
      },
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      MESSAGES_PATH,
      {
        schema: {
          operationId: 'federationMessage',
          security: NO_SIGN_IN,
          tags: ['federation'],
          summary:
            'A peer’s signed message (the envelope kind is the message kind): verified, checked against our accept policy and applied once; answered with a signed message.ack (docs/FEDERATION.md)',
          headers: Type.Object({ [SIGNATURE_HEADER]: Type.Optional(Type.String({ maxLength: 8000 })) }),
          body: Type.Object(
            {
              id: Type.String({ format: 'uuid', description: 'the sender’s message id (idempotency key)' }),
              body: Type.Unknown({ description: 'what the kind carries' }),
            },
            { description: 'signed: the Vulnshare-Signature header covers these exact bytes' },
          ),
          response: {
            200: Type.Unsafe<string>(
              Type.Object(
                {
                  id: Type.String(),
                  duplicate: Type.Boolean({ description: 'a repeat: acknowledged, not applied again' }),
                  result: Type.Unknown(),
                },
                { description: 'signed (kind message.ack, replyTo = the message’s nonce)' },
              ),
            ),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const answer = await p.messages.receive({
          token: req.headers[SIGNATURE_HEADER],
          target: `POST ${req.url}`,
          body: rawBodies.get(req) ?? '',
        });
        if (answer.peer) req.log.info({ peer: answer.peer, status: answer.status }, 'federation message');
        if (answer.token) void reply.header(SIGNATURE_HEADER, answer.token);
        // the status of the (signed) answer: 200, or the error table's status of its code
        const status = answer.status as 200;
        return reply.status(status).type('application/json; charset=utf-8').send(answer.body);
      },
    );
    done();
  });
}
