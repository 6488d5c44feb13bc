/**
 * Early warnings on both backends, through the platform with a fake clock and a real SMTP peer: an alliance
 * member's watchlist is warned of a matching report still under embargo (the embargo in the message), once;
 * a non-member hears of it only at publication, and the member then gets no second alert; a suspended or
 * expired member is warned of nothing from that moment, a renewed one again.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Principal } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import { drainOutbox } from '../app/worker.js';
import { createSmtpMailer } from '../coordination/mailer.js';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';

const PW = 'correct horse battery staple';

/** A real SMTP server on a free port that keeps what it receives (as in watchlists.test.ts). */
async function smtpPeer() {
  const mails: Array<{ to: string; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    mails,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A MIME body decoded enough to read (quoted-printable soft breaks and UTF-8 bytes). */
const readable = (raw: string) =>
  Buffer.from(
    raw
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

describe.each(testBackends())('early warnings to alliance members on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let smtp: Awaited<ReturnType<typeof smtpPeer>>;
  let mailer: ReturnType<typeof createSmtpMailer>;
  let now = new Date('2026-06-01T08:00:00Z');
  let reporter: Principal;
  const org: Record<'member' | 'other', number> = { member: 0, other: 0 };
  const mailsTo = (who: 'member' | 'other') => smtp.mails.filter((m) => m.to === `soc@${who}.example`);

  /** A verified report on Example Router X1 scheduled for publication at `until`: its platform id. */
  async function embargoedReport(title: string, until: string) {
    const s = await platform.submissions.submit(reporter, {
      kind: 'general',
      title,
      vendor: 'Example',
      product: 'Router X1',
      version: '2.1.0',
      description: 'A command injection in the web interface.',
      originality: 'original',
    });
    for (const to of ['triaged', 'verifying'] as const)
      await platform.submissions.transition(CLI, s.trackingNo, { to });
    await platform.submissions.transition(CLI, s.trackingNo, {
      to: 'verified',
      verification: { environment: 'lab', steps: 'sent the request', result: 'reproduced', verifier: 'lab' },
    });
    const v = await platform.submissions.publish(CLI, s.trackingNo, { embargoUntil: until });
    return { trackingNo: s.trackingNo, id: v.vulnerabilityId ?? '' };
  }

  beforeAll(async () => {
    d = await freshDatabase(backend);
    smtp = await smtpPeer();
    mailer = createSmtpMailer(smtp.url, 'vulnshare <noreply@vs.example>');
    platform = createPlatform(d, completeConfig({ logLevel: 'silent' }), { clock: () => now, mailer });
    const { accounts, alliance, watchlists } = platform;
    // the member joins today (valid until 2027-06-01); the other organisation watches the same product
    await alliance.importMembers(CLI, 'Member Bank CCTGA-000501', { joinedOn: '2026-06-01' });
    org.member = (await alliance.member('CCTGA-000501')).organisationId;
    org.other = (await accounts.createOrganisation(CLI, { kind: 'member_unit', name: 'Other Bank' })).id;
    for (const k of ['member', 'other'] as const) {
      await accounts.addContact(CLI, org[k], { name: 'SOC', email: `soc@${k}.example`, portal: false });
      // a daily watchlist: the early warning does not wait for the digest
      await watchlists.create(CLI, {
        organisationId: org[k],
        name: `${k} routers`,
        delivery: k === 'member' ? 'daily' : 'immediate',
        items: [{ kind: 'product', vendor: 'Example', product: 'Router X1', range: '<3.0' }],
      });
    }
    const u = await accounts.createUser(CLI, {
      email: 'reporter@x.example',
      displayName: 'reporter',
      password: PW,
      role: 'reporter',
      organisationId: null,
    });
    reporter = {
      kind: 'user',
      userId: u.id,
      email: u.email,
      role: 'reporter',
      organisationId: null,
      via: 'session',
      scopes: null,
    };
  }, 120_000);
  afterAll(async () => {
    mailer.close();
    await platform.close();
    await smtp.close();
    await d.close();
  });

  it('warns the member of a matching report under embargo, once, stating the embargo; nobody else', async () => {
    const r = await embargoedReport('Example Router X1 command injection', '2026-07-01T00:00:00Z');
    expect(r.id).toMatch(/^VS-/);
    expect(await platform.watchlists.earlyWarnings()).toEqual({ warnings: 1 });
    expect(await platform.watchlists.earlyWarnings()).toEqual({ warnings: 0 }); // the next sweep: no repeat
    await drainOutbox(platform);
    const mails = mailsTo('member');
    expect(mails).toHaveLength(1);
    const text = readable(mails[0]?.raw ?? '');
    expect(text).toContain('Early warning, do not publish before 2026-07-01 00:00 UTC');
    expect(text).toContain(r.id);
    expect(mailsTo('other')).toEqual([]);
    const listed = await platform.watchlists.listEarlyWarnings(CLI);
    expect(listed).toMatchObject([
      { organisationId: org.member, vulnerabilityId: r.id, embargoUntil: '2026-07-01T00:00:00.000Z' },
    ]);
    // no ordinary alert exists for a record that is not published
    expect(await platform.watchlists.alerts(CLI)).toEqual([]);
  });

  it('alerts everyone else at publication, and the member that was warned not a second time', async () => {
    now = new Date('2026-07-01T00:05:00Z');
    expect(await platform.submissions.publishDue()).toBe(1);
    await drainOutbox(platform);
    const alerts = await platform.watchlists.alerts(CLI);
    expect(alerts.map((a) => [a.organisationId, a.reason])).toEqual([[org.other, 'published']]);
    expect(mailsTo('other')).toHaveLength(1);
    expect(readable(mailsTo('other')[0]?.raw ?? '')).not.toContain('Early warning');
    expect(mailsTo('member')).toHaveLength(1);
  });

  it('warns a suspended member of nothing, and again once it is active', async () => {
    await platform.alliance.update(CLI, 'CCTGA-000501', { status: 'suspended' });
    const r = await embargoedReport('Example Router X1 stack overflow', '2026-09-01T00:00:00Z');
    expect(await platform.watchlists.earlyWarnings()).toEqual({ warnings: 0 });
    await platform.alliance.update(CLI, 'CCTGA-000501', { status: 'active' });
    expect(await platform.watchlists.earlyWarnings()).toEqual({ warnings: 1 });
    await drainOutbox(platform);
    expect(mailsTo('member')).toHaveLength(2);
    expect(readable(mailsTo('member')[1]?.raw ?? '')).toContain(`do not publish before 2026-09-01 00:00 UTC`);
    expect(readable(mailsTo('member')[1]?.raw ?? '')).toContain(r.id);
  });

  it('warns an expired member of nothing once its valid-until has passed, and a renewed one again', async () => {
    now = new Date('2027-06-02T01:00:00Z'); // valid until 2027-06-01
    await embargoedReport('Example Router X1 path traversal', '2027-08-01T00:00:00Z');
    expect(await platform.alliance.expireDue()).toEqual({ expired: ['CCTGA-000501'] });
    expect(await platform.watchlists.earlyWarnings()).toEqual({ warnings: 0 });
    await platform.alliance.renew(CLI, 'CCTGA-000501', '2028-06-01');
    expect(await platform.watchlists.earlyWarnings()).toEqual({ warnings: 1 });
    expect(await platform.watchlists.earlyWarnings()).toEqual({ warnings: 0 });
    await drainOutbox(platform);
    expect(mailsTo('member')).toHaveLength(3);
    expect(readable(mailsTo('member')[2]?.raw ?? '')).toContain('do not publish before 2027-08-01 00:00 UTC');
  });
});
