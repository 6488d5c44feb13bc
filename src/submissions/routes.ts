/** /api/v1/submissions and /api/v1/cvss/score: thin handlers over the submission service. */
import type { FastifyInstance } from 'fastify';
import { scoreCvssFull } from '../cvss/cvss.js';
import { severityFromScore } from '../cvss/bands.js';
import {
  ATTACHMENT_RULES,
  KINDS,
  ORIGINALITY,
  type SubmissionService,
  type TransitionInput,
} from './service.js';
import { STATES } from './workflow.js';
import { AUDIENCES, type createMessageService } from './messages.js';
import type { createReporterStats } from './stats.js';
import { SIGNED_IN, SIGN_IN_OPTIONAL } from '../http/openapi.js';

const err = { $ref: 'Error#' } as const;
const errors = { 400: err, 401: err, 403: err, 404: err, 409: err } as const;
const str = (max: number) => ({ type: 'string', maxLength: max }) as const;
const nstr = { type: 'string', nullable: true } as const;
const tracking = {
  type: 'object',
  required: ['trackingNo'],
  properties: { trackingNo: { type: 'string', pattern: '^S-\\d{8}-[0-9A-Z]{8}$' } },
} as const;

/** A case message as its reader may see it (the service writes "coordinator" for analysts to outsiders). */
const caseMessage = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    author: { type: 'string' },
    side: { type: 'string', enum: ['coordinator', 'reporter', 'recipient'] },
    audience: { type: 'string', enum: [...AUDIENCES] },
    organisationId: { type: 'integer', nullable: true },
    replyTo: { type: 'integer', nullable: true },
    body: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

const submissionView = {
  type: 'object',
  properties: {
    trackingNo: { type: 'string' },
    kind: { type: 'string' },
    state: { type: 'string', enum: [...STATES] },
    stateReason: nstr,
    title: { type: 'string' },
    vendor: nstr,
    product: nstr,
    version: nstr,
    affectedOrganisation: nstr,
    affectedSystem: nstr,
    description: { type: 'string' },
    reproduction: nstr,
    poc: nstr,
    cveId: nstr,
    cvss: {
      type: 'object',
      nullable: true,
      properties: {
        vector: { type: 'string' },
        version: nstr,
        score: { type: 'number', nullable: true },
        severity: nstr,
      },
    },
    weakness: { type: 'object', nullable: true, properties: { cwe: nstr, nameZh: nstr } },
    originality: { type: 'string' },
    sourceUrl: nstr,
    vulnerabilityId: nstr,
    embargoUntil: nstr,
    publishedAt: nstr,
    duplicateOf: nstr,
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string' },
          actor: { type: 'string' },
          from: nstr,
          to: { type: 'string' },
          note: nstr,
        },
      },
    },
    verifications: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          environment: { type: 'string' },
          steps: { type: 'string' },
          result: { type: 'string' },
          poc_url: nstr,
          verifier: { type: 'string' },
          at: { type: 'string' },
        },
      },
    },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sha256: { type: 'string' },
          filename: { type: 'string' },
          size: { type: 'integer' },
          content_type: { type: 'string' },
        },
      },
    },
    next: { type: 'array', items: { type: 'string' } },
    assigneeId: { type: 'integer', nullable: true },
    duplicateCandidates: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          title: { type: 'string' },
          score: { type: 'number' },
          kind: { type: 'string' },
        },
      },
    },
  },
} as const;

const weekCounts = { reported: { type: 'integer' }, original: { type: 'integer' } } as const;
const rankingView = {
  type: 'object',
  additionalProperties: false,
  required: ['week', 'start', 'end', 'rows', 'total'],
  properties: {
    week: { type: 'string' },
    start: { type: 'string', format: 'date' },
    end: { type: 'string', format: 'date' },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rank', 'name', 'kind', 'reported', 'original'],
        properties: {
          rank: { type: 'integer' },
          name: { type: 'string', nullable: true, description: 'null for individual researchers together' },
          kind: { type: 'string', enum: ['organisation', 'individuals'] },
          ...weekCounts,
        },
      },
    },
    total: {
      type: 'object',
      additionalProperties: false,
      required: ['reported', 'original'],
      properties: weekCounts,
    },
  },
} as const;
const myWeeksView = {
  type: 'object',
  additionalProperties: false,
  required: ['weeks'],
  properties: {
    weeks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['week', 'reported', 'original', 'verified'],
        properties: { week: { type: 'string' }, ...weekCounts, verified: { type: 'integer' } },
      },
    },
  },
} as const;
const submissionListView = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'trackingNo',
          'kind',
          'state',
          'title',
          'severity',
          'vulnerabilityId',
          'createdAt',
          'updatedAt',
        ],
        properties: {
          trackingNo: { type: 'string' },
          kind: { type: 'string' },
          state: { type: 'string', enum: [...STATES] },
          title: { type: 'string' },
          severity: { type: 'string', nullable: true },
          vulnerabilityId: { type: 'string', nullable: true, description: 'the public id, once verified' },
          createdAt: { type: 'string' },
          updatedAt: { type: 'string' },
        },
      },
    },
  },
} as const;

export function registerSubmissionRoutes(
  app: FastifyInstance,
  deps: {
    submissions: SubmissionService;
    messages: ReturnType<typeof createMessageService>;
    stats: ReturnType<typeof createReporterStats>;
  },
): void {
  const { submissions, messages, stats } = deps;

  app.get(
    '/api/v1/submissions/:trackingNo/messages',
    {
      schema: {
        operationId: 'listMessages',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary:
          'Case messages you may read (coordinator: all; reporter: the reporter thread; recipient: its own and those to all recipients)',
        params: tracking,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: caseMessage } } },
          ...errors,
        },
      },
    },
    async (req) => ({
      items: await messages.list(req.principal, (req.params as { trackingNo: string }).trackingNo),
    }),
  );

  app.post(
    '/api/v1/submissions/:trackingNo/messages',
    {
      schema: {
        operationId: 'postMessage',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Write on a case; the coordinator chooses the audience, others write to their own thread',
        params: tracking,
        body: {
          type: 'object',
          required: ['body'],
          additionalProperties: false,
          properties: {
            body: str(20000),
            audience: { type: 'string', enum: [...AUDIENCES] },
            organisationId: { type: 'integer' },
            replyTo: { type: 'integer' },
          },
        },
        response: { 201: caseMessage, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await messages.post(
            req.principal,
            (req.params as { trackingNo: string }).trackingNo,
            req.body as Parameters<ReturnType<typeof createMessageService>['post']>[2],
          ),
        ),
  );

  app.get(
    '/api/v1/reporters/ranking',
    {
      schema: {
        operationId: 'getReporterRanking',
        security: SIGN_IN_OPTIONAL,
        tags: ['submissions'],
        summary: 'Reporters of a week (bulletin Table 1), ranked by original then reported reports',
        querystring: {
          type: 'object',
          properties: { week: { type: 'string', pattern: '^\\d{4}-W\\d{2}$' } },
        },
        response: { 200: rankingView, ...errors },
      },
    },
    async (req) => stats.ranking((req.query as { week?: string }).week),
  );

  app.get(
    '/api/v1/reporters/me',
    {
      schema: {
        operationId: 'getMyReporterStats',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Your reports per week: reported, original, verified',
        querystring: {
          type: 'object',
          properties: { weeks: { type: 'integer', minimum: 1, maximum: 104, default: 12 } },
        },
        response: { 200: myWeeksView, ...errors },
      },
    },
    async (req) => stats.mine(req.principal, (req.query as { weeks: number }).weeks),
  );

  app.post(
    '/api/v1/cvss/score',
    {
      schema: {
        operationId: 'scoreCvss',
        security: SIGN_IN_OPTIONAL,
        tags: ['submissions'],
        summary: 'Score a CVSS v2 / v3.x / v4.0 vector (the submission form scores as metrics are picked)',
        body: {
          type: 'object',
          required: ['vector'],
          additionalProperties: false,
          properties: { vector: str(300) },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              version: { type: 'string' },
              base: { type: 'number' },
              temporal: { type: 'number', nullable: true },
              environmental: { type: 'number', nullable: true },
              overall: { type: 'number' },
              severity: { type: 'string' },
            },
          },
          400: err,
        },
      },
    },
    (req) => {
      const s = scoreCvssFull((req.body as { vector: string }).vector.trim());
      return { ...s, severity: severityFromScore(s.version === '4.0' ? s.overall : s.base) };
    },
  );

  app.post(
    '/api/v1/submissions',
    {
      schema: {
        operationId: 'createSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Report a vulnerability (reporters); returns the tracking number',
        body: {
          type: 'object',
          required: ['kind', 'title', 'description', 'originality'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...KINDS] },
            title: str(300),
            vendor: str(200),
            product: str(200),
            version: str(200),
            affectedOrganisation: str(300),
            affectedSystem: str(2000),
            description: str(20000),
            reproduction: str(50000),
            poc: str(50000),
            cveId: str(30),
            cvssVector: str(300),
            originality: { type: 'string', enum: [...ORIGINALITY] },
            sourceUrl: str(2000),
          },
        },
        response: { 201: submissionView, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await submissions.submit(req.principal, req.body as Parameters<SubmissionService['submit']>[1]),
        ),
  );

  app.get(
    '/api/v1/submissions',
    {
      schema: {
        operationId: 'listSubmissions',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Submissions: reporters see their own; analysts see all (mine=true: only their own reports)',
        querystring: {
          type: 'object',
          properties: {
            state: { type: 'string', enum: [...STATES] },
            mine: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            before: { type: 'integer' },
          },
        },
        response: { 200: submissionListView, ...errors },
      },
    },
    async (req) => ({ items: await submissions.list(req.principal, req.query as { state?: string }) }),
  );

  app.get(
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
    async (req) => submissions.get(req.principal, (req.params as { trackingNo: string }).trackingNo),
  );

  app.post(
    '/api/v1/submissions/:trackingNo/transitions',
    {
      schema: {
        operationId: 'transitionSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Move a submission through the workflow (see `next` for what is allowed)',
        params: tracking,
        body: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: {
            to: { type: 'string', enum: [...STATES] },
            note: str(10000),
            reason: str(2000),
            duplicateOf: str(40),
            verification: {
              type: 'object',
              required: ['environment', 'steps', 'result', 'verifier'],
              additionalProperties: false,
              properties: {
                environment: str(5000),
                steps: str(50000),
                result: { type: 'string', enum: ['reproduced', 'not_reproduced'] },
                pocUrl: str(2000),
                verifier: str(300),
              },
            },
          },
        },
        response: { 200: submissionView, ...errors },
      },
    },
    async (req) =>
      submissions.transition(
        req.principal,
        (req.params as { trackingNo: string }).trackingNo,
        req.body as TransitionInput,
      ),
  );

  app.post(
    '/api/v1/submissions/:trackingNo/publish',
    {
      schema: {
        operationId: 'publishSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary:
          'Publish: the record appears in the public store now, or at the end of the embargo (a date-time with its zone)',
        params: tracking,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            embargoUntil: { type: 'string', maxLength: 40, description: 'e.g. 2026-02-01T09:00:00+08:00' },
          },
        },
        response: { 200: submissionView, ...errors },
      },
    },
    async (req) =>
      submissions.publish(
        req.principal,
        (req.params as { trackingNo: string }).trackingNo,
        (req.body ?? {}) as { embargoUntil?: string },
      ),
  );

  app.put(
    '/api/v1/submissions/:trackingNo/assignee',
    {
      schema: {
        operationId: 'assignSubmission',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Assign a submission to an analyst (null: unassign)',
        params: tracking,
        body: {
          type: 'object',
          required: ['assigneeId'],
          additionalProperties: false,
          properties: { assigneeId: { type: 'integer', nullable: true } },
        },
        response: { 200: submissionView, ...errors },
      },
    },
    async (req) =>
      submissions.assign(
        req.principal,
        (req.params as { trackingNo: string }).trackingNo,
        (req.body as { assigneeId: number | null }).assigneeId,
      ),
  );

  // attachments: the raw body is the file; its Content-Type is checked against the accepted types
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: ATTACHMENT_RULES.maxBytes },
      (_req, body, next) => next(null, body),
    );
    scope.post(
      '/api/v1/submissions/:trackingNo/attachments',
      {
        schema: {
          operationId: 'addAttachment',
          security: SIGNED_IN,
          tags: ['submissions'],
          summary: `Attach a file (raw body; ${Object.keys(ATTACHMENT_RULES.types).join(', ')}; ≤ 10 MiB); stored once per content`,
          params: tracking,
          querystring: { type: 'object', required: ['filename'], properties: { filename: str(200) } },
          response: {
            201: { type: 'object', properties: { sha256: { type: 'string' }, size: { type: 'integer' } } },
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const a = await submissions.attach(req.principal, (req.params as { trackingNo: string }).trackingNo, {
          filename: (req.query as { filename: string }).filename,
          contentType: req.headers['content-type'] ?? '',
          content: req.body as Buffer,
        });
        return reply.status(201).send(a);
      },
    );
    done();
  });

  app.get(
    '/api/v1/submissions/:trackingNo/attachments/:sha256',
    {
      schema: {
        operationId: 'getAttachment',
        security: SIGNED_IN,
        tags: ['submissions'],
        summary: 'Download an attachment (reporter of the submission, analysts)',
        params: {
          type: 'object',
          properties: {
            trackingNo: tracking.properties.trackingNo,
            sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          },
        },
        response: {
          200: {
            description: 'the file as it was attached, with its own media type',
            content: Object.fromEntries(
              Object.keys(ATTACHMENT_RULES.types).map((t) => [
                t,
                { schema: { type: 'string', format: 'binary' } },
              ]),
            ),
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const p = req.params as { trackingNo: string; sha256: string };
      const b = await submissions.attachment(req.principal, p.trackingNo, p.sha256);
      void reply.header('content-type', b.contentType);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('content-disposition', `attachment; filename="${encodeURIComponent(b.filename)}"`);
      return reply.send(b.content);
    },
  );
}
