import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { findFault, frameworkErrors, registerInputGuards } from './input-guards.js';

describe('the input guards', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify({ frameworkErrors, maxParamLength: 100 });
    app.setErrorHandler((err, _req, reply) =>
      isAppError(err)
        ? reply
            .status(err.status)
            .send({ error: { code: err.code, message: err.message, details: err.details } })
        : reply.status(500).send({ error: { code: 'internal' } }),
    );
    registerInputGuards(app);
    registerInputGuards(app); // a second call changes nothing
    app.get('/items/:id', (req) => ({ params: req.params, query: req.query }));
    app.post('/items', (req) => ({ body: req.body }));
    app.get(
      '/things/:id',
      { schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } } },
      (req) => ({ params: req.params }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  it('refuses a NUL in a query parameter with 400 naming it', async () => {
    const r = await app.inject({ method: 'GET', url: '/items/1?q=a%00b&limit=5' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({
      error: {
        code: 'invalid_parameter',
        message: 'querystring parameter "q" must not contain a NUL character (U+0000)',
        details: { parameter: 'q', in: 'querystring' },
      },
    });
  });

  it('refuses a NUL in a path parameter', async () => {
    const r = await app.inject({ method: 'GET', url: '/items/CVE-2024-1%00' });
    expect([r.statusCode, r.json<{ error: { details: unknown } }>().error.details]).toEqual([
      400,
      { parameter: 'id', in: 'params' },
    ]);
  });

  it('refuses a NUL anywhere in a JSON body, values and keys, naming the path', async () => {
    const deep = await app.inject({
      method: 'POST',
      url: '/items',
      payload: { title: 'ok', news: [{ title: 'x' }, { summary: 'evil\u0000' }] },
    });
    expect([deep.statusCode, deep.json<{ error: { details: unknown } }>().error.details]).toEqual([
      400,
      { parameter: 'news.1.summary', in: 'body' },
    ]);
    const key = await app.inject({ method: 'POST', url: '/items', payload: { 'a\u0000b': 1 } });
    expect(key.json<{ error: { details: unknown } }>().error.details).toEqual({
      parameter: 'a\\u0000b',
      in: 'body',
    });
  });

  it('refuses a lone surrogate in a JSON body', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":"x\\ud800y"}',
    });
    expect([r.statusCode, r.json<{ error: { message: string } }>().error.message]).toEqual([
      400,
      'body parameter "name" must be well-formed Unicode (it holds a lone surrogate)',
    ]);
  });

  it('refuses integers beyond 2^53 - 1 once the schema has coerced them', async () => {
    for (const id of ['1e308', '9007199254740993']) {
      const r = await app.inject({ method: 'GET', url: `/things/${id}` });
      expect([r.statusCode, r.json<{ error: { details: unknown } }>().error.details], id).toEqual([
        400,
        { parameter: 'id', in: 'params' },
      ]);
    }
    expect((await app.inject({ method: 'GET', url: '/things/9007199254740991' })).statusCode).toBe(200);
  });

  it("gives the router's own refusals the error shape", async () => {
    for (const url of ['/items/%ED%A0%80', `/items/${'x'.repeat(200)}`]) {
      const r = await app.inject({ method: 'GET', url });
      expect([r.statusCode, r.json<{ error: { code: string } }>().error.code], url).toEqual([
        400,
        'invalid_parameter',
      ]);
    }
  });

  it('lets everything else through unchanged', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/items',
      payload: { title: "' OR 1=1--", emoji: '🐛\u202e', n: -1 },
    });
    expect(r.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/items/7?q=%E2%80%AE' })).statusCode).toBe(200);
    expect(findFault({ a: [1, null, { b: 'c' }], n: 9007199254740991, e: '🐛' }, true)).toBeNull();
  });
});
