/**
 * Federation messaging on two real instances over loopback HTTP (the sender on PostgreSQL when it is a test
 * backend, the receiver on PGlite), with a relay between them that can be down or tamper with a request.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { AppError } from '../errors.js';
import { testBackends } from '../test-support/db.js';
import { SIGNATURE_HEADER, signEnvelope } from './envelope.js';
import { createKeyPair } from './keys.js';
import { MESSAGE_TARGET, MESSAGES_PATH, type MessageContext } from './messages.js';
import * as store from './store.js';
import { count, relay, start, stop, type Instance } from './test-instances.js';

describe('federation messaging: signed, at least once, applied once, in order', () => {
  const backend = testBackends().includes('postgres') ? 'postgres' : 'pglite';
  let sender: Instance;
  let receiver: Instance;
  const toReceiver = relay(() => receiver.base);
  /** the sender's HTTP: `loseNextAnswer` drops the answer after the receiver handled the request */
  const net = { loseNextAnswer: false };
  const applied: Array<{ peer: string; n: number; id: string }> = [];

  const handler = (ctx: MessageContext, body: unknown) => {
    const b = body as { n?: unknown; bad?: unknown } | null;
    if (!b || typeof b.n !== 'number') throw new AppError('invalid_input', 'a test message is { n: number }');
    applied.push({ peer: ctx.peer, n: b.n, id: ctx.messageId });
    return Promise.resolve({ got: b.n });
  };
  const send = (n: unknown) =>
    sender.d.db
      .transaction()
      .execute((tx) => sender.platform.peers.messages.enqueue(tx, 'sector-a', 'notice.withdraw', { n }));
  const inboxRows = () =>
    count(
      receiver.d,
      sql<{ n: number }>`SELECT count(*)::int AS n FROM peer_inbox WHERE sender = 'national'`,
    );

  beforeAll(async () => {
    const lossy: typeof fetch = async (input, init) => {
      const r = await fetch(input, init);
      if (!net.loseNextAnswer) return r;
      net.loseNextAnswer = false;
      await r.text();
      throw new TypeError('fetch failed: the connection was reset after the request was sent');
    };
    [sender, receiver] = await Promise.all([
      start('national', backend, 'CN', { overrides: { fetch: lossy } }),
      start('sector-a', 'pglite', 'ICS'),
    ]);
    const via = await toReceiver.listen();
    const id = {
      s: await sender.platform.peers.identity(CLI),
      r: await receiver.platform.peers.identity(CLI),
    };
    const notices = { receive: { kinds: ['record', 'advance_notice'] } };
    await sender.platform.peers.addPeer(CLI, {
      name: 'sector-a',
      url: via,
      key: id.r.publicKey,
      policy: notices,
    });
    await receiver.platform.peers.addPeer(CLI, {
      name: 'national',
      url: sender.base,
      key: id.s.publicKey,
      policy: { accept: { kinds: ['record', 'advance_notice'] } },
    });
    receiver.platform.peers.messages.register('notice.withdraw', handler, { replace: true });
  }, 120_000);

  afterAll(async () => {
    await toReceiver.close();
    await stop(sender, receiver);
  });

  it('applies a message once though it is sent twice (the answer lost between receiving and marking it sent)', async () => {
    applied.length = 0;
    net.loseNextAnswer = true;
    const id = await send(1);
    // the immediate attempt after the commit: the receiver applies it, the sender never hears back
    await sender.platform.peers.messages.idle();
    expect(applied.map((a) => a.n)).toEqual([1]);
    const lost = await sender.platform.peers.messages.message(id);
    expect(lost).toMatchObject({ state: 'pending', attempts: 1 });
    expect(lost?.lastError).toMatch(/connection was reset/);

    // sent again (a new envelope, the same message id): acknowledged as a repeat, not applied again
    const again = await sender.platform.peers.messages.deliverNow('sector-a');
    expect(again).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(applied.map((a) => a.n)).toEqual([1]);
    expect(applied[0]?.id).toBe(id);
    expect(await inboxRows()).toBe(1);
    const sent = await sender.platform.peers.messages.message(id);
    expect(sent).toMatchObject({ state: 'sent', attempts: 2, result: { got: 1 }, lastError: null });
  });

  it('a peer down gets every queued message when it is back, in the order they were queued', async () => {
    applied.length = 0;
    toReceiver.mode.down = true;
    const ids: string[] = [];
    for (let n = 1; n <= 6; n++) ids.push(await send(n));
    await sender.platform.peers.messages.idle();
    await sender.platform.peers.messages.deliverDue();
    expect(applied).toEqual([]);
    const waiting = await sender.platform.peers.messages.outbox({ peer: 'sector-a', state: 'pending' });
    expect(waiting.map((m) => m.id).sort()).toEqual([...ids].sort());
    // only the oldest was tried: the others wait behind it so that order holds
    const first = waiting.find((m) => m.id === ids[0]);
    expect(first?.attempts).toBeGreaterThanOrEqual(1);
    expect(first?.lastError).toMatch(/no answer/);
    expect(waiting.filter((m) => m.attempts > 0).map((m) => m.id)).toEqual([ids[0]]);

    toReceiver.mode.down = false;
    const back = await sender.platform.peers.messages.deliverNow();
    expect(back).toEqual({ sent: 6, failed: 0, retried: 0 });
    expect(applied.map((a) => a.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(applied.map((a) => a.id)).toEqual(ids);
  });

  it('a handler’s error code marks the message failed, and it is not tried again', async () => {
    applied.length = 0;
    const id = await send('not a number');
    await sender.platform.peers.messages.idle();
    await sender.platform.peers.messages.deliverNow();
    const m = await sender.platform.peers.messages.message(id);
    expect(m).toMatchObject({ state: 'failed', attempts: 1, lastErrorCode: 'invalid_input' });
    await sender.platform.peers.messages.deliverNow();
    expect((await sender.platform.peers.messages.message(id))?.attempts).toBe(1);
    expect(applied).toEqual([]);
    // a failed message does not hold back the next one
    await send(7);
    await sender.platform.peers.messages.idle();
    expect(applied.map((a) => a.n)).toEqual([7]);
  });

  it('refuses a tampered, a replayed and an unknown-key message: nothing applied', async () => {
    applied.length = 0;
    // tampered on the way: the receiver refuses it unsigned, so the sender keeps it and tries again
    toReceiver.mode.tamperRequest = true;
    const id = await sender.d.db.transaction().execute((tx) =>
      sender.platform.peers.messages.enqueue(tx, 'sector-a', 'notice.withdraw', {
        n: 8,
        vendor: 'Siemens',
      }),
    );
    await sender.platform.peers.messages.idle();
    const tampered = await sender.platform.peers.messages.message(id);
    expect(tampered).toMatchObject({ state: 'pending', lastErrorCode: 'peer_signature_invalid' });
    expect(applied).toEqual([]);
    await sender.platform.peers.messages.deliverNow();
    expect(applied.map((a) => a.n)).toEqual([8]);

    const [key] = (await store.identityKeys(sender.d.db)).filter((k) => k.state === 'active');
    if (!key) throw new Error('the sender has no key');
    const body = JSON.stringify({ id: '3a7c2f4e-1b2d-4c5e-8f90-0123456789ab', body: { n: 9 } });
    const signed = (privateKey = key.private_key, keyId = key.key_id) =>
      signEnvelope({
        kind: 'notice.withdraw',
        from: 'national',
        to: 'sector-a',
        keyId,
        privateKey,
        body,
        now: new Date(),
        target: MESSAGE_TARGET,
      }).token;
    const post = async (token: string) => {
      const r = await fetch(receiver.base + MESSAGES_PATH, {
        method: 'POST',
        headers: { [SIGNATURE_HEADER]: token, 'content-type': 'application/json' },
        body,
      });
      const j = (await r.json()) as { error?: { code: string }; duplicate?: boolean };
      return { status: r.status, code: j.error?.code ?? 'ok', signed: r.headers.has(SIGNATURE_HEADER) };
    };
    const token = signed();
    expect(await post(token)).toEqual({ status: 200, code: 'ok', signed: true });
    expect(applied.map((a) => a.n)).toEqual([8, 9]);
    expect(await post(token)).toEqual({ status: 401, code: 'peer_replay', signed: false });
    const stranger = createKeyPair();
    expect(await post(signed(stranger.privateKey, stranger.keyId))).toEqual({
      status: 401,
      code: 'peer_key_unknown',
      signed: false,
    });
    expect(await post(signed(stranger.privateKey))).toEqual({
      status: 401,
      code: 'peer_signature_invalid',
      signed: false,
    });
    expect(applied.map((a) => a.n)).toEqual([8, 9]);
  });

  it('the policy decides: a kind the receiver does not accept is refused (signed, final); one the peer may not receive is never queued', async () => {
    applied.length = 0;
    await receiver.platform.peers.setPolicy(CLI, 'national', { accept: { kinds: ['record'] } });
    const id = await send(10);
    await sender.platform.peers.messages.idle();
    expect(await sender.platform.peers.messages.message(id)).toMatchObject({
      state: 'failed',
      lastErrorCode: 'peer_policy_refused',
    });
    expect(applied).toEqual([]);

    await sender.platform.peers.setPolicy(CLI, 'sector-a', { receive: { kinds: ['record'] } });
    await expect(send(11)).rejects.toMatchObject({ code: 'peer_policy_refused' });
    expect(await sender.platform.peers.messages.outbox({ state: 'pending' })).toEqual([]);
  });
});
