/**
 * Webhook delivery and where it may go, on both backends with real local HTTP servers: a redirect is never
 * followed (the signed payload must not be re-posted elsewhere), and internal addresses are refused unless the
 * allowance admits them — checked when connecting, so a row saved before the check or a name that resolves
 * inward is refused too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { createOutboxWorker } from './outbox.js';

async function receiver() {
  const calls: string[] = [];
  let answer: { status: number; headers?: Record<string, string> } = { status: 204 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    calls,
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    answer: (a: typeof answer) => (answer = a),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe.each(testBackends())('webhook delivery on %s', (backend) => {
  let d: Database;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let elsewhere: Awaited<ReturnType<typeof receiver>>;
  let n = 0;

  const queue = (target: string) =>
    d.db
      .insertInto('outbox')
      .values({
        delivery_id: `hook-${n++}`,
        channel: 'webhook',
        target,
        secret: 's3cret',
        subject: 'embargoed report',
        body: JSON.stringify({ text: 'the report text and the respond link' }),
        // due at once: the database's now() can be a fraction of a millisecond ahead of the worker's clock
        next_attempt_at: '2000-01-01T00:00:00Z',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  const lastError = async (id: number) =>
    await d.db
      .selectFrom('outbox')
      .select(['last_error', 'sent_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    d = await freshDatabase(backend);
    hook = await receiver();
    elsewhere = await receiver();
  });
  afterAll(async () => {
    await hook.close();
    await elsewhere.close();
    await d.close();
  });
  beforeEach(async () => {
    await d.db.deleteFrom('outbox').execute();
    hook.calls.length = 0;
    elsewhere.calls.length = 0;
    hook.answer({ status: 204 });
  });

  it('delivers to 127.0.0.1 when the allowance admits internal targets', async () => {
    const { id } = await queue(hook.url('/hook'));
    const worker = createOutboxWorker({ db: d.db, mailer: null, internalTargets: ANY_INTERNAL_TARGET });
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(hook.calls).toEqual(['POST /hook']);
    expect((await lastError(id)).sent_at).not.toBeNull();
  });

  it.each([307, 308, 302, 301])(
    'does not follow a %i: the delivery fails naming the redirect and its target sees no request',
    async (status) => {
      hook.answer({ status, headers: { location: elsewhere.url('/stolen') } });
      const { id } = await queue(hook.url('/hook'));
      const worker = createOutboxWorker({ db: d.db, mailer: null, internalTargets: ANY_INTERNAL_TARGET });
      expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1 });
      expect(hook.calls).toEqual(['POST /hook']);
      expect(elsewhere.calls).toEqual([]);
      expect((await lastError(id)).last_error).toBe(
        `webhook answered ${status} (a redirect to ${elsewhere.url('/stolen')}); webhooks never follow redirects`,
      );
    },
  );

  it('refuses loopback, private, link-local and metadata targets without the allowance', async () => {
    const targets = [
      hook.url('/hook'),
      `http://localhost:${hook.port}/hook`,
      `http://[::1]:${hook.port}/hook`,
      'http://10.0.0.1:9/hook',
      'http://169.254.169.254/latest/meta-data/',
    ];
    const ids = [];
    for (const t of targets) ids.push((await queue(t)).id);
    const worker = createOutboxWorker({ db: d.db, mailer: null, timeoutMs: 2000 });
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: targets.length });
    expect(hook.calls).toEqual([]);
    for (const [i, id] of ids.entries())
      expect((await lastError(id)).last_error, targets[i]).toMatch(
        /^refused to connect: .*(loopback|private|link-local).* VULNSHARE_ALLOW_INTERNAL_TARGETS/,
      );
  });
});
