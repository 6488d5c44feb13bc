/** Disposal routes: notify (analysts), notifications of a submission, recipient actions by account or link, inbox. */
import type { FastifyInstance } from 'fastify';
import {
  NOTIFICATION_STATES,
  RECIPIENT_ACTIONS,
  RECIPIENT_CATEGORIES,
  type NotificationState,
  type RecipientAction,
  type RecipientCategory,
} from './rules.js';
import type { CoordinationService } from './service.js';
import { BOARD_LIMIT } from './board.js';
import { NO_SIGN_IN, SIGNED_IN } from '../http/openapi.js';

const err = { $ref: 'Error#' } as const;
const errors = { 400: err, 401: err, 403: err, 404: err, 409: err } as const;
const actionBody = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: Object.keys(RECIPIENT_ACTIONS) },
    fixUrl: { type: 'string', maxLength: 2000 },
    note: { type: 'string', maxLength: 5000 },
  },
} as const;
type ActionBody = { action: RecipientAction; fixUrl?: string; note?: string };
const nullableString = { type: ['string', 'null'] } as const;
/** GET /notifications: exactly the fields the board shows (views.ts BoardPage). */
const BOARD_PAGE = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          trackingNo: { type: 'string' },
          title: { type: 'string' },
          severity: nullableString,
          organisationId: { type: 'integer' },
          organisation: { type: 'string' },
          category: { type: 'string' },
          state: { type: 'string' },
          notifiedAt: { type: 'string' },
          deadline: { type: 'string' },
          fixUrl: nullableString,
          overdue: { type: 'boolean' },
        },
      },
    },
    nextCursor: nullableString,
    summary: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        overdue: { type: 'integer' },
        byOrganisation: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              organisationId: { type: 'integer' },
              organisation: { type: 'string' },
              total: { type: 'integer' },
              open: { type: 'integer' },
              overdue: { type: 'integer' },
            },
          },
        },
        byState: {
          type: 'object',
          properties: Object.fromEntries(NOTIFICATION_STATES.map((s) => [s, { type: 'integer' }])),
        },
      },
    },
  },
} as const;
/** Whom to notify: organisations with their disposal category (shared with incidents' notify). */
export const RECIPIENTS_BODY = {
  type: 'object',
  required: ['recipients'],
  additionalProperties: false,
  properties: {
    recipients: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        required: ['organisationId', 'category'],
        additionalProperties: false,
        properties: {
          organisationId: { type: 'integer' },
          category: { type: 'string', enum: [...RECIPIENT_CATEGORIES] },
        },
      },
    },
  },
} as const;
const nstr = { type: 'string', nullable: true } as const;
/**
 * What a caller may see of a notification: recipients and link holders get exactly these fields, and an
 * event's actor is "coordinator" where the coordinator's side acted (the service never gives them who).
 */
const notificationView = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'organisationId',
    'organisation',
    'category',
    'state',
    'deadline',
    'fixUrl',
    'answer',
    'overdue',
    'events',
  ],
  properties: {
    id: { type: 'integer' },
    organisationId: { type: 'integer' },
    organisation: { type: 'string' },
    category: { type: 'string' },
    state: { type: 'string', enum: [...NOTIFICATION_STATES] },
    deadline: { type: 'string' },
    fixUrl: nstr,
    answer: nstr,
    overdue: { type: 'boolean' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'actor', 'from', 'to', 'note'],
        properties: {
          at: { type: 'string' },
          actor: { type: 'string' },
          from: nstr,
          to: { type: 'string' },
          note: nstr,
        },
      },
    },
  },
} as const;
/** The report a notification is about, as its recipient sees it (no reporter, no verification, no PoC). */
const notifiedReport = {
  type: 'object',
  additionalProperties: false,
  required: ['notification', 'report'],
  properties: {
    notification: notificationView,
    report: {
      type: 'object',
      additionalProperties: false,
      required: [
        'id',
        'title',
        'vendor',
        'product',
        'version',
        'affectedSystem',
        'description',
        'severity',
        'cvssVector',
      ],
      properties: {
        id: nstr,
        title: { type: 'string' },
        vendor: nstr,
        product: nstr,
        version: nstr,
        affectedSystem: nstr,
        description: { type: 'string' },
        severity: nstr,
        cvssVector: nstr,
      },
    },
  },
} as const;
const inboxItem = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    notificationId: { type: 'integer', nullable: true },
    subject: { type: 'string' },
    text: { type: 'string' },
    createdAt: { type: 'string' },
    readAt: nstr,
  },
} as const;
const tokenParam = {
  type: 'object',
  properties: { token: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
} as const;

export function registerCoordinationRoutes(
  app: FastifyInstance,
  deps: { coordination: CoordinationService },
): void {
  const c = deps.coordination;

  app.post(
    '/api/v1/submissions/:trackingNo/notifications',
    {
      schema: {
        operationId: 'notifyRecipients',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary:
          'Notify recipients of a verified submission (vendor or affected organisation, sector units, branches…)',
        params: { type: 'object', properties: { trackingNo: { type: 'string' } } },
        body: RECIPIENTS_BODY,
        response: {
          201: {
            type: 'object',
            properties: {
              notifications: { type: 'array', items: notificationView },
              messages: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { recipients: Array<{ organisationId: number; category: RecipientCategory }> };
      const r = await c.notify(
        req.principal,
        (req.params as { trackingNo: string }).trackingNo,
        b.recipients,
      );
      // the links go to the recipients through the outbox, not back to the caller
      return reply.status(201).send({ notifications: r.notifications, messages: r.messages });
    },
  );

  app.get(
    '/api/v1/submissions/:trackingNo/notifications',
    {
      schema: {
        operationId: 'listSubmissionNotifications',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary:
          'Notifications of a submission, per recipient with state, deadline and history (analysts; a recipient sees its own)',
        params: { type: 'object', properties: { trackingNo: { type: 'string' } } },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: notificationView } } },
          ...errors,
        },
      },
    },
    async (req) => ({
      items: await c.list(req.principal, (req.params as { trackingNo: string }).trackingNo),
    }),
  );

  app.get(
    '/api/v1/notifications/:id',
    {
      schema: {
        operationId: 'getNotification',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary: 'One notification with the report it is about (its organisation’s members, analysts)',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        response: { 200: notifiedReport, ...errors },
      },
    },
    async (req) => c.view(req.principal, (req.params as { id: number }).id),
  );

  app.post(
    '/api/v1/notifications/:id/actions',
    {
      schema: {
        operationId: 'actOnNotification',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary: 'A recipient (signed in) acknowledges, reports the fix (fixUrl) or disputes (note)',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        body: actionBody,
        response: { 200: notificationView, ...errors },
      },
    },
    async (req) => {
      const b = req.body as ActionBody;
      return c.act(req.principal, (req.params as { id: number }).id, b.action, b);
    },
  );

  app.get(
    '/api/v1/respond/:token',
    {
      schema: {
        operationId: 'getByLink',
        security: NO_SIGN_IN,
        tags: ['disposal'],
        summary: 'What the holder of a notification link sees',
        params: tokenParam,
        response: { 200: notifiedReport, ...errors },
      },
    },
    async (req) => c.viewByLink((req.params as { token: string }).token),
  );

  app.post(
    '/api/v1/respond/:token',
    {
      schema: {
        operationId: 'actByLink',
        security: NO_SIGN_IN,
        tags: ['disposal'],
        summary: 'Act through the signed, expiring link of a notification (no account needed)',
        params: tokenParam,
        body: actionBody,
        response: { 200: notificationView, ...errors },
      },
    },
    async (req) => {
      const b = req.body as ActionBody;
      return c.actByLink((req.params as { token: string }).token, b.action, b);
    },
  );

  app.get(
    '/api/v1/inbox',
    {
      schema: {
        operationId: 'listInbox',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary: 'Your organisation’s notifications in the portal',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: inboxItem } } },
          ...errors,
        },
      },
    },
    async (req) => ({ items: await c.inbox(req.principal) }),
  );

  app.get(
    '/api/v1/notifications',
    {
      schema: {
        operationId: 'listNotifications',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary:
          'Disposal board: notifications across cases, overdue first then by deadline, a page at a time (pass nextCursor as cursor for the next), with counts per organisation and per state of everything the filter matches (analysts: all or one organisation; a recipient: its own)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            organisationId: { type: 'integer' },
            state: { type: 'string', enum: [...NOTIFICATION_STATES] },
            overdue: { type: 'boolean' },
            cursor: { type: 'string', maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: BOARD_LIMIT.max, default: BOARD_LIMIT.default },
          },
        },
        response: { 200: BOARD_PAGE, ...errors },
      },
    },
    async (req) =>
      c.board(
        req.principal,
        req.query as {
          organisationId?: number;
          state?: NotificationState;
          overdue?: boolean;
          cursor?: string;
          limit: number;
        },
      ),
  );
}
