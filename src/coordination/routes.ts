/** Disposal routes: notify (analysts), notifications of a submission, recipient actions by account or link, inbox. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TInteger } from 'typebox';
import {
  NOTIFICATION_STATES,
  RECIPIENT_ACTIONS,
  RECIPIENT_CATEGORIES,
  type NotificationState,
  type RecipientAction,
} from './rules.js';
import type { CoordinationService } from './service.js';
import type { NotificationView } from './views.js';
import { AppError } from '../errors.js';
import { BOARD_LIMIT } from './board.js';
import { NO_SIGN_IN, SIGNED_IN } from '../http/openapi.js';
import { IdParam, Nullable, StringEnum, errorResponses } from '../http/schemas.js';

const errors = errorResponses(400, 401, 403, 404, 409);
const nstr = Nullable(Type.String());
const actionBody = Type.Object(
  {
    action: StringEnum(Object.keys(RECIPIENT_ACTIONS) as RecipientAction[]),
    fixUrl: Type.Optional(Type.String({ maxLength: 2000 })),
    note: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);
const notificationState = StringEnum(NOTIFICATION_STATES);
/** One count per notification state, every state present. */
const byState = Type.Object(
  Object.fromEntries(NOTIFICATION_STATES.map((s) => [s, Type.Integer()])) as Record<
    NotificationState,
    TInteger
  >,
);
/** GET /notifications: exactly the fields the board shows (views.ts BoardPage). */
const BOARD_PAGE = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      trackingNo: Type.String(),
      title: Type.String(),
      severity: nstr,
      organisationId: Type.Integer(),
      organisation: Type.String(),
      category: Type.String(),
      state: notificationState,
      notifiedAt: Type.String(),
      deadline: Type.String(),
      fixUrl: nstr,
      overdue: Type.Boolean(),
    }),
  ),
  nextCursor: nstr,
  summary: Type.Object({
    total: Type.Integer(),
    overdue: Type.Integer(),
    byOrganisation: Type.Array(
      Type.Object({
        organisationId: Type.Integer(),
        organisation: Type.String(),
        total: Type.Integer(),
        open: Type.Integer(),
        overdue: Type.Integer(),
      }),
    ),
    byState,
  }),
});
/** Whom to notify: organisations with their disposal category (shared with incidents' notify). */
export const RECIPIENTS_BODY = Type.Object(
  {
    recipients: Type.Array(
      Type.Object(
        { organisationId: Type.Integer(), category: StringEnum(RECIPIENT_CATEGORIES) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
/**
 * What a caller may see of a notification: recipients and link holders get exactly these fields, and an
 * event's actor is "coordinator" where the coordinator's side acted (the service never gives them who).
 */
export const notificationView = Type.Object(
  {
    id: Type.Integer(),
    organisationId: Type.Integer(),
    organisation: Type.String(),
    category: Type.String(),
    state: notificationState,
    deadline: Type.String(),
    fixUrl: nstr,
    answer: nstr,
    overdue: Type.Boolean(),
    events: Type.Array(
      Type.Object(
        { at: Type.String(), actor: Type.String(), from: nstr, to: Type.String(), note: nstr },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
/** The report a notification is about, as its recipient sees it (no reporter, no verification, no PoC). */
const notifiedReport = Type.Object(
  {
    notification: notificationView,
    report: Type.Object(
      {
        id: nstr,
        title: Type.String(),
        vendor: nstr,
        product: nstr,
        version: nstr,
        affectedSystem: nstr,
        description: Type.String(),
        severity: nstr,
        cvssVector: nstr,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const inboxItem = Type.Object({
  id: Type.Integer(),
  notificationId: Nullable(Type.Integer()),
  subject: Type.String(),
  text: Type.String(),
  createdAt: Type.String(),
  readAt: nstr,
});
/**
 * The service's notified-report view types its notification as possibly absent (the first of a list); it is
 * always there for a notification that exists, and its absence is an internal error, never a partial answer.
 */
function complete<R>(v: { notification: NotificationView | undefined; report: R }) {
  if (!v.notification) throw new AppError('internal', 'a notification view without its notification');
  return { notification: v.notification, report: v.report };
}

const trackingNoParam = Type.Object({ trackingNo: Type.String() });
const tokenParam = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) });

export function registerCoordinationRoutes(
  app: FastifyInstance,
  deps: { coordination: CoordinationService },
): void {
  const c = deps.coordination;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/submissions/:trackingNo/notifications',
    {
      schema: {
        operationId: 'notifyRecipients',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary:
          'Notify recipients of a verified submission (vendor or affected organisation, sector units, branches…)',
        params: trackingNoParam,
        body: RECIPIENTS_BODY,
        response: {
          201: Type.Object({ notifications: Type.Array(notificationView), messages: Type.Integer() }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const done = await c.notify(req.principal, req.params.trackingNo, req.body.recipients);
      // the links go to the recipients through the outbox, not back to the caller
      return reply.status(201).send({ notifications: done.notifications, messages: done.messages });
    },
  );

  r.get(
    '/api/v1/submissions/:trackingNo/notifications',
    {
      schema: {
        operationId: 'listSubmissionNotifications',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary:
          'Notifications of a submission, per recipient with state, deadline and history (analysts; a recipient sees its own)',
        params: trackingNoParam,
        response: {
          200: Type.Object({ items: Type.Array(notificationView) }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await c.list(req.principal, req.params.trackingNo) }),
  );

  r.get(
    '/api/v1/notifications/:id',
    {
      schema: {
        operationId: 'getNotification',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary: 'One notification with the report it is about (its organisation’s members, analysts)',
        params: IdParam,
        response: { 200: notifiedReport, ...errors },
      },
    },
    async (req) => complete(await c.view(req.principal, req.params.id)),
  );

  r.post(
    '/api/v1/notifications/:id/actions',
    {
      schema: {
        operationId: 'actOnNotification',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary: 'A recipient (signed in) acknowledges, reports the fix (fixUrl) or disputes (note)',
        params: IdParam,
        body: actionBody,
        response: { 200: notificationView, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      return c.act(req.principal, req.params.id, b.action, b);
    },
  );

  r.get(
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
    async (req) => complete(await c.viewByLink(req.params.token)),
  );

  r.post(
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
      const b = req.body;
      return c.actByLink(req.params.token, b.action, b);
    },
  );

  r.get(
    '/api/v1/inbox',
    {
      schema: {
        operationId: 'listInbox',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary: 'Your organisation’s notifications in the portal',
        response: {
          200: Type.Object({ items: Type.Array(inboxItem) }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await c.inbox(req.principal) }),
  );

  r.get(
    '/api/v1/notifications',
    {
      schema: {
        operationId: 'listNotifications',
        security: SIGNED_IN,
        tags: ['disposal'],
        summary:
          'Disposal board: notifications across cases, overdue first then by deadline, a page at a time (pass nextCursor as cursor for the next), with counts per organisation and per state of everything the filter matches (analysts: all or one organisation; a recipient: its own)',
        querystring: Type.Object(
          {
            organisationId: Type.Optional(Type.Integer()),
            state: Type.Optional(notificationState),
            overdue: Type.Optional(Type.Boolean()),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: BOARD_LIMIT.max, default: BOARD_LIMIT.default }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: BOARD_PAGE, ...errors },
      },
    },
    async (req) => c.board(req.principal, req.query),
  );
}
