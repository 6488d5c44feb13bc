/**
 * Input every route refuses before its schema or its service sees it: a NUL character (U+0000) anywhere in the
 * query, the path parameters or a JSON body (values and keys, at any depth). PostgreSQL cannot store U+0000 in
 * text, so without this a NUL reached the database and answered 500; now it answers 400 `invalid_parameter`
 * naming the parameter (`title`, `news.0.summary`, `id` …) and where it was (`querystring`, `params`, `body`).
 *
 * One hook for the whole application, registered once by the app (`registerInputGuards(app)` before the
 * routes); a second call is a no-op.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

const NUL = '\u0000';
const MAX_DEPTH = 64;

/** The path of the first string (value or key) holding a NUL, or null. */
export function findNul(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = findNul(v, [...path, String(i)], depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k.includes(NUL)) return [...path, k.replaceAll(NUL, '\\u0000')];
    const hit = findNul(v, [...path, k], depth + 1);
    if (hit) return hit;
  }
  return null;
}

const SOURCES = [
  ['params', 'params'],
  ['querystring', 'query'],
  ['body', 'body'],
] as const;

export function registerInputGuards(app: FastifyInstance): void {
  if (app.hasDecorator('inputGuards')) return;
  app.decorate('inputGuards', true);
  app.addHook('preValidation', (req, _reply, done) => {
    for (const [where, key] of SOURCES) {
      const hit = findNul(req[key]);
      if (hit) {
        const parameter = hit.join('.') || where;
        done(
          new AppError(
            'invalid_parameter',
            `${where} parameter "${parameter}" must not contain a NUL character (U+0000)`,
            { parameter, in: where },
          ),
        );
        return;
      }
    }
    done();
  });
}
