/**
 * Who may receive embargoed material (issue 11, item 3), on both backends: only organisations of a receiving
 * kind whose standing an analyst verified; notification views, the inbox and actions check the member's role,
 * membership and the organisation's standing, not only an organisation id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { migrate, loadMigrations } from '../db/migrate.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { CLI, type Principal } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createSubmissionService } from '../submissions/service.js';
import { createOutboxWorker } from './outbox.js';
import { createCoordinationService } from './service.js';

const PW = 'correct horse battery staple';

describe.each(testBackends())('recipients’ standing on %s', (backend) => {
  let d: Database;
  let accounts: ReturnType<typeof createAccountService>;
  let coordination: ReturnType<typeof createCoordinationService>;
  let submissions: ReturnType<typeof createSubmissionService>;
  const p: Record<string, Principal> = {};
  const who = (n: string) => p[n] as Principal;
  let seq = 0;

  const principal = async (email: string): Promise<Principal> => {
    const s = await accounts.resolveSession((await accounts.login({ email, password: PW })).session);
    if (!s) throw new Error('session');
    return s.principal;
  };
  const user = async (name: string, role: 'analyst' | 'reporter' | 'recipient', org: number | null) => {
    await accounts.createUser(CLI, {
      email: `${name}@x.example`,
      displayName: name,
      password: PW,
      role,
      organisationId: org,
    });
    p[name] = await principal(`${name}@x.example`);
  };
  /** A verified general case, ready to notify. */
  const verifiedCase = async (over: Record<string, string> = {}) => {
    seq++;
    const s = await submissions.submit(who('alice'), {
      kind: 'general',
      title: `Tenda AC18 formSetSpeedWan${seq} 缓冲区溢出漏洞`,
      vendor: 'Tenda',
      product: 'AC18',
      description: `formSetSpeedWan${seq} 存在缓冲区溢出`,
      originality: 'original',
      ...over,
    });
    for (const to of ['triaged', 'verifying'] as const)
      await submissions.transition(who('analyst'), s.trackingNo, { to });
    return submissions.transition(who('analyst'), s.trackingNo, {
      to: 'verified',
      verification: { environment: 'lab', steps: 'x', result: 'reproduced', verifier: 'CNVD' },
    });
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    accounts = createAccountService({ db: d.db });
    coordination = createCoordinationService({ db: d.db, publicUrl: 'https://vs.example' });
    submissions = createSubmissionService({ db: d.db, disposal: { publicUrl: 'https://vs.example' } });
    await user('analyst', 'analyst', null);
    await user('alice', 'reporter', null);
    await accounts.register({
      email: 'squat@evil.example',
      displayName: 'Squatter',
      password: PW,
      organisation: { kind: 'reporting_unit', name: 'Tenda Technology' },
    });
    p.squatter = await principal('squat@evil.example');
  });
  afterAll(async () => {
    await d.close();
  });

  it('verifies the organisations an analyst creates and leaves self-registered ones unverified', async () => {
    const squatOrg = await accounts.getOrganisation(
      CLI,
      (p.squatter as { organisationId: number }).organisationId,
    );
    expect(squatOrg).toMatchObject({ kind: 'reporting_unit', verified: false, verifiedAt: null });
    const vendor = await accounts.createOrganisation(who('analyst'), {
      kind: 'vendor',
      name: 'Tenda Technology',
    });
    expect(vendor).toMatchObject({ kind: 'vendor', verified: true });
    expect(vendor.id).not.toBe(squatOrg.id);
    // the same name and kind twice is still refused (organisation_exists); so is a name a verified organisation holds
    await expect(
      accounts.createOrganisation(who('analyst'), { kind: 'vendor', name: 'tenda technology' }),
    ).rejects.toMatchObject({ code: 'organisation_exists' });
    await expect(
      accounts.createOrganisation(who('analyst'), { kind: 'member_unit', name: 'Tenda Technology' }),
    ).rejects.toMatchObject({ code: 'organisation_exists' });
    // the squatter's unit cannot be verified under a name a verified organisation holds
    await expect(accounts.setOrganisationVerified(who('analyst'), squatOrg.id, true)).rejects.toMatchObject({
      code: 'organisation_exists',
    });
    await expect(accounts.setOrganisationVerified(who('alice'), vendor.id, false)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('refuses to notify an organisation of a kind that does not receive, naming it', async () => {
    const c = await verifiedCase();
    const squatOrg = (p.squatter as { organisationId: number }).organisationId;
    await expect(
      coordination.notify(who('analyst'), c.trackingNo, [{ organisationId: squatOrg, category: 'vendor' }]),
    ).rejects.toThrow(/"Tenda Technology" is a reporting unit, which does not receive/);
    const n = await d.db
      .selectFrom('notifications')
      .select('id')
      .where('organisation_id', '=', squatOrg)
      .execute();
    expect(n).toEqual([]);
  });

  it('refuses to notify an organisation whose standing is withdrawn until an analyst verifies it again', async () => {
    const c = await verifiedCase();
    const org = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Shenzhen Tenda' });
    await accounts.setOrganisationVerified(who('analyst'), org.id, false);
    expect((await accounts.getOrganisation(CLI, org.id)).verified).toBe(false);
    await expect(
      coordination.notify(who('analyst'), c.trackingNo, [{ organisationId: org.id, category: 'vendor' }]),
    ).rejects.toThrow(/"Shenzhen Tenda" is not verified/);
    const again = await accounts.setOrganisationVerified(who('analyst'), org.id, true);
    expect(again).toMatchObject({ verified: true });
    const r = await coordination.notify(who('analyst'), c.trackingNo, [
      { organisationId: org.id, category: 'vendor' },
    ]);
    expect(r.notifications).toHaveLength(1);
  });

  it('keeps a notification made to a reporting unit before this check out of its members’ reach', async () => {
    // a notification the old code wrote to the squatter's unit (org 45 in the review), delivered to its inbox
    const c = await verifiedCase();
    const squatOrg = (p.squatter as { organisationId: number }).organisationId;
    const s = await d.db
      .selectFrom('submissions')
      .select('id')
      .where('tracking_no', '=', c.trackingNo)
      .executeTakeFirstOrThrow();
    const n = await d.db
      .insertInto('notifications')
      .values({
        submission_id: s.id,
        organisation_id: squatOrg,
        category: 'vendor',
        state: 'delivered',
        deadline: '2027-01-01T00:00:00Z',
        link_hash: 'legacy',
        link_expires_at: '2027-01-01T00:00:00Z',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await d.db
      .insertInto('inbox_messages')
      .values({
        delivery_id: '00000000-0000-4000-8000-000000000045',
        organisation_id: squatOrg,
        notification_id: n.id,
        subject: 'embargoed',
        body: JSON.stringify({ text: 'embargoed text' }),
      })
      .execute();
    const squatter = who('squatter');
    await expect(coordination.inbox(squatter)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(coordination.view(squatter, n.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(coordination.list(squatter, c.trackingNo)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(coordination.board(squatter)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      coordination.act(squatter, n.id, 'fix', { fixUrl: 'https://evil.example/' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    // even a recipient account in that unit (made by mistake) is kept out: the unit does not receive
    await user('squatrecipient', 'recipient', squatOrg);
    await expect(coordination.inbox(who('squatrecipient'))).rejects.toMatchObject({
      code: 'not_receiving_organisation',
    });
    await expect(coordination.view(who('squatrecipient'), n.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      coordination.act(who('squatrecipient'), n.id, 'fix', { fixUrl: 'https://evil.example/' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    const state = await d.db
      .selectFrom('notifications')
      .select('state')
      .where('id', '=', n.id)
      .executeTakeFirstOrThrow();
    expect(state.state).toBe('delivered');
  });

  it('shuts a verified recipient out of its inbox, notifications and link once its standing is withdrawn', async () => {
    const c = await verifiedCase();
    const org = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'Tenda Withdrawn' });
    await accounts.addContact(CLI, org.id, { name: 'PSIRT', portal: true });
    await user('withdrawn', 'recipient', org.id);
    const r = await coordination.notify(who('analyst'), c.trackingNo, [
      { organisationId: org.id, category: 'vendor' },
    ]);
    const id = r.notifications[0]?.id ?? 0;
    const token = (r.links[id] ?? '').replace(/^.*\/respond\//, '');
    await createOutboxWorker({ db: d.db, mailer: null }).runOnce();
    expect(await coordination.inbox(who('withdrawn'))).toHaveLength(1);
    expect((await coordination.view(who('withdrawn'), id)).report.title).toContain('Tenda AC18');
    expect((await coordination.viewByLink(token)).notification?.id).toBe(id);
    await accounts.setOrganisationVerified(who('analyst'), org.id, false);
    await expect(coordination.inbox(who('withdrawn'))).rejects.toMatchObject({
      code: 'unverified_organisation',
    });
    await expect(coordination.view(who('withdrawn'), id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(coordination.list(who('withdrawn'), c.trackingNo)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(coordination.board(who('withdrawn'))).rejects.toMatchObject({
      code: 'unverified_organisation',
    });
    await expect(coordination.act(who('withdrawn'), id, 'acknowledge', {})).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(coordination.viewByLink(token)).rejects.toMatchObject({ code: 'not_found' });
    await expect(coordination.actByLink(token, 'acknowledge', {})).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('does not notify a self-registered unit that an event report names as the affected organisation', async () => {
    await accounts.register({
      email: 'bank-squat@evil.example',
      displayName: 'Bank squatter',
      password: PW,
      organisation: { kind: 'reporting_unit', name: '某某城市商业银行' },
    });
    const c = await verifiedCase({
      kind: 'event',
      affectedOrganisation: '某某城市商业银行',
      affectedSystem: 'https://ebank.example',
      title: '某某城市商业银行网银系统存在弱口令',
      description: '弱口令',
    });
    expect(c.state).toBe('verified');
    const n = await d.db
      .selectFrom('notifications as n')
      .innerJoin('submissions as s', 's.id', 'n.submission_id')
      .select('n.id')
      .where('s.tracking_no', '=', c.trackingNo)
      .execute();
    expect(n).toEqual([]);
  });
});

describe.each(testBackends())('the standing migration on %s', (backend) => {
  it('marks analyst-made and receiving organisations verified and self-registered ones not', async () => {
    const d = await freshDatabase(backend);
    try {
      // freshDatabase migrated everything; rebuild the accounts tables as they were before the standing
      const all = await loadMigrations();
      const standing = all.find((m) => /standing/.test(m.name));
      expect(standing).toBeDefined();
      await d.exec(`ALTER TABLE organisations DROP COLUMN verified_at CASCADE;
        ALTER TABLE organisations DROP COLUMN verified_by CASCADE;
        ALTER TABLE notification_events DROP COLUMN actor_side;
        DROP INDEX IF EXISTS organisations_kind_name_idx;
        DROP INDEX IF EXISTS organisations_verified_name_idx;
        CREATE UNIQUE INDEX organisations_name_idx ON organisations (lower(name));
        DELETE FROM schema_migrations WHERE version = ${standing?.version ?? 0};`);
      await d.exec(`
        INSERT INTO users (email, display_name, password_hash, role) VALUES ('an@x.example', 'An', 'x', 'analyst');
        INSERT INTO organisations (kind, name) VALUES
          ('vendor', 'Vendor by CLI'), ('reporting_unit', 'Unit by analyst'),
          ('reporting_unit', 'Unit self-registered'), ('individual', 'Lin <lin@x.example>'),
          ('member_unit', 'Bank without audit');
        INSERT INTO audit_log (actor_id, actor, action, target_kind, target_id)
          SELECT NULL, 'cli', 'organisation.created', 'organisation', id::text FROM organisations WHERE name = 'Vendor by CLI';
        INSERT INTO audit_log (actor_id, actor, action, target_kind, target_id)
          SELECT u.id, u.email, 'organisation.created', 'organisation', o.id::text
          FROM organisations o, users u WHERE o.name = 'Unit by analyst';
        INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, expires_at)
          SELECT id, 'all', 'h1', 'vs_', ARRAY['organisations:manage','organisations:read','bulletins:draft','bulletins:edit','bulletins:publish','tokens:own','submissions:create','submissions:triage','submissions:read_all','disposal:notify','submissions:publish','disposal:read','feeds:read','incidents:write','incidents:read_all','watchlists:own','watchlists:manage_all'], now() + interval '1 day' FROM users;
        INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, expires_at)
          SELECT id, 'narrow', 'h2', 'vs_', ARRAY['tokens:own'], now() + interval '1 day' FROM users;`);
      expect(await migrate(d, all)).toEqual([standing?.name]);
      const rows = await d.db
        .selectFrom('organisations as o')
        .leftJoin('users as u', 'u.id', 'o.verified_by')
        .select(['o.name', 'o.verified_at', 'u.email'])
        .orderBy('o.id')
        .execute();
      expect(rows.map((r) => [r.name, r.verified_at !== null, r.email])).toEqual([
        ['Vendor by CLI', true, null],
        ['Unit by analyst', true, 'an@x.example'],
        ['Unit self-registered', false, null],
        ['Lin <lin@x.example>', false, null],
        ['Bank without audit', true, null],
      ]);
      const tokens = await d.db.selectFrom('api_tokens').select(['name', 'scopes']).orderBy('id').execute();
      expect(tokens[0]?.scopes).toEqual(expect.arrayContaining(['submissions:read_own', 'messages:write']));
      expect(tokens[1]?.scopes).toEqual(['tokens:own']);
    } finally {
      await d.close();
    }
  });
});
