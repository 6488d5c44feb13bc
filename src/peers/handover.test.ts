/**
 * Case hand-over on three real instances (the composition root and the real app on loopback HTTP): national on
 * PostgreSQL (PGlite when PostgreSQL is not among the test backends), sectors A and B on PGlite. A reaches
 * national through a relay that can be down. A hands a verified case to national; national coordinates it
 * through its own routes (verify, notify Siemens; Siemens acknowledges and fixes) and the board comes back to A.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Principal, type Role } from '../accounts/model.js';
import { testBackends } from '../test-support/db.js';
import type { CaseUpdateBody } from './handover-model.js';
import { casesWithNews, insertReceived } from './handover-store.js';
import { relay, start, stop, type Instance } from './test-instances.js';

/** The sectors run on PGlite, national on PostgreSQL when it is a test backend (as the walk asks). */
const SECTOR_BACKEND = 'pglite' as 'pglite' | 'postgres';
const walk = describe;
const PW = 'correct horse battery staple';
const CASE_POLICY = {
  receive: { kinds: ['record', 'case'], tlp: ['clear', 'amber'] },
  accept: { kinds: ['record', 'case'], tlp: ['clear', 'green', 'amber'] },
};
const POC = Buffer.from('PoC: a 4096-byte Modbus write to register 40001 overflows the stack\n');

interface Person {
  p: Principal;
  auth: { authorization: string };
}

async function person(
  i: Instance,
  name: string,
  role: Role,
  organisationId: number | null = null,
): Promise<Person> {
  const email = `${name}@${i.name}.example`;
  await i.platform.accounts.createUser(CLI, { email, displayName: name, password: PW, role, organisationId });
  const s = await i.platform.accounts.resolveSession(
    (await i.platform.accounts.login({ email, password: PW })).session,
  );
  if (!s) throw new Error(`no session for ${email}`);
  const t = await i.platform.accounts.createApiToken(s.principal, { name: 'test' });
  return { p: s.principal, auth: { authorization: `Bearer ${t.token}` } };
}

async function call(i: Instance, who: Person, method: string, path: string, body?: unknown) {
  const r = await fetch(`${i.base}${path}`, {
    method,
    headers: { ...who.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (an attachment)
  }
  return { status: r.status, json, text };
}

/** A verified general report of `reporter` at instance i, walked through i's analyst's routes. */
async function verifiedCase(i: Instance, reporter: Person, analyst: Person, title: string): Promise<string> {
  const s = await i.platform.submissions.submit(reporter.p, {
    kind: 'general',
    title,
    vendor: 'Siemens',
    product: 'Controller X',
    version: '1.0',
    description: 'A long Modbus write overflows a stack buffer in the controller’s register handler.',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    originality: 'original',
  });
  await walkToVerified(i, analyst, s.trackingNo);
  return s.trackingNo;
}

async function walkToVerified(i: Instance, analyst: Person, trackingNo: string): Promise<void> {
  for (const to of ['triaged', 'verifying'])
    expect(
      (await call(i, analyst, 'POST', `/api/v1/submissions/${trackingNo}/transitions`, { to })).status,
    ).toBe(200);
  const v = await call(i, analyst, 'POST', `/api/v1/submissions/${trackingNo}/transitions`, {
    to: 'verified',
    verification: {
      environment: 'lab PLC',
      steps: 'write 4096 bytes',
      result: 'reproduced',
      verifier: i.name,
    },
  });
  expect(v.status, v.text).toBe(200);
}

type View = {
  handedOver: null | {
    peer: string;
    version: number;
    delivery: string;
    deliveryError: string | null;
    coordination: null | {
      trackingNo: string;
      version: number;
      state: string;
      board: Array<{
        organisation: string;
        state: string;
        deadline: string;
        fixUrl: string | null;
        overdue: boolean;
      }>;
    };
  };
  received: null | {
    peer: string;
    reference: string;
    version: number;
    credit: string | null;
    reporterEmail: string | null;
  };
};

walk('case hand-over: sector A hands a case to national; disposal states flow back', () => {
  const nationalBackend = testBackends().includes('postgres') ? 'postgres' : 'pglite';
  let national: Instance;
  let a: Instance;
  let b: Instance;
  const toNational = relay(() => national.base);
  let aAnalyst: Person;
  let aReporter: Person;
  let nAnalyst: Person;
  let siemens: Person;
  let siemensOrg: number;
  let tracking: string;
  let nationalTracking: string;

  const viewOf = async (i: Instance, who: Person, tn: string): Promise<View> => {
    const r = await call(i, who, 'GET', `/api/v1/submissions/${tn}/hand-over`);
    expect(r.status, r.text).toBe(200);
    return r.json as unknown as View;
  };
  const stateOf = async (i: Instance, tn: string) =>
    (
      await sql<{
        state: string;
        origin: string;
      }>`SELECT state, origin FROM submissions WHERE tracking_no = ${tn}`.execute(i.d.db)
    ).rows[0];
  /** national sends back what changed, and the messages go now */
  const flushNational = async () => {
    await national.platform.handover.sendUpdates();
    await national.platform.peers.messages.idle(); // the immediate attempt after commit
    await national.platform.peers.messages.deliverNow('sector-a');
    await national.platform.peers.messages.idle();
  };

  beforeAll(async () => {
    [national, a, b] = await Promise.all([
      start('national', nationalBackend, 'CN'),
      start('sector-a', SECTOR_BACKEND, 'ICS'),
      start('sector-b', SECTOR_BACKEND, 'TEL'),
    ]);
    const viaNational = await toNational.listen();
    const id = {
      national: await national.platform.peers.identity(CLI),
      a: await a.platform.peers.identity(CLI),
      b: await b.platform.peers.identity(CLI),
    };
    await national.platform.peers.addPeer(CLI, {
      name: 'sector-a',
      url: a.base,
      key: id.a.publicKey,
      policy: CASE_POLICY,
    });
    // national takes records from B, not cases
    await national.platform.peers.addPeer(CLI, { name: 'sector-b', url: b.base, key: id.b.publicKey });
    await a.platform.peers.addPeer(CLI, {
      name: 'national',
      url: viaNational,
      key: id.national.publicKey,
      policy: CASE_POLICY,
    });
    // A sends B records only (the default policy)
    await a.platform.peers.addPeer(CLI, { name: 'sector-b', url: b.base, key: id.b.publicKey });
    await b.platform.peers.addPeer(CLI, {
      name: 'national',
      url: national.base,
      key: id.national.publicKey,
      policy: CASE_POLICY,
    });
    // national may have the coordinator ↔ reporter thread of A's cases, not A's internal notes
    await a.platform.handover.setCasePolicy(CLI, 'national', { messages: 'reporter' });

    const lab = await a.platform.accounts.createOrganisation(CLI, {
      kind: 'reporting_unit',
      name: 'ICS Lab',
    });
    aReporter = await person(a, 'reporter', 'reporter', lab.id);
    aAnalyst = await person(a, 'analyst', 'analyst');
    nAnalyst = await person(national, 'analyst', 'analyst');
    siemensOrg = (
      await national.platform.accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Siemens' })
    ).id;
    await national.platform.accounts.addContact(CLI, siemensOrg, { name: 'ProductCERT', portal: true });
    siemens = await person(national, 'psirt', 'recipient', siemensOrg);

    tracking = await verifiedCase(a, aReporter, aAnalyst, 'Siemens Controller X Modbus buffer overflow');
    await a.platform.submissions.attach(aReporter.p, tracking, {
      filename: 'poc.txt',
      contentType: 'text/plain',
      content: POC,
    });
    await a.platform.messages.post(aReporter.p, tracking, { body: 'Firmware 1.0.3 is affected as well.' });
    await a.platform.messages.post(aAnalyst.p, tracking, {
      body: 'internal: the lab PLC is on loan until Friday',
      audience: 'internal',
    });
  }, 180_000);

  afterAll(async () => {
    await toNational.close();
    await stop(national, a, b);
  });

  it('hands the case over: national has it with provenance, the attachment’s bytes and only the message the policy allows', async () => {
    const r = await call(a, aAnalyst, 'POST', `/api/v1/submissions/${tracking}/hand-over`, {
      peer: 'national',
    });
    expect(r.status, r.text).toBe(202);
    await a.platform.peers.messages.idle();
    await a.platform.peers.messages.deliverNow('national');
    const sent = await viewOf(a, aAnalyst, tracking);
    expect(sent.handedOver).toMatchObject({
      peer: 'national',
      version: 1,
      delivery: 'sent',
      deliveryError: null,
    });

    const found = await sql<{ tracking_no: string; origin: string; state: string; reporter: string }>`
      SELECT s.tracking_no, s.origin, s.state, u.email AS reporter FROM submissions s JOIN users u ON u.id = s.reporter_id
      WHERE s.title = 'Siemens Controller X Modbus buffer overflow'`.execute(national.d.db);
    expect(found.rows).toHaveLength(1);
    const n = found.rows[0];
    if (!n) throw new Error('not received');
    nationalTracking = n.tracking_no;
    expect(n).toMatchObject({
      origin: 'peer',
      state: 'submitted',
      reporter: 'peer+sector-a@peers.vulnshare.invalid',
    });
    expect(nationalTracking).not.toBe(tracking);

    const got = await viewOf(national, nAnalyst, nationalTracking);
    expect(got.received).toEqual(
      expect.objectContaining({
        peer: 'sector-a',
        reference: tracking,
        version: 1,
        credit: 'ICS Lab',
        reporterEmail: null,
      }),
    );
    const detail = await call(national, nAnalyst, 'GET', `/api/v1/submissions/${nationalTracking}`);
    const sub = (detail.json.submission ?? detail.json) as {
      timeline: Array<{ actor: string; to: string; note: string | null }>;
      attachments: Array<{ sha256: string; filename: string; size: number }>;
      cvss: { score: number } | null;
    };
    expect(sub.timeline[0]).toMatchObject({ actor: 'sector-a (peer)', to: 'submitted' });
    expect(sub.timeline[0]?.note).toContain(tracking);
    expect(sub.cvss?.score).toBe(9.8);
    const sha = createHash('sha256').update(POC).digest('hex');
    expect(sub.attachments).toEqual([
      expect.objectContaining({ sha256: sha, filename: 'poc.txt', size: POC.length }),
    ]);
    const file = await fetch(`${national.base}/api/v1/submissions/${nationalTracking}/attachments/${sha}`, {
      headers: nAnalyst.auth,
    });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(POC)).toBe(true);

    const msgs = await call(national, nAnalyst, 'GET', `/api/v1/submissions/${nationalTracking}/messages`);
    const items = (msgs.json.items ?? []) as Array<{ body: string; author: string; audience: string }>;
    expect(items.map((m) => m.body)).toEqual(['Firmware 1.0.3 is affected as well.']);
    expect(items[0]).toMatchObject({ author: 'sector-a · reporter (reporter)', audience: 'internal' });
    expect(msgs.text).not.toContain('on loan');
  });

  it('keeps A’s state, records the hand-over, and refuses to notify from A (coordination happens at national)', async () => {
    expect((await stateOf(a, tracking))?.state).toBe('verified');
    const audit = await sql<{ action: string; actor: string }>`SELECT action, actor FROM audit_log
      WHERE target_id = ${tracking} AND action = 'submission.handed_over'`.execute(a.d.db);
    expect(audit.rows).toEqual([{ action: 'submission.handed_over', actor: 'analyst@sector-a.example' }]);
    const lab = await a.platform.accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Siemens' });
    const r = await call(a, aAnalyst, 'POST', `/api/v1/submissions/${tracking}/notifications`, {
      recipients: [{ organisationId: lab.id, category: 'vendor' }],
    });
    expect(r.status, r.text).toBe(409);
    expect(r.json.error).toMatchObject({ code: 'case_handed_over' });
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM notifications`.execute(a.d.db);
    expect(rows.rows[0]?.n).toBe(0);
  });

  it('national coordinates it: A’s board shows national’s states and A’s case comes back fixed', async () => {
    await walkToVerified(national, nAnalyst, nationalTracking);
    await flushNational();
    let v = await viewOf(a, aAnalyst, tracking);
    expect(v.handedOver?.coordination).toMatchObject({
      trackingNo: nationalTracking,
      state: 'verified',
      board: [],
    });
    expect((await stateOf(a, tracking))?.state).toBe('verified');

    const notified = await call(
      national,
      nAnalyst,
      'POST',
      `/api/v1/submissions/${nationalTracking}/notifications`,
      {
        recipients: [{ organisationId: siemensOrg, category: 'vendor' }],
      },
    );
    expect(notified.status, notified.text).toBe(201);
    const nid = (notified.json.notifications as Array<{ id: number }>)[0]?.id;
    await flushNational();
    v = await viewOf(a, aAnalyst, tracking);
    expect(v.handedOver?.coordination?.state).toBe('notified');
    expect(v.handedOver?.coordination?.board).toEqual([
      expect.objectContaining({ organisation: 'Siemens', state: 'sent', overdue: false }),
    ]);
    expect((await stateOf(a, tracking))?.state).toBe('notified');

    const ack = await call(national, siemens, 'POST', `/api/v1/notifications/${nid}/actions`, {
      action: 'acknowledge',
    });
    expect(ack.status, ack.text).toBe(200);
    await flushNational();
    expect((await viewOf(a, aAnalyst, tracking)).handedOver?.coordination?.board[0]?.state).toBe(
      'acknowledged',
    );

    const fix = await call(national, siemens, 'POST', `/api/v1/notifications/${nid}/actions`, {
      action: 'fix',
      fixUrl: 'https://siemens.example/cert/ssa-2026-001',
    });
    expect(fix.status, fix.text).toBe(200);
    await flushNational();
    v = await viewOf(a, aAnalyst, tracking);
    // the same board on both: national's notifications as its analysts see them
    const theirs = await call(
      national,
      nAnalyst,
      'GET',
      `/api/v1/submissions/${nationalTracking}/notifications`,
    );
    const nBoard = (
      theirs.json.items as Array<{ organisation: string; state: string; deadline: string; fixUrl: string }>
    ).map((x) => ({
      organisation: x.organisation,
      state: x.state,
      deadline: new Date(x.deadline).toISOString(),
      fixUrl: x.fixUrl,
    }));
    expect(
      v.handedOver?.coordination?.board.map(({ organisation, state, deadline, fixUrl }) => ({
        organisation,
        state,
        deadline,
        fixUrl,
      })),
    ).toEqual(nBoard);
    expect(nBoard[0]).toMatchObject({ state: 'fixed', fixUrl: 'https://siemens.example/cert/ssa-2026-001' });
    expect(v.handedOver?.coordination?.state).toBe('fixed');
    expect((await stateOf(national, nationalTracking))?.state).toBe('fixed');
    // "a case handed over and fixed comes back fixed", through the system's transition, audited
    expect((await stateOf(a, tracking))?.state).toBe('fixed');
    const detail = await a.platform.submissions.get(aAnalyst.p, tracking);
    expect(detail.timeline.slice(-2).map((t) => [t.actor, t.from, t.to])).toEqual([
      ['national (peer)', 'verified', 'notified'],
      ['national (peer)', 'notified', 'fixed'],
    ]);
    // nothing left to send back
    expect(await national.platform.handover.sendUpdates()).toEqual({ sent: 0 });
  });

  it('a repeated and an out-of-order update end in the same state', async () => {
    const updates = (await national.platform.peers.messages.outbox({ peer: 'sector-a', limit: 100 }))
      .filter((m) => m.kind === 'case.update')
      .map((m) => m.body as CaseUpdateBody)
      .sort((x, y) => x.version - y.version);
    expect(updates.length).toBeGreaterThanOrEqual(4);
    const before = await viewOf(a, aAnalyst, tracking);
    const newest = updates.at(-1);
    const oldest = updates[0];
    if (!newest || !oldest) throw new Error('no updates');
    expect(before.handedOver?.coordination?.version).toBe(newest.version);
    // the oldest (state verified, empty board) arrives late, then the newest once more
    const ids = await national.d.db
      .transaction()
      .execute(async (tx) => [
        await national.platform.peers.messages.enqueue(tx, 'sector-a', 'case.update', oldest),
        await national.platform.peers.messages.enqueue(tx, 'sector-a', 'case.update', newest),
      ]);
    await national.platform.peers.messages.idle();
    await national.platform.peers.messages.deliverNow('sector-a');
    for (const mid of ids) {
      const m = await national.platform.peers.messages.message(mid);
      expect(m?.state).toBe('sent');
      expect(m?.result).toMatchObject({ applied: false, version: newest.version });
    }
    const after = await viewOf(a, aAnalyst, tracking);
    expect(after.handedOver?.coordination).toEqual(before.handedOver?.coordination);
    expect((await stateOf(a, tracking))?.state).toBe('fixed');
  });

  it('national down while A hands over: delivered when it is back; a re-send updates, never duplicates', async () => {
    const second = await verifiedCase(a, aReporter, aAnalyst, 'Siemens Controller X hard-coded credentials');
    toNational.mode.down = true;
    const r = await call(a, aAnalyst, 'POST', `/api/v1/submissions/${second}/hand-over`, {
      peer: 'national',
    });
    expect(r.status, r.text).toBe(202);
    await a.platform.peers.messages.idle();
    await a.platform.peers.messages.deliverNow('national');
    const waiting = await viewOf(a, aAnalyst, second);
    expect(waiting.handedOver?.delivery).toBe('pending');
    expect(waiting.handedOver?.deliveryError).toMatch(/no answer from "national"/);
    const none = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM received_cases WHERE reference = ${second}`.execute(national.d.db);
    expect(none.rows[0]?.n).toBe(0);

    // while it is down, the reporter adds a message and the coordinator sends the case again
    await a.platform.messages.post(aReporter.p, second, {
      body: 'The default password is printed on the box.',
    });
    expect(
      (await call(a, aAnalyst, 'POST', `/api/v1/submissions/${second}/hand-over`, { peer: 'national' }))
        .status,
    ).toBe(202);

    toNational.mode.down = false;
    await a.platform.peers.messages.idle();
    const d = await a.platform.peers.messages.deliverNow('national');
    expect(d.sent).toBe(2);
    const got = await sql<{ submission_id: number; handover_version: number }>`
      SELECT submission_id::int, handover_version::int FROM received_cases WHERE peer_name = 'sector-a' AND reference = ${second}`.execute(
      national.d.db,
    );
    expect(got.rows).toEqual([expect.objectContaining({ handover_version: 2 })]);
    const sid = got.rows[0]?.submission_id ?? -1;
    const copies = await sql<{ n: number }>`SELECT count(*)::int AS n FROM submissions
      WHERE title = 'Siemens Controller X hard-coded credentials'`.execute(national.d.db);
    expect(copies.rows[0]?.n).toBe(1);
    const msgs = await sql<{
      body: string;
    }>`SELECT body FROM case_messages WHERE submission_id = ${sid} ORDER BY id`.execute(national.d.db);
    expect(msgs.rows.map((m) => m.body)).toEqual(['The default password is printed on the box.']);
    expect((await viewOf(a, aAnalyst, second)).handedOver).toMatchObject({ version: 2, delivery: 'sent' });
  });

  it('a peer whose policy refuses cases gets nothing, and the sender gets a clear error', async () => {
    // a fixed case is not handed over; one handed over to national is not handed to B as well
    const done = await call(a, aAnalyst, 'POST', `/api/v1/submissions/${tracking}/hand-over`, {
      peer: 'sector-b',
    });
    expect(done.status, done.text).toBe(409);
    expect(done.json.error).toMatchObject({ code: 'handover_not_allowed' });
    const [other] = await a.platform.submissions.list(aAnalyst.p, { state: 'verified' });
    if (!other) throw new Error('no verified case at A');
    const r = await call(a, aAnalyst, 'POST', `/api/v1/submissions/${other.trackingNo}/hand-over`, {
      peer: 'sector-b',
    });
    expect(r.status, r.text).toBe(409);
    expect(r.json.error).toMatchObject({ code: 'case_handed_over' });
    // A's policy for B sends records only: refused at A, nothing queued
    const fresh = await verifiedCase(a, aReporter, aAnalyst, 'Siemens Controller X web UI XSS');
    const refused = await call(a, aAnalyst, 'POST', `/api/v1/submissions/${fresh}/hand-over`, {
      peer: 'sector-b',
    });
    expect(refused.status, refused.text).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'peer_policy_refused' });
    expect((await a.platform.peers.messages.outbox({ peer: 'sector-b' })).length).toBe(0);
    expect((await viewOf(a, aAnalyst, fresh)).handedOver).toBeNull();

    // B sends national a case, but national accepts records only from B: refused there, stored nowhere
    const bReporter = await person(b, 'reporter', 'reporter');
    const bAnalyst = await person(b, 'analyst', 'analyst');
    const bCase = await verifiedCase(b, bReporter, bAnalyst, 'Telecom gateway command injection');
    expect(
      (await call(b, bAnalyst, 'POST', `/api/v1/submissions/${bCase}/hand-over`, { peer: 'national' }))
        .status,
    ).toBe(202);
    await b.platform.peers.messages.idle();
    await b.platform.peers.messages.deliverNow('national');
    const v = await viewOf(b, bAnalyst, bCase);
    expect(v.handedOver?.delivery).toBe('failed');
    expect(v.handedOver?.deliveryError).toMatch(/^peer_policy_refused: /);
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM submissions
      WHERE title = 'Telecom gateway command injection'`.execute(national.d.db);
    expect(stored.rows[0]?.n).toBe(0);
  });
});

describe.each(testBackends())('the change counter of a received case on %s', (backend) => {
  it('counts a state change and a notification in their own transaction, not an unrelated update', async () => {
    const i = await start('national', backend, 'CN');
    try {
      const reporter = await person(i, 'reporter', 'reporter');
      const analyst = await person(i, 'analyst', 'analyst');
      const s = await i.platform.submissions.submit(reporter.p, {
        kind: 'general',
        title: 'Acme router overflow',
        vendor: 'Acme',
        product: 'R1',
        description: 'overflow',
        originality: 'original',
      });
      const id =
        (
          await sql<{
            id: number;
          }>`SELECT id::int FROM submissions WHERE tracking_no = ${s.trackingNo}`.execute(i.d.db)
        ).rows[0]?.id ?? -1;
      await insertReceived(i.d.db, {
        submissionId: id,
        peer: 'sector-a',
        reference: 'S-20261201-AAAA1111',
        version: 1,
        report: {} as never,
        at: new Date().toISOString(),
      });
      const counters = async () =>
        (
          await sql<{ c: number; s: number }>`SELECT change_version::int AS c, sent_version::int AS s
            FROM received_cases WHERE submission_id = ${id}`.execute(i.d.db)
        ).rows[0];
      expect(await counters()).toEqual({ c: 1, s: 0 });
      await i.platform.submissions.assign(
        analyst.p,
        s.trackingNo,
        analyst.p.kind === 'user' ? analyst.p.userId : null,
      );
      expect((await counters())?.c).toBe(1);
      await walkToVerified(i, analyst, s.trackingNo);
      expect((await counters())?.c).toBe(4);
      const acme = await i.platform.accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Acme' });
      await i.platform.coordination.notify(analyst.p, s.trackingNo, [
        { organisationId: acme.id, category: 'vendor' },
      ]);
      // the notification (inserted, then undeliverable: no contact) and the case's verified → notified
      expect((await counters())?.c).toBeGreaterThanOrEqual(6);
      // it has news for its sender until a case.update went back
      expect(await casesWithNews(i.d.db, 10)).toEqual([id]);
    } finally {
      await stop(i);
    }
  }, 120_000);
});
