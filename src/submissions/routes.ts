/** /api/v1/submissions and /api/v1/cvss/score: thin handlers over the submission service. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { scoreCvssFull } from '../cvss/cvss.js';
import { severityFromScore } from '../cvss/bands.js';
import { AppError } from '../errors.js';
import { ATTACHMENT_RULES, KINDS, ORIGINALITY, type SubmissionService } from './service.js';
import { STATES } from './workflow.js';
import { AUDIENCES, type createMessageService } from './messages.js';
import type { createReporterStats } from './stats.js';
import { SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const Str = Type.String();
const NullStr = Nullable(Str);
const str = (max: number) => Type.String({ maxLength: max });
const opt = (max: number) => Type.Optional(str(max));
const trackingNo = Type.String({ pattern: '^S-\\d{8}-[0-9A-Z]{8}$' });
const tracking = Type.Object({ trackingNo });

/** A case message as its reader may see it (the service writes "coordinator" for analysts to outsiders). */
const caseMessage = Type.Object({
  id: Type.Integer(),
  author: Str,
  side: StringEnum(['coordinator', 'reporter', 'recipient']),
  audience: StringEnum(AUDIENCES),
  organisationId: Nullable(Type.Integer()),
  replyTo: Nullable(Type.Integer()),
  body: Str,
  createdAt: Str,
});

const submissionView = Type.Object({
  trackingNo: Str,
  kind: Str,
  state: StringEnum(STATES),
  stateReason: NullStr,
  title: Str,
  vendor: NullStr,
  product: NullStr,
  version: NullStr,
  affectedOrganisation: NullStr,
  affectedSystem: NullStr,
  description: Str,
  reproduction: NullStr,
  poc: NullStr,
  cveId: NullStr,
  cvss: Nullable(
    Type.Object({ vector: Str, version: NullStr, score: Nullable(Type.Number()), severity: NullStr }),
  ),
  weakness: Nullable(Type.Object({ cwe: NullStr, nameZh: NullStr })),
  originality: Str,
  sourceUrl: NullStr,
  vulnerabilityId: NullStr,
  embargoUntil: NullStr,
  publishedAt: NullStr,
  duplicateOf: NullStr,
  createdAt: Str,
  updatedAt: Str,
  timeline: Type.Array(Type.Object({ at: Str, actor: Str, from: NullStr, to: Str, note: NullStr })),
  /** empty for reporters */
  verifications: Type.Array(
    Type.Object({
      environment: Str,
      steps: Str,
      result: Str,
      poc_url: NullStr,
      verifier: Str,
      at: Str,
    }),
  ),
  attachments: Type.Array(
    Type.Object({ sha256: Str, filename: Str, size: Type.Integer(), content_type: Str }),
  ),
  next: Type.Array(Str),
  /** analysts only */
  assigneeId: Type.Optional(Nullable(Type.Integer())),
  /** analysts only */
  duplicateCandidates: Type.Optional(
    Type.Array(Type.Object({ id: Str, title: Str, score: Type.Number(), kind: Str })),
  ),
});

const weekCounts = { reported: Type.Integer(), original: Type.Integer() };
const rankingView = Type.Object(
  {
    week: Str,
    start: Type.String({ format: 'date' }),
    end: Type.String({ format: 'date' }),
    rows: Type.Array(
      Type.Object(
        {
          rank: Type.Integer(),
          name: Nullable(Type.String({ description: 'null for individual researchers together' })),
          kind: StringEnum(['organisation', 'individuals']),
          ...weekCounts,
        },
        { additionalProperties: false },
      ),
    ),
    total: Type.Object(weekCounts, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
const myWeeksView = Type.Object(
  {
    weeks: Type.Array(
      Type.Object({ week: Str, ...weekCounts, verified: Type.Integer() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
const submissionListView = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          trackingNo: Str,
          kind: Str,
          state: StringEnum(STATES),
          title: Str,
          severity: NullStr,
          vulnerabilityId: Nullable(Type.String({ description: 'the public id, once verified' })),
          createdAt: Str,
          updatedAt: Str,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export function registerSubmissionRoutes(
  app: FastifyInstance,
  deps: {
    submissions: SubmissionService;
    messages: ReturnType<typeof createMessageService>;
    stats: ReturnType<typeof createReporterStats>;
  },
): void {
  const { submissions, messages, stats } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/submissions/:trackingNo/messages',
    {
      schema: {
        operationId: 'listMessages',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary:
          'Case messages you may read (coordinator: all; reporter: the reporter thread; recipient: its own and those to all recipients)',
        params: tracking,
        response: { 200: Type.Object({ items: Type.Array(caseMessage) }), ...errors },
      },
    },
    async (req) => ({ items: await messages.list(req.principal, req.params.trackingNo) }),
  );

  r.post(
    '/api/v1/submissions/:trackingNo/messages',
    {
      schema: {
        operationId: 'postMessage',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Write on a case; the coordinator chooses the audience, others write to their own thread',
        params: tracking,
        body: Type.Object(
          {
            body: str(20000),
            audience: Type.Optional(StringEnum(AUDIENCES)),
            organisationId: Type.Optional(Type.Integer()),
            replyTo: Type.Optional(Type.Integer()),
          },
          { additionalProperties: false },
        ),
        response: { 201: caseMessage, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await messages.post(req.principal, req.params.trackingNo, req.body)),
  );

  r.get(
    '/api/v1/reporters/ranking',
    {
      schema: {
        operationId: 'getReporterRanking',
        security: SIGN_IN_OPTIONAL,
        tags: ['submissions'],
        summary: 'Reporters of a week (bulletin Table 1), ranked by original then reported reports',
        querystring: Type.Object({ week: Type.Optional(Type.String({ pattern: '^\\d{4}-W\\d{2}$' })) }),
        response: { 200: rankingView, ...errors },
      },
    },
    async (req) => stats.ranking(req.query.week),
  );

  r.get(
    '/api/v1/reporters/me',
    {
      schema: {
        operationId: 'getMyReporterStats',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Your reports per week: reported, original, verified',
        querystring: Type.Object({
          weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 104, default: 12 })),
        }),
        response: { 200: myWeeksView, ...errors },
      },
    },
    async (req) => stats.mine(req.principal, req.query.weeks),
  );

  r.post(
    '/api/v1/cvss/score',
    {
      schema: {
        operationId: 'scoreCvss',
        security: SIGN_IN_OPTIONAL,
        tags: ['submissions'],
        summary: 'Score a CVSS v2 / v3.x / v4.0 vector (the submission form scores as metrics are picked)',
        body: Type.Object({ vector: str(300) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            version: Str,
            base: Type.Number(),
            temporal: Nullable(Type.Number()),
            environmental: Nullable(Type.Number()),
            overall: Type.Number(),
            severity: Str,
          }),
          ...errorResponses(400),
        },
      },
    },
    (req) => {
      const s = scoreCvssFull(req.body.vector.trim());
      return { ...s, severity: severityFromScore(s.version === '4.0' ? s.overall : s.base) };
    },
  );

  r.post(
    '/api/v1/submissions',
    {
      schema: {
        operationId: 'createSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Report a vulnerability (reporters); returns the tracking number',
        body: Type.Object(
          {
            kind: StringEnum(KINDS),
            title: str(300),
            vendor: opt(200),
            product: opt(200),
            version: opt(200),
            affectedOrganisation: opt(300),
            affectedSystem: opt(2000),
            description: str(20000),
            reproduction: opt(50000),
            poc: opt(50000),
            cveId: opt(30),
            cvssVector: opt(300),
            originality: StringEnum(ORIGINALITY),
            sourceUrl: opt(2000),
          },
          { additionalProperties: false },
        ),
        response: { 201: submissionView, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await submissions.submit(req.principal, req.body)),
  );

  r.get(
    '/api/v1/submissions',
    {
      schema: {
        operationId: 'listSubmissions',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Submissions: reporters see their own; analysts see all (mine=true: only their own reports)',
        querystring: Type.Object({
          state: Type.Optional(StringEnum(STATES)),
          mine: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          before: Type.Optional(Type.Integer()),
        }),
        response: { 200: submissionListView, ...errors },
      },
    },
    async (req) => ({ items: await submissions.list(req.principal, req.query) }),
  );

  r.get(
    '/api/v1/submissions/:trackingNo',
    {
      schema: {
        operationId: 'getSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'One submission with its timeline',
        params: tracking,
        response: { 200: submissionView, ...errors },
      },
    },
    async (req) => submissions.get(req.principal, req.params.trackingNo),
  );

  r.post(
    '/api/v1/submissions/:trackingNo/transitions',
    {
      schema: {
        operationId: 'transitionSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Move a submission through the workflow (see `next` for what is allowed)',
        params: tracking,
        body: Type.Object(
          {
            to: StringEnum(STATES),
            note: opt(10000),
            reason: opt(2000),
            duplicateOf: opt(40),
            verification: Type.Optional(
              Type.Object(
                {
                  environment: str(5000),
                  steps: str(50000),
                  result: StringEnum(['reproduced', 'not_reproduced']),
                  pocUrl: opt(2000),
                  verifier: str(300),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: submissionView, ...errors },
      },
    },
    async (req) => submissions.transition(req.principal, req.params.trackingNo, req.body),
  );

  r.post(
    '/api/v1/submissions/:trackingNo/publish',
    {
      schema: {
        operationId: 'publishSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary:
          'Publish: the record appears in the public store now, or at the end of the embargo (a date-time with its zone)',
        params: tracking,
        body: Type.Optional(
          Type.Object(
            {
              embargoUntil: Type.Optional(
                Type.String({ maxLength: 40, description: 'e.g. 2026-02-01T09:00:00+08:00' }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 200: submissionView, ...errors },
      },
    },
    async (req) => submissions.publish(req.principal, req.params.trackingNo, req.body ?? {}),
  );

  r.put(
    '/api/v1/submissions/:trackingNo/assignee',
    {
      schema: {
        operationId: 'assignSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Assign a submission to an analyst (null: unassign)',
        params: tracking,
        body: Type.Object({ assigneeId: Nullable(Type.Integer()) }, { additionalProperties: false }),
        response: { 200: submissionView, ...errors },
      },
    },
    async (req) => submissions.assign(req.principal, req.params.trackingNo, req.body.assigneeId),
  );

  // attachments: the raw body is the file; its Content-Type is checked against the accepted types
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: ATTACHMENT_RULES.maxBytes },
      (_req, body, next) => next(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/v1/submissions/:trackingNo/attachments',
      {
        schema: {
          operationId: 'addAttachment',
          security: SIGNED_IN,
          tags: ['submissions'],
          summary: `Attach a file (raw body; ${Object.keys(ATTACHMENT_RULES.types).join(', ')}; ≤ 10 MiB); stored once per content`,
          params: tracking,
          querystring: Type.Object({ filename: str(200) }),
          response: {
            201: Type.Object({ sha256: Str, size: Type.Integer() }),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        // the parser above hands over the bytes; a request without a body has none
        const content: unknown = req.body;
        if (!Buffer.isBuffer(content))
          throw new AppError('invalid_input', 'The request body is the file to attach', {
            parameter: 'body',
          });
        const a = await submissions.attach(req.principal, req.params.trackingNo, {
          filename: req.query.filename,
          contentType: req.headers['content-type'] ?? '',
          content,
        });
        return reply.status(201).send(a);
      },
    );
    done();
  });

  r.get(
    '/api/v1/submissions/:trackingNo/attachments/:sha256',
    {
      schema: {
        operationId: 'getAttachment',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Download an attachment (reporter of the submission, analysts)',
        params: Type.Object({ trackingNo, sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
        response: {
          200: Type.Unsafe<Buffer>({
            description: 'the file as it was attached, with its own media type',
            content: Object.fromEntries(
              Object.keys(ATTACHMENT_RULES.types).map((t) => [
                t,
                { schema: { type: 'string', format: 'binary' } },
              ]),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { trackingNo: no, sha256 } = req.params;
      const b = await submissions.attachment(req.principal, no, sha256);
      void reply.header('content-type', b.contentType);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('content-disposition', `attachment; filename="${encodeURIComponent(b.filename)}"`);
      return reply.send(b.content);
    },
  );
}
