/**
 * The API client generated from the OpenAPI document (docs/openapi.json → schema.d.ts, `npm run openapi`):
 * paths, parameters and bodies are typed by the route schemas. Same origin, the session cookie included, and
 * the session's CSRF token on every request that changes something.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { currentCsrf } from '../api.js';
import type { components, operations, paths } from './schema.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const csrfHeader: Middleware = {
  onRequest({ request }) {
    const token = currentCsrf();
    if (token && !SAFE.has(request.method)) request.headers.set('x-csrf-token', token);
    return request;
  },
};

export const client = createClient<paths>({ baseUrl: '', credentials: 'include' });
client.use(csrfHeader);

/** A named schema of the document (`Schema<'def-0'>`). */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
/** The JSON body an operation answers with its 200 (or the 2xx given). */
export type Answer<O extends keyof operations, S extends number = 200> =
  operations[O]['responses'] extends Record<S, { content: { 'application/json': infer B } }> ? B : never;
