/**
 * The disposal board on both backends with 650 notifications: keyset pages in board order that never repeat
 * or skip (the newest included), counts per organisation and per state from the server, and a recipient with
 * no contact channel shown as undeliverable instead of delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { CLI, type Principal } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createSubmissionService } from '../submissions/service.js';
import { CLOSED_STATES, isOverdue } from './rules.js';
import { createCoordinationService, type BoardItem } from './service.js';

const PW = 'correct horse battery staple';
const NOW = new Date('2026-03-01T02:00:00Z');
const N = 650;
const HOUR = 3_600_000;

describe.each(testBackends())('disposal board on %s', (backend) => {
  let d: Database;
  let analyst: Principal;
  let reporter: Principal;
  const orgIds: number[] = [];
  const rows: Array<{ id: number; organisationId: number; state: string; deadline: string }> = [];
  const clock = () => NOW;

  beforeAll(async () => {
    d = await freshDatabase(backend);
    const accounts = createAccountService({ db: d.db, clock });
    for (const name of ['Tenda', 'D-Link', 'TP-Link']) {
      const o = await accounts.createOrganisation(CLI, { kind: 'vendor', name });
      await accounts.addContact(CLI, o.id, { name: 'PSIRT', portal: true });
      orgIds.push(o.id);
    }
    for (const [name, role] of [
      ['analyst', 'analyst'],
      ['lin', 'reporter'],
    ] as const) {
      await accounts.createUser(CLI, { email: `${name}@b.example`, displayName: name, password: PW, role });
      const s = await accounts.resolveSession(
        (await accounts.login({ email: `${name}@b.example`, password: PW })).session,
      );
      if (!s) throw new Error('no session');
      if (name === 'analyst') analyst = s.principal;
      else reporter = s.principal;
    }
    const userId = (reporter as Extract<Principal, { kind: 'user' }>).userId;
    // factory rows: 650 cases, each notified to one vendor; deadlines spread around NOW, every tenth fixed
    const subs = await d.db
      .insertInto('submissions')
      .values(
        Array.from({ length: N }, (_, i) => ({
          tracking_no: `S-20260101-B${String(i).padStart(7, '0')}`,
          reporter_id: userId,
          reporter_org_id: null,
          kind: 'general',
          title: `Case ${i}`,
          description: `Case ${i}`,
          originality: 'original',
          state: 'notified',
        })),
      )
      .returning('id')
      .execute();
    const values = subs.map((s, i) => ({
      submission_id: s.id,
      organisation_id: orgIds[i % 3] ?? 0,
      category: 'vendor',
      state:
        i % 10 === 0 ? ('fixed' as const) : i % 7 === 0 ? ('acknowledged' as const) : ('delivered' as const),
      // every deadline is shared by two (ties go by id); about a third are past
      deadline: new Date(NOW.getTime() + (((i * 37) % (N / 2)) - 100) * HOUR).toISOString(),
      link_hash: `hash-${i}`,
      link_expires_at: new Date(NOW.getTime() + 90 * 24 * HOUR).toISOString(),
      created_at: new Date(NOW.getTime() - (N - i) * HOUR).toISOString(),
    }));
    const inserted = await d.db
      .insertInto('notifications')
      .values(values)
      .returning(['id', 'organisation_id', 'state', 'deadline'])
      .execute();
    for (const r of inserted)
      rows.push({
        id: Number(r.id),
        organisationId: Number(r.organisation_id),
        state: r.state,
        deadline: new Date(r.deadline).toISOString(),
      });
  }, 120_000);
  afterAll(async () => {
    await d.close();
  });

  const boardOrder = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    Number(isOverdue(b.state, b.deadline, NOW)) - Number(isOverdue(a.state, a.deadline, NOW)) ||
    Date.parse(a.deadline) - Date.parse(b.deadline) ||
    a.id - b.id;

  async function allPages(
    c: ReturnType<typeof createCoordinationService>,
    filter: { organisationId?: number; limit?: number },
  ): Promise<{ items: BoardItem[]; pages: number }> {
    const items: BoardItem[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await c.board(analyst, { ...filter, ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      pages++;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      if (pages > 100) throw new Error('no end');
    }
    return { items, pages };
  }

  it('pages through 650 notifications overdue first, by deadline then id, never repeating or skipping the newest', async () => {
    const c = createCoordinationService({ db: d.db, publicUrl: 'https://vs.example', clock });
    const { items, pages } = await allPages(c, { limit: 100 });
    expect(pages).toBe(7);
    expect(items.map((i) => i.id)).toEqual([...rows].sort(boardOrder).map((r) => r.id));
    const newest = Math.max(...rows.map((r) => r.id));
    expect(items.filter((i) => i.id === newest)).toHaveLength(1);
    const firstPage = await c.board(analyst);
    expect(firstPage.items).toHaveLength(100);
    expect(firstPage.items.every((i) => i.overdue)).toBe(true);
    // one organisation's pages hold exactly its notifications
    const one = await allPages(c, { organisationId: orgIds[1] ?? 0, limit: 50 });
    expect(one.items.map((i) => i.id)).toEqual(
      rows
        .filter((r) => r.organisationId === orgIds[1])
        .sort(boardOrder)
        .map((r) => r.id),
    );
    await expect(c.board(analyst, { cursor: 'bm9wZQ' })).rejects.toMatchObject({
      code: 'invalid_parameter',
      details: { parameter: 'cursor' },
    });
  });

  it('counts per organisation and per state over every notification, not one page', async () => {
    const c = createCoordinationService({ db: d.db, publicUrl: 'https://vs.example', clock });
    const { summary } = await c.board(analyst, { limit: 10 });
    expect(summary.total).toBe(N);
    expect(summary.overdue).toBe(rows.filter((r) => isOverdue(r.state, r.deadline, NOW)).length);
    const expected = orgIds.map((id) => {
      const mine = rows.filter((r) => r.organisationId === id);
      return {
        organisationId: id,
        total: mine.length,
        open: mine.filter((r) => !(CLOSED_STATES as readonly string[]).includes(r.state)).length,
        overdue: mine.filter((r) => isOverdue(r.state, r.deadline, NOW)).length,
      };
    });
    expect(
      [...summary.byOrganisation]
        .map(({ organisationId, total, open, overdue }) => ({ organisationId, total, open, overdue }))
        .sort((a, b) => a.organisationId - b.organisationId),
    ).toEqual(expected);
    expect(summary.byState).toMatchObject({
      fixed: rows.filter((r) => r.state === 'fixed').length,
      acknowledged: rows.filter((r) => r.state === 'acknowledged').length,
      delivered: rows.filter((r) => r.state === 'delivered').length,
      sent: 0,
    });
    const filtered = await c.board(analyst, { organisationId: orgIds[2] ?? 0, limit: 1 });
    expect(filtered.summary.total).toBe(expected[2]?.total);
    expect(filtered.summary.byOrganisation).toHaveLength(1);
  });

  it('shows a recipient without any contact as undeliverable: nothing sent, nothing claimed delivered', async () => {
    const accounts = createAccountService({ db: d.db, clock });
    const bare = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Nocontact Ltd' });
    const withContact = orgIds[0] ?? 0;
    // no contact either, but a member who reads the organisation's inbox when signed in: that is a channel
    const reader = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Inboxonly Ltd' });
    await accounts.createUser(CLI, {
      email: 'psirt@inboxonly.example',
      displayName: 'Inboxonly PSIRT',
      password: 'Tea kettle orbit 7 lantern',
      role: 'recipient',
      organisationId: reader.id,
    });
    const submissions = createSubmissionService({ db: d.db, clock });
    const s = await submissions.submit(reporter, {
      kind: 'general',
      title: 'Nocontact NC-1 路由器 formLogin 函数缓冲区溢出漏洞',
      vendor: 'Nocontact',
      product: 'NC-1',
      version: '1.0',
      description: 'Nocontact NC-1 的 formLogin 函数存在缓冲区溢出漏洞，攻击者可利用该漏洞导致拒绝服务。',
      originality: 'original',
    });
    for (const to of ['triaged', 'verifying'] as const)
      await submissions.transition(analyst, s.trackingNo, { to });
    await submissions.transition(analyst, s.trackingNo, {
      to: 'verified',
      verification: { environment: 'lab', steps: 'POST /login', result: 'reproduced', verifier: 'vulnshare' },
    });
    const c = createCoordinationService({ db: d.db, publicUrl: 'https://vs.example', clock });
    const r = await c.notify(analyst, s.trackingNo, [
      { organisationId: bare.id, category: 'vendor' },
      { organisationId: withContact, category: 'vendor' },
      { organisationId: reader.id, category: 'vendor' },
    ]);
    expect(r.notifications.find((n) => n.organisationId === reader.id)?.state).toBe('sent');
    const bareN = r.notifications.find((n) => n.organisationId === bare.id);
    expect(bareN).toMatchObject({ state: 'undeliverable' });
    expect(bareN?.events.map((e) => [e.from, e.to])).toEqual([
      [null, 'sent'],
      ['sent', 'undeliverable'],
    ]);
    expect(r.notifications.find((n) => n.organisationId === withContact)?.state).toBe('sent');
    const queued = await d.db
      .selectFrom('outbox')
      .select('notification_id')
      .where('notification_id', '=', bareN?.id ?? 0)
      .execute();
    expect(queued).toEqual([]);
    const board = await c.board(analyst, { organisationId: bare.id });
    expect(board.items.map((i) => i.state)).toEqual(['undeliverable']);
    expect(board.summary.byState.undeliverable).toBe(1);
  });
});
