/**
 * Input every route refuses before its service sees it, so that hostile input answers 400 `invalid_parameter`
 * naming the parameter (`title`, `news.0.summary`, `id` …) and where it was (`querystring`, `params`, `body`),
 * never a 500 from the database:
 *
 * - a NUL character (U+0000) or a lone surrogate anywhere in the query, the path parameters or a JSON body
 *   (values and keys, at any depth): PostgreSQL stores neither in text or jsonb;
 * - after the route's schema has coerced them, numbers beyond ±2^53 − 1 (no id, count or limit of this API is
 *   that large, and bigint columns refuse what lies past 2^63).
 *
 * `registerInputGuards(app)` is called once by the app before its routes; a second call is a no-op.
 * `frameworkErrors` is for Fastify's constructor: the router's own refusals (a path that is not valid UTF-8, a
 * path parameter over maxParamLength) then have the error shape too.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

const MAX_DEPTH = 64;
/** A high surrogate not followed by a low one, or a low one without a high one before it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export type Fault = 'nul' | 'surrogate' | 'unsafe-number';

function faultOf(v: unknown, numbers: boolean): Fault | null {
  if (typeof v === 'string')
    return v.includes('\u0000') ? 'nul' : LONE_SURROGATE.test(v) ? 'surrogate' : null;
  if (numbers && typeof v === 'number' && Math.abs(v) > Number.MAX_SAFE_INTEGER) return 'unsafe-number';
  return null;
}

/** The path and kind of the first bad string (value or key) — or, with `numbers`, unsafe number — or null. */
export function findFault(
  value: unknown,
  numbers = false,
  path: string[] = [],
  depth = 0,
): { path: string[]; fault: Fault } | null {
  const own = faultOf(value, numbers);
  if (own) return { path, fault: own };
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [k, v] of entries) {
    const key = faultOf(k, false);
    if (key) return { path: [...path, JSON.stringify(k).slice(1, -1)], fault: key };
    const hit = findFault(v, numbers, [...path, k], depth + 1);
    if (hit) return hit;
  }
  return null;
}

const SOURCES = [
  ['params', 'params'],
  ['querystring', 'query'],
  ['body', 'body'],
] as const;

const WHY: Record<Fault, string> = {
  nul: 'must not contain a NUL character (U+0000)',
  surrogate: 'must be well-formed Unicode (it holds a lone surrogate)',
  'unsafe-number': `must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
};

function check(req: FastifyRequest, numbers: boolean): AppError | null {
  for (const [where, key] of SOURCES) {
    const hit = findFault(req[key], numbers);
    if (hit) {
      const parameter = hit.path.join('.') || where;
      return new AppError('invalid_parameter', `${where} parameter "${parameter}" ${WHY[hit.fault]}`, {
        parameter,
        in: where,
      });
    }
  }
  return null;
}

export function registerInputGuards(app: FastifyInstance): void {
  if (app.hasDecorator('inputGuards')) return;
  app.decorate('inputGuards', true);
  app.addHook('preValidation', (req, _reply, done) => done(check(req, false) ?? undefined));
  app.addHook('preHandler', (req, _reply, done) => done(check(req, true) ?? undefined));
}

/** Fastify's `frameworkErrors` option: the router's refusals in the error shape. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path parameter is too long'
      : err.code === 'FST_ERR_BAD_URL'
        ? 'the path is not a valid URL component (malformed percent-encoding or UTF-8)'
        : null;
  void (message === null
    ? reply.status(500).send({ error: { code: 'internal', message: 'Internal error', details: {} } })
    : reply.status(400).send({
        error: { code: 'invalid_parameter', message, details: { parameter: 'path', in: 'params' } },
      }));
}
