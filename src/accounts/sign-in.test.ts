/**
 * Sign-in throttling and registration on both backends: an attacker cannot lock the real user out, the
 * back-off follows its table, parallel guesses do not get past it, the owner is told, and registration does
 * not reveal which addresses have accounts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { listAudit } from '../audit/audit.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { CLI } from './model.js';
import { verifyPassword } from './secrets.js';
import { createAccountService, SIGN_IN_BACKOFF, type AccountService } from './service.js';

const PW = 'correct horse battery staple';

describe('the sign-in back-off table', () => {
  it('reads like the table: 5 free tries per account and address, then waits that grow; 30 per address across accounts', () => {
    expect(SIGN_IN_BACKOFF.accountAndClient.slice(0, 3)).toEqual([
      { failures: 5, waitSeconds: 30 },
      { failures: 6, waitSeconds: 60 },
      { failures: 7, waitSeconds: 120 },
    ]);
    expect(SIGN_IN_BACKOFF.client[0]).toEqual({ failures: 30, waitSeconds: 60 });
    for (const t of [SIGN_IN_BACKOFF.accountAndClient, SIGN_IN_BACKOFF.client])
      for (let i = 1; i < t.length; i++) {
        expect(t[i]?.failures).toBeGreaterThan(t[i - 1]?.failures ?? 0);
        expect(t[i]?.waitSeconds).toBeGreaterThanOrEqual(t[i - 1]?.waitSeconds ?? 0);
      }
  });
});

describe.each(testBackends())('sign-in throttling and registration on %s', (backend) => {
  let d: Database;
  let now = new Date('2026-02-02T08:00:00Z');
  let verifications = 0;
  let accounts: AccountService;
  const later = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
  };
  const user = (email: string) =>
    accounts.createUser(CLI, {
      email,
      displayName: email.split('@')[0] ?? 'x',
      password: PW,
      role: 'reporter',
    });
  const guess = (email: string, ip: string, i = 0) =>
    accounts.login({ email, password: `wrong guess ${i} ${ip}`, ip });

  beforeAll(async () => {
    d = await freshDatabase(backend);
    accounts = createAccountService({
      db: d.db,
      clock: () => now,
      verifyPassword: (hash, password) => {
        verifications++;
        return verifyPassword(hash, password);
      },
    });
  });
  afterAll(async () => {
    await d.close();
  });

  it('lets the owner in from another address however often an attacker guesses', async () => {
    await user('owner@vs.example');
    for (let i = 0; i < 12; i++)
      await expect(guess('owner@vs.example', '203.0.113.66', i)).rejects.toMatchObject({
        code: expect.stringMatching(/^(unauthorized|rate_limited)$/) as unknown,
      });
    await expect(
      accounts.login({ email: 'owner@vs.example', password: PW, ip: '198.51.100.7' }),
    ).resolves.toMatchObject({ user: { email: 'owner@vs.example' } });
  });

  it('gives one account from one address 5 tries, then waits that grow as the table says', async () => {
    await user('slow@vs.example');
    const ip = '203.0.113.70';
    for (let i = 0; i < 5; i++)
      await expect(guess('slow@vs.example', ip, i)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(accounts.login({ email: 'slow@vs.example', password: PW, ip })).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: 30 },
    });
    later(30);
    await expect(guess('slow@vs.example', ip, 5)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(guess('slow@vs.example', ip, 6)).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: 60 },
    });
    later(60);
    await expect(guess('slow@vs.example', ip, 7)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(guess('slow@vs.example', ip, 8)).rejects.toMatchObject({
      details: { retryAfterSeconds: 120 },
    });
    later(120);
    // the right password after the wait signs in, and the count starts again
    await expect(accounts.login({ email: 'slow@vs.example', password: PW, ip })).resolves.toBeTruthy();
    for (let i = 0; i < 5; i++)
      await expect(guess('slow@vs.example', ip, i)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('limits one address across accounts without stopping another address signing in to them', async () => {
    const ip = '203.0.113.80';
    const victims = ['v1@vs.example', 'v2@vs.example', 'v3@vs.example', 'v4@vs.example', 'v5@vs.example'];
    for (const v of victims) await user(v);
    let n = 0;
    for (const v of victims)
      for (let i = 0; i < 5; i++)
        await expect(guess(v, ip, n++)).rejects.toMatchObject({ code: 'unauthorized' });
    for (let i = 0; i < 5; i++)
      await expect(guess(`nobody${i}@vs.example`, ip, n++)).rejects.toMatchObject({ code: 'unauthorized' });
    // 30 failures from this address: the next try from it waits, for any account
    await expect(accounts.login({ email: 'owner@vs.example', password: PW, ip })).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: 60 },
    });
    for (const v of victims)
      await expect(accounts.login({ email: v, password: PW, ip: '198.51.100.8' })).resolves.toBeTruthy();
  });

  it('checks at most 5 passwords when 20 wrong ones arrive at once', async () => {
    await user('parallel@vs.example');
    const before = verifications;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => guess('parallel@vs.example', '203.0.113.90', i)),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    expect(codes.filter((c) => c === 'unauthorized')).toHaveLength(5);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(15);
    expect(verifications - before).toBe(5);
    const failed = await listAudit(d.db, CLI, { action: 'login.failed', limit: 1000 });
    expect(failed.filter((a) => a.actor === 'parallel@vs.example')).toHaveLength(5);
  });

  it('tells the owner: an audit row per failure, a count on their account, and an e-mail when the back-off starts', async () => {
    const u = await user('told@vs.example');
    const ip = '203.0.113.100';
    for (let i = 0; i < 6; i++) await guess('told@vs.example', ip, i).catch(() => undefined);
    const failed = await listAudit(d.db, CLI, { action: 'login.failed', limit: 1000 });
    expect(failed.filter((a) => a.actor === 'told@vs.example' && a.ip === ip)).toHaveLength(5);
    const mail = await d.db
      .selectFrom('outbox')
      .select(['channel', 'subject', 'body'])
      .where('target', '=', 'told@vs.example')
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ channel: 'email' });
    expect(String(mail[0]?.body.text)).toContain(ip);
    const s = await accounts.login({ email: 'told@vs.example', password: PW, ip: '198.51.100.9' });
    expect(s.user.failedSignInsSinceLastLogin).toBe(5);
    const p = (await accounts.resolveSession(s.session))?.principal;
    if (!p) throw new Error('no session');
    expect(await accounts.me(p)).toMatchObject({ id: u.id, failedSignInsSinceLastLogin: 5 });
    // the next sign-in without failures in between shows none
    const again = await accounts.login({ email: 'told@vs.example', password: PW, ip: '198.51.100.9' });
    expect(again.user.failedSignInsSinceLastLogin).toBe(0);
  });

  it('answers registration alike whether or not the address has an account, and tells the owner instead', async () => {
    const owner = await user('taken@vs.example');
    const users = async () =>
      Number(
        (
          await d.db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const orgs = async () =>
      Number(
        (
          await d.db
            .selectFrom('organisations')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const fresh = await accounts.register({ email: 'new@vs.example', displayName: 'New', password: PW });
    const [u0, o0] = [await users(), await orgs()];
    const taken = await accounts.register({
      email: 'TAKEN@vs.example',
      displayName: 'Squatter',
      password: 'another long passphrase 77',
      ip: '203.0.113.5',
    });
    expect(taken).toEqual(fresh);
    expect(Object.keys(taken).sort()).toEqual(['message', 'status']);
    expect([await users(), await orgs()]).toEqual([u0, o0]);
    // nothing changed for the owner: their password still works, the squatter's does not
    await expect(accounts.login({ email: 'taken@vs.example', password: PW })).resolves.toBeTruthy();
    await expect(
      accounts.login({ email: 'taken@vs.example', password: 'another long passphrase 77' }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    const mail = await d.db
      .selectFrom('outbox')
      .select(['subject', 'body'])
      .where('target', '=', 'taken@vs.example')
      .execute();
    expect(mail).toHaveLength(1);
    const audits = await listAudit(d.db, CLI, { action: 'user.register', limit: 1000 });
    expect(audits.find((a) => a.action === 'user.register_existing')).toMatchObject({
      targetId: String(owner.id),
      ip: '203.0.113.5',
    });
    // the new address can sign in
    await expect(accounts.login({ email: 'new@vs.example', password: PW })).resolves.toBeTruthy();
  });

  it('takes about as long to answer for a taken address as for a new one', async () => {
    const time = async (email: string) => {
      const t = performance.now();
      await accounts.register({ email, displayName: 'T', password: PW });
      return performance.now() - t;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const freshTimes: number[] = [];
    const takenTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      freshTimes.push(await time(`timing${i}@vs.example`));
      takenTimes.push(await time('taken@vs.example'));
    }
    // both hash the password (argon2id, tens of ms); a taken address must not answer at once
    expect(median(takenTimes)).toBeGreaterThan(median(freshTimes) * 0.5);
  });
});
