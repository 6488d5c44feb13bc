/**
 * The API client generated from the OpenAPI document (docs/openapi.json → schema.d.ts, `npm run openapi`):
 * paths, parameters and bodies are typed by the route schemas. Same origin, the session cookie included, the
 * session's CSRF token on every request that changes something, and the UI language as Accept-Language on
 * every request (the server answers its error messages in it).
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { apiError, ApiError, currentCsrf, currentLanguage } from '../api.js';
import type { components, operations, paths } from './schema.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const headers: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept-language', currentLanguage());
    const token = currentCsrf();
    if (token && !SAFE.has(request.method)) request.headers.set('x-csrf-token', token);
    return request;
  },
};

export const client = createClient<paths>({ baseUrl: '', credentials: 'include' });
client.use(headers);

/** A named schema of the document (`Schema<'def-0'>`). */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
/** The JSON body an operation answers with its 200 (or the 2xx given). */
export type Answer<O extends keyof operations, S extends number = 200> =
  operations[O]['responses'] extends Record<S, { content: { 'application/json': infer B } }> ? B : never;

/** The query parameters an operation takes. */
export type Query<O extends keyof operations> = NonNullable<operations[O]['parameters']['query']>;

/** The JSON body an operation takes. */
export type Body<O extends keyof operations> =
  NonNullable<operations[O]['requestBody']> extends { content: { 'application/json': infer B } } ? B : never;

/** What a client call resolves to (openapi-fetch): the body, or the error body, and the response. */
interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The body of a call that answers JSON, or the ApiError it was refused with (code and message from the
 * server's `{ error }`): `await call(client.GET('/api/v1/stats', { params: { query: { weeks: 10 } } }))`.
 */
export async function call<T>(request: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw apiError(response, error);
  if (data === undefined)
    throw new ApiError(response.status, 'empty_answer', `HTTP ${response.status}: no body`);
  return data;
}

/** A call whose answer carries nothing the page needs (204, or a body it ignores); throws as `call` does. */
export async function perform(request: Promise<Outcome<unknown>>): Promise<void> {
  const { error, response } = await request;
  if (!response.ok) throw apiError(response, error);
}

/**
 * Upload a file as the raw request body (POST /api/v1/submissions/{trackingNo}/attachments). The route reads
 * the body as bytes and its schema documents none, so the generated client has no body to type: this one
 * request goes through fetch, with the same headers, and answers the document's 201 body.
 */
export async function uploadAttachment(
  trackingNo: string,
  file: File,
): Promise<Answer<'addAttachment', 201>> {
  const url = `/api/v1/submissions/${encodeURIComponent(trackingNo)}/attachments?filename=${encodeURIComponent(file.name)}`;
  const token = currentCsrf();
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'include',
    headers: {
      accept: 'application/json',
      'accept-language': currentLanguage(),
      'content-type': file.type || 'application/octet-stream',
      ...(token ? { 'x-csrf-token': token } : {}),
    },
    body: file,
  });
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const e = apiError(response, body);
    throw new ApiError(e.status, e.code, `${file.name}: ${e.message}`, e.details);
  }
  return body as Answer<'addAttachment', 201>;
}
