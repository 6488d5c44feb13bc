/**
 * The incident service on both backends: recording the four seed incidents, search, edits and status changes,
 * TLP visibility for every kind of viewer, STIX round trips, bulletin and annual figures, and disposal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { ANONYMOUS, CLI, type Principal } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createCoordinationService } from '../coordination/service.js';
import { createSubmissionService } from '../submissions/service.js';
import { createReporterStats } from '../submissions/stats.js';
import { createBulletinService, defaultSettings } from '../reports/service.js';
import type { AppError } from '../errors.js';
import {
  cameraIncident,
  codeSigningIncident,
  exchangeIncident,
  supplyChainIncident,
} from '../test-support/incidents.js';
import type { Tlp } from './tables.js';
import { createIncidentService, type IncidentService, type StoredIncident } from './service.js';
import { stixBundleValidator } from './stix-validate.js';
import { people, type People } from '../test-support/incident-people.js';

const settable = (iso: string) => {
  let now = new Date(iso);
  return { clock: () => now, set: (s: string) => void (now = new Date(s)) };
};

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected a refusal');
}

const withoutStoreFields = ({ id, createdAt, updatedAt, ...rest }: StoredIncident) => {
  void id;
  void createdAt;
  void updatedAt;
  return rest;
};

describe.each(testBackends())('incidents on %s', (backend) => {
  let d: Database;
  let svc: IncidentService;
  let who: People['principals'];
  let orgs: People['orgs'];
  const time = settable('2026-01-10T02:00:00Z');
  const seeds: Record<'supply' | 'exchange' | 'camera' | 'signing', StoredIncident> = {} as never;

  beforeAll(async () => {
    d = await freshDatabase(backend);
    ({ principals: who, orgs } = await people(d.db));
    svc = createIncidentService({
      db: d.db,
      clock: time.clock,
      coordination: createCoordinationService({
        db: d.db,
        publicUrl: 'http://vs.example',
        clock: time.clock,
      }),
    });
    seeds.supply = await svc.create(who.analyst, supplyChainIncident());
    seeds.exchange = await svc.create(who.analyst, exchangeIncident());
    seeds.camera = await svc.create(who.analyst, cameraIncident());
    seeds.signing = await svc.create(who.admin, codeSigningIncident());
  }, 60_000);
  afterAll(async () => {
    await d.close();
  });

  describe('recording', () => {
    it('assigns gap-free INC ids of the registration year, ignoring an id in the input', () => {
      expect(Object.values(seeds).map((s) => s.id)).toEqual([
        'INC-2026-0001',
        'INC-2026-0002',
        'INC-2026-0003',
        'INC-2026-0004',
      ]);
    });

    it('stores the validated record: indicators refanged and normalised, timestamps from the clock', async () => {
      const s = await svc.get(who.analyst, seeds.supply.id);
      expect(s.indicators.map((i) => i.value)).toEqual([
        '203.0.113.45',
        'update-cdn.example',
        'a3f1c9e2b7d84f6a0c1e5b9d2f7a8c3e4b6d1f0a9c8e7b2d5f4a3c1e0b9d8f7a',
        '0cc175b9c0f1b6a831c399e269772661',
      ]);
      expect(s).toMatchObject({
        id: 'INC-2026-0001',
        status: 'closed',
        tlp: 'amber',
        createdAt: '2026-01-10T02:00:00.000Z',
        updatedAt: '2026-01-10T02:00:00.000Z',
        caseTrackingNo: null,
      });
      expect(s.history).toEqual([
        {
          at: '2026-01-10T02:00:00.000Z',
          actor: 'analyst@incidents.example',
          kind: 'created',
          fromStatus: null,
          toStatus: 'closed',
          fields: [],
          change: 'created (closed)',
          note: null,
        },
      ]);
    });

    it('refuses an invalid incident listing every problem with its field', async () => {
      const e = await refusal(
        svc.create(who.analyst, supplyChainIncident({ tlp: 'white', vector: undefined, victims: [{}] })),
      );
      expect(e.code).toBe('invalid_input');
      const fields = (e.details?.problems as Array<{ field: string }>).map((p) => p.field);
      expect(fields).toEqual(
        expect.arrayContaining(['tlp', 'vector', 'victims[0].name', 'victims[0].sector']),
      );
    });

    it('lets only analysts and admins record incidents', async () => {
      expect((await refusal(svc.create(ANONYMOUS, supplyChainIncident()))).code).toBe('unauthorized');
      expect((await refusal(svc.create(who.reporter, supplyChainIncident()))).code).toBe('forbidden');
      expect((await refusal(svc.create(who.victim, supplyChainIncident()))).code).toBe('forbidden');
    });
  });

  describe('list and search', () => {
    const ids = async (q: Parameters<IncidentService['list']>[1], p: Principal = who.analyst) =>
      (await svc.list(p, { to: '2025-12-31', ...q })).items.map((i) => i.id);

    it('lists newest discovery first, ties by id, with the summary fields', async () => {
      const r = await svc.list(who.analyst, { to: '2025-12-31' });
      expect(r.items.map((i) => i.id)).toEqual([
        seeds.exchange.id,
        seeds.supply.id,
        seeds.camera.id,
        seeds.signing.id,
      ]);
      expect(r.items[0]).toEqual({
        id: seeds.exchange.id,
        title: 'Exchange flaw used to backdoor a mail server and pivot to 30+ devices',
        status: 'contained',
        tlp: 'green',
        vector: 'vulnerability-exploit',
        sectors: ['energy', 'internet'],
        victims: ['Smart-energy and digital-information group', 'Group subsidiary'],
        discoveredAt: '2024-12-18T10:00:00+08:00',
        updatedAt: '2026-01-10T02:00:00.000Z',
      });
      expect(r.nextCursor).toBeNull();
    });

    it('pages with a cursor, never repeating or skipping', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const r = await svc.list(who.analyst, { to: '2025-12-31', limit: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...r.items.map((i) => i.id));
        if (!r.nextCursor) break;
        cursor = r.nextCursor;
      }
      expect(seen).toEqual([seeds.exchange.id, seeds.supply.id, seeds.camera.id, seeds.signing.id]);
      expect((await refusal(svc.list(who.analyst, { cursor: 'bm9wZQ' }))).code).toBe('invalid_parameter');
    });

    it('finds by a Chinese word, an indicator (also pasted defanged), a CVE id and a technique id', async () => {
      expect(await ids({ q: '弱口令' })).toEqual([seeds.camera.id]);
      expect(await ids({ q: '摄像机 化工' })).toEqual([seeds.camera.id]);
      expect(await ids({ q: '203.0.113.45' })).toEqual([seeds.supply.id]);
      expect(await ids({ q: '203.0.113[.]45' })).toEqual([seeds.supply.id]);
      expect(await ids({ q: 'cve-2021-26855' })).toEqual([seeds.exchange.id]);
      expect(await ids({ q: 'T1553.002' })).toEqual([seeds.signing.id]);
      expect(await ids({ q: 'exchange nothing-like-this' })).toEqual([]);
    });

    it('filters by status, sector, vector, TLP and discovery dates', async () => {
      expect(await ids({ status: 'contained' })).toEqual([seeds.exchange.id, seeds.camera.id]);
      expect(await ids({ sector: 'manufacturing' })).toEqual([seeds.supply.id, seeds.signing.id]);
      expect(await ids({ vector: 'weak-credential' })).toEqual([seeds.camera.id]);
      expect(await ids({ tlp: 'red' })).toEqual([seeds.signing.id]);
      expect(await ids({ from: '2024-01-01', to: '2024-11-30' })).toEqual([seeds.camera.id]);
      for (const bad of [{ status: 'done' }, { sector: 'mining' }, { from: '2024-13-01' }, { limit: 0 }])
        expect((await refusal(svc.list(who.analyst, bad))).code).toBe('invalid_parameter');
    });
  });

  describe('edits and status changes', () => {
    it('replaces the editable fields, keeps the status when none is given, and names the changed fields', async () => {
      const i = await svc.create(
        who.analyst,
        cameraIncident({ discoveredAt: '2022-03-01', status: 'analysing' }),
      );
      time.set('2026-01-11T00:00:00Z');
      const { status, ...noStatus } = cameraIncident({
        discoveredAt: '2022-03-01',
        title: 'IP cameras of a chemical plant viewed from abroad (弱口令)',
        tlp: 'amber',
      });
      void status;
      const e = await svc.update(who.analyst, i.id, noStatus);
      expect(e).toMatchObject({ id: i.id, status: 'analysing', tlp: 'amber', createdAt: i.createdAt });
      expect(e.updatedAt).toBe('2026-01-11T00:00:00.000Z');
      const v = await svc.get(who.analyst, i.id);
      expect(v.history.map((h) => h.change)).toEqual(['created (analysing)', 'edited: title, tlp']);
      expect(
        (await svc.list(who.analyst, { q: 'viewed from abroad (弱口令)' })).items.map((x) => x.id),
      ).toEqual([i.id]);
      // unchanged input: nothing recorded
      await svc.update(who.analyst, i.id, { ...noStatus, status: 'analysing' });
      expect((await svc.get(who.analyst, i.id)).history).toHaveLength(2);
      // a status the table allows moves with the edit; one it does not is refused
      expect((await svc.update(who.analyst, i.id, { ...noStatus, status: 'contained' })).status).toBe(
        'contained',
      );
      const refused = await refusal(svc.update(who.analyst, i.id, { ...noStatus, status: 'open' }));
      expect(refused.code).toBe('invalid_transition');
      expect(refused.details).toMatchObject({
        from: 'contained',
        to: 'open',
        allowed: ['closed', 'analysing'],
      });
      expect((await svc.get(who.analyst, i.id)).history.map((h) => h.change)).toEqual([
        'created (analysing)',
        'edited: title, tlp',
        'status: analysing → contained',
      ]);
      time.set('2026-01-10T02:00:00Z');
    });

    it('moves through the transition table and refuses the moves it does not list', async () => {
      const i = await svc.create(
        who.analyst,
        exchangeIncident({ discoveredAt: '2022-04-01', status: undefined }),
      );
      expect(i.status).toBe('open');
      const refused = await refusal(svc.transition(who.analyst, i.id, 'contained'));
      expect(refused.code).toBe('invalid_transition');
      expect(refused.details).toMatchObject({ allowed: ['analysing', 'closed'] });
      for (const to of ['analysing', 'contained', 'closed', 'analysing'])
        expect((await svc.transition(who.analyst, i.id, to, `to ${to}`)).status).toBe(to);
      expect((await refusal(svc.transition(who.analyst, i.id, 'analysing'))).code).toBe('invalid_transition');
      expect((await refusal(svc.transition(who.analyst, i.id, 'resolved'))).code).toBe('invalid_parameter');
      expect((await refusal(svc.transition(who.victim, i.id, 'closed'))).code).toBe('forbidden');
      expect((await refusal(svc.transition(who.analyst, 'INC-2026-9999', 'closed'))).code).toBe('not_found');
      const h = (await svc.get(who.analyst, i.id)).history;
      expect(h.map((x) => x.change)).toEqual([
        'created (open)',
        'status: open → analysing',
        'status: analysing → contained',
        'status: contained → closed',
        'status: closed → analysing',
      ]);
      expect(h[4]?.note).toBe('to analysing');
      // the stored document follows the status
      expect(
        (await svc.exportStix(who.analyst, i.id)).objects.some((o) =>
          JSON.stringify(o).includes('"status":"analysing"'),
        ),
      ).toBe(true);
    });
  });

  describe('TLP visibility', () => {
    const viewers = ['anonymous', 'reporter', 'victim', 'shared', 'unrelated', 'analyst', 'admin'] as const;
    /** Who sees an incident of each level whose victim is `victim`'s organisation, shared with `shared`'s. */
    const TABLE: Record<Tlp, Record<(typeof viewers)[number], boolean>> = {
      clear: {
        anonymous: true,
        reporter: true,
        victim: true,
        shared: true,
        unrelated: true,
        analyst: true,
        admin: true,
      },
      green: {
        anonymous: false,
        reporter: true,
        victim: true,
        shared: true,
        unrelated: true,
        analyst: true,
        admin: true,
      },
      amber: {
        anonymous: false,
        reporter: false,
        victim: true,
        shared: true,
        unrelated: false,
        analyst: true,
        admin: true,
      },
      'amber+strict': {
        anonymous: false,
        reporter: false,
        victim: true,
        shared: false,
        unrelated: false,
        analyst: true,
        admin: true,
      },
      red: {
        anonymous: false,
        reporter: false,
        victim: false,
        shared: false,
        unrelated: false,
        analyst: true,
        admin: true,
      },
    };
    const byTlp = {} as Record<Tlp, string>;
    const principal = (v: (typeof viewers)[number]): Principal => (v === 'anonymous' ? ANONYMOUS : who[v]);

    beforeAll(async () => {
      for (const tlp of Object.keys(TABLE) as Tlp[])
        byTlp[tlp] = (
          await svc.create(
            who.analyst,
            codeSigningIncident({
              title: `TLP check ${tlp}`,
              discoveredAt: '2021-06-01',
              tlp,
              victims: [{ name: 'Ningbo chemical plant', sector: 'chemical', organisationId: orgs.victim }],
              sharedWithOrganisationIds: [orgs.shared],
            }),
          )
        ).id;
    });

    const cases = (Object.keys(TABLE) as Tlp[]).flatMap((tlp) =>
      viewers.map((v) => ({ tlp, viewer: v, sees: TABLE[tlp][v] })),
    );
    it.each(cases)('$tlp incident: $viewer sees it: $sees', async ({ tlp, viewer, sees }) => {
      const p = principal(viewer);
      const id = byTlp[tlp];
      const listed = (await svc.list(p, { from: '2021-06-01', to: '2021-06-01' })).items.map((i) => i.id);
      expect(listed.includes(id)).toBe(sees);
      if (sees) {
        expect((await svc.get(p, id)).title).toBe(`TLP check ${tlp}`);
        expect((await svc.exportStix(p, id)).type).toBe('bundle');
      } else {
        const e = await refusal(svc.get(p, id));
        expect([e.code, e.message]).toEqual(['not_found', `No incident ${id}`]);
        expect((await refusal(svc.exportStix(p, id))).code).toBe('not_found');
      }
    });

    it('a hidden incident answers exactly like one that does not exist', async () => {
      const hidden = await refusal(svc.get(who.unrelated, byTlp.red));
      const missing = await refusal(svc.get(who.unrelated, 'INC-2021-9999'));
      expect({ ...hidden, message: hidden.message.replace(byTlp.red, 'X'), details: {} }).toEqual({
        ...missing,
        message: missing.message.replace('INC-2021-9999', 'X'),
        details: {},
      });
    });

    it('shows who acted and the case only to staff', async () => {
      const v = await svc.get(who.victim, byTlp.amber);
      expect(v.history.every((h) => h.actor === 'coordinator')).toBe(true);
      expect(v.caseTrackingNo).toBeNull();
    });

    it('an API token narrowed away from incidents:read_all sees what the TLP allows a signed-in account', async () => {
      const token = {
        ...(who.analyst as Extract<Principal, { kind: 'user' }>),
        via: 'token' as const,
        scopes: ['incidents:write'],
      };
      const listed = (await svc.list(token, { from: '2021-06-01', to: '2021-06-01' })).items.map((i) => i.id);
      expect(listed.sort()).toEqual([byTlp.clear, byTlp.green].sort());
    });
  });

  describe('STIX', () => {
    const incidentCount = async () =>
      Number(
        (
          await d.db
            .selectFrom('incidents')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** The bundle as another tool would send it: its own incident id, no vulnshare id. */
    const foreign = (bundle: unknown, uuid: string) => {
      const text = JSON.stringify(bundle);
      const b = JSON.parse(text) as { objects: Array<Record<string, unknown>> };
      const old = String(b.objects.find((o) => o.type === 'incident')?.id);
      const out = JSON.parse(text.split(old).join(`incident--${uuid}`)) as {
        objects: Array<Record<string, unknown>>;
      };
      const inc = out.objects.find((o) => o.type === 'incident') ?? {};
      delete inc.external_references;
      for (const ext of Object.values((inc.extensions ?? {}) as Record<string, Record<string, unknown>>))
        delete ext.vulnshare_id;
      return out;
    };

    it('exports a bundle the OASIS schemas accept; importing it back finds the incident it came from, unchanged', async () => {
      const before = await incidentCount();
      for (const seed of Object.values(seeds)) {
        const bundle = await svc.exportStix(who.analyst, seed.id);
        expect(stixBundleValidator()(bundle)).toEqual([]);
        const r = await svc.importStix(who.analyst, JSON.parse(JSON.stringify(bundle)));
        expect(r.outcome).toBe('unchanged');
        expect(r.incident.id).toBe(seed.id);
        expect(withoutStoreFields(r.incident)).toEqual(withoutStoreFields(seed));
      }
      expect(await incidentCount()).toBe(before);
    });

    it('imports a bundle from elsewhere once by its STIX id: again it is unchanged, changed it updates that incident', async () => {
      const bundle = foreign(
        await svc.exportStix(who.analyst, seeds.exchange.id),
        '0b7e1c52-5d0a-4a8e-9f3c-2d6b8e4f1a01',
      );
      const before = await incidentCount();
      const first = await svc.importStix(who.analyst, bundle);
      expect(first.outcome).toBe('created');
      expect(first.incident.id).not.toBe(seeds.exchange.id);
      const again = await svc.importStix(who.analyst, JSON.parse(JSON.stringify(bundle)));
      expect(again).toMatchObject({ outcome: 'unchanged', incident: { id: first.incident.id } });
      const changed = JSON.parse(JSON.stringify(bundle)) as typeof bundle;
      const inc = changed.objects.find((o) => o.type === 'incident');
      if (inc) inc.name = 'Exchange backdoor (revised by the source)';
      const updated = await svc.importStix(who.analyst, changed);
      expect(updated).toMatchObject({
        outcome: 'updated',
        incident: { id: first.incident.id, title: 'Exchange backdoor (revised by the source)' },
      });
      expect(await incidentCount()).toBe(before + 1);
      expect((await svc.get(who.analyst, first.incident.id)).history.map((h) => h.change)).toEqual([
        'imported from STIX (contained)',
        'imported from STIX (contained)',
      ]);
      // exported from here and imported back, it is still the same incident
      const back = await svc.importStix(who.analyst, await svc.exportStix(who.analyst, first.incident.id));
      expect(back).toMatchObject({ outcome: 'unchanged', incident: { id: first.incident.id } });
    });

    it('concurrent imports of the same bundle create one incident', async () => {
      const bundle = foreign(
        await svc.exportStix(who.analyst, seeds.camera.id),
        '5f2a9d3e-7b41-4c6e-8a90-3e1d4c7b2a02',
      );
      const before = await incidentCount();
      const results = await Promise.all(
        Array.from({ length: 4 }, () => svc.importStix(who.analyst, JSON.parse(JSON.stringify(bundle)))),
      );
      expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      expect(await incidentCount()).toBe(before + 1);
    });

    it('refuses an invalid bundle listing every problem, and importing is for analysts', async () => {
      const bundle = JSON.parse(JSON.stringify(await svc.exportStix(who.analyst, seeds.camera.id))) as {
        id: string;
        objects: Array<Record<string, unknown>>;
      };
      bundle.id = 'bundle--nope';
      const inc = bundle.objects.find((o) => o.type === 'incident');
      if (inc) delete inc.name;
      const e = await refusal(svc.importStix(who.analyst, bundle));
      expect(e.code).toBe('invalid_input');
      const problems = e.details?.problems as Array<{ field: string; message: string }>;
      expect(problems.length).toBeGreaterThanOrEqual(2);
      expect(problems[0]).toEqual({ field: 'bundle', message: 'id must be bundle--<uuid>' });
      expect(problems.some((p) => p.field.includes('incident--') && p.message.includes('name'))).toBe(true);
      expect((await refusal(svc.importStix(who.victim, bundle))).code).toBe('forbidden');
      expect((await refusal(svc.importStix(who.analyst, { type: 'bundle' }))).code).toBe('invalid_input');
    });
  });

  describe('disposal', () => {
    it('opens one event-type case, verified by the coordinator, notifies with SLA deadlines, and reuses it', async () => {
      time.set('2026-01-12T03:00:00Z');
      const i = await svc.create(who.analyst, cameraIncident({ discoveredAt: '2020-05-05' }));
      const first = await svc.notify(who.analyst, i.id, [
        { organisationId: orgs.victim, category: 'affected_org' },
      ]);
      expect(first.trackingNo).toMatch(/^S-20260112-[0-9A-Z]{8}$/);
      expect(first.notifications).toHaveLength(1);
      expect(first.notifications[0]).toMatchObject({
        organisationId: orgs.victim,
        category: 'affected_org',
        state: 'sent',
        deadline: '2026-02-11T03:00:00.000Z', // unrated: 30 days
      });
      const second = await svc.notify(who.analyst, i.id, [
        { organisationId: orgs.shared, category: 'critical_sector' },
      ]);
      expect(second.trackingNo).toBe(first.trackingNo);
      expect(second.notifications.map((n) => n.organisationId).sort()).toEqual(
        [orgs.victim, orgs.shared].sort(),
      );

      const cases = await d.db.selectFrom('submissions').select(['tracking_no', 'kind']).execute();
      expect(cases).toEqual([{ tracking_no: first.trackingNo, kind: 'event' }]);
      const sub = await createSubmissionService({ db: d.db }).get(who.analyst, first.trackingNo);
      expect(sub).toMatchObject({
        kind: 'event',
        state: 'notified',
        title: i.title,
        affectedOrganisation: 'Ningbo chemical plant',
        affectedSystem: '网络摄像机 ×12',
      });
      expect(sub.description).toContain('化工厂区安全智能管控平台');
      expect(sub.description).toContain('T1078.001');
      expect(sub.timeline.map((t) => t.to)).toEqual([
        'submitted',
        'triaged',
        'verifying',
        'verified',
        'notified',
      ]);
      expect(sub.verifications).toHaveLength(1);

      const v = await svc.get(who.analyst, i.id);
      expect(v.caseTrackingNo).toBe(first.trackingNo);
      expect(v.history.map((h) => h.change)).toEqual([
        'created (contained)',
        'handed to disposal',
        'recipients notified',
        'recipients notified',
      ]);
      // notifying the same organisation twice is already_notified (the coordination service's)
      expect(
        (
          await refusal(
            svc.notify(who.analyst, i.id, [{ organisationId: orgs.victim, category: 'affected_org' }]),
          )
        ).code,
      ).toBe('already_notified');
      expect(
        (await refusal(svc.notify(who.analyst, i.id, [{ organisationId: orgs.victim, category: 'friend' }])))
          .code,
      ).toBe('invalid_parameter');
      expect(
        (
          await refusal(
            svc.notify(who.victim, i.id, [{ organisationId: orgs.victim, category: 'affected_org' }]),
          )
        ).code,
      ).toBe('forbidden');
      time.set('2026-01-10T02:00:00Z');
    });

    it("the case the coordinator opens from an incident is nobody's original report: Table 1 and the ranking leave it out", async () => {
      time.set('2026-01-20T03:00:00Z'); // 2026-W04
      const i = await svc.create(who.analyst, supplyChainIncident({ discoveredAt: '2021-03-03' }));
      const r = await svc.notify(who.analyst, i.id, [
        { organisationId: orgs.victim, category: 'affected_org' },
      ]);
      const row = await d.db
        .selectFrom('submissions')
        .select(['origin', 'originality', 'state'])
        .where('tracking_no', '=', r.trackingNo)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ origin: 'incident', originality: 'original', state: 'notified' });
      const bulletin = createBulletinService({
        db: d.db,
        settings: defaultSettings('http://vs.example'),
        disposal: createCoordinationService({ db: d.db, publicUrl: 'http://vs.example', clock: time.clock }),
        clock: time.clock,
      });
      expect((await bulletin.get(CLI, '2026-W04')).data.reporters).toMatchObject({
        rows: [],
        total: { reported: 0, original: 0 },
      });
      expect((await createReporterStats({ db: d.db }).ranking('2026-W04')).rows).toEqual([]);
      time.set('2026-01-10T02:00:00Z');
    });
  });
});

describe.each(testBackends())('incident figures and the CLI case reporter on %s', (backend) => {
  let d: Database;
  let svc: IncidentService;
  const time = settable('2026-01-06T01:00:00Z'); // 2026-W02

  beforeAll(async () => {
    d = await freshDatabase(backend);
    svc = createIncidentService({
      db: d.db,
      clock: time.clock,
      coordination: createCoordinationService({
        db: d.db,
        publicUrl: 'http://vs.example',
        clock: time.clock,
      }),
    });
    await svc.create(CLI, supplyChainIncident()); // 2024-12-18 manufacturing, exploit, closed, amber
    await svc.create(CLI, exchangeIncident()); // 2024-12-18 (+08:00) energy+internet, exploit, contained, green
    await svc.create(CLI, cameraIncident()); // 2024-11-19 chemical+other, weak-credential, contained, amber+strict
    await svc.create(CLI, codeSigningIncident()); // 2023-11-27 government+manufacturing, certificate, analysing, red
    // 2024-12-22 17:00 UTC is Monday 2024-12-23 in Shanghai: week 52, not 51
    await svc.create(
      CLI,
      cameraIncident({
        discoveredAt: '2024-12-22T17:00:00Z',
        tlp: 'clear',
        status: 'open',
        victims: [{ name: 'Water works', sector: 'water' }],
      }),
    );
    time.set('2026-01-13T01:00:00Z'); // 2026-W03
    await svc.transition(CLI, 'INC-2026-0002', 'closed');
  }, 60_000);
  afterAll(async () => {
    await d.close();
  });

  it('counts a bulletin week by discovery day in Asia/Shanghai', async () => {
    const w51 = await svc.figures(CLI, { period: 'week', at: '2024-W51' });
    expect(w51).toMatchObject({
      period: 'week',
      id: '2024-W51',
      from: '2024-12-16',
      to: '2024-12-22',
      total: 2,
    });
    expect(w51.bySector).toMatchObject({ manufacturing: 1, energy: 1, internet: 1, water: 0, chemical: 0 });
    expect(w51.byVector).toMatchObject({ 'vulnerability-exploit': 2, 'weak-credential': 0 });
    expect(w51.byStatus).toEqual({ open: 0, analysing: 0, contained: 0, closed: 2 });
    expect(w51.byMonth).toBeUndefined();
    const w52 = await svc.figures(CLI, { period: 'week', at: '2024w52' });
    expect(w52).toMatchObject({ id: '2024-W52', total: 1 });
    expect(w52.bySector.water).toBe(1);
  });

  it('counts a month and a year, with the months of the year', async () => {
    const nov = await svc.figures(CLI, { period: 'month', at: '2024-11' });
    expect(nov).toMatchObject({ from: '2024-11-01', to: '2024-11-30', total: 1 });
    expect(nov.bySector).toMatchObject({ chemical: 1, other: 1 });
    const y = await svc.figures(CLI, { period: 'year', at: '2024' });
    expect(y).toMatchObject({ from: '2024-01-01', to: '2024-12-31', total: 4 });
    expect(y.byMonth).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3]);
    expect(y.byStatus).toEqual({ open: 1, analysing: 0, contained: 1, closed: 2 });
    expect(y.byVector).toMatchObject({
      'vulnerability-exploit': 2,
      'weak-credential': 2,
      'stolen-certificate': 0,
    });
    expect(y.byTlp).toEqual({ clear: 1, green: 1, amber: 1, 'amber+strict': 1, red: 0 });
    const y23 = await svc.figures(CLI, { period: 'year', at: '2023' });
    expect(y23.bySector).toMatchObject({ government: 1, manufacturing: 1 });
    expect(y23.byMonth?.[10]).toBe(1);
  });

  it('counts incidents opened and closed within the period, whenever discovered', async () => {
    expect(await svc.figures(CLI, { period: 'week', at: '2026-W02' })).toMatchObject({
      total: 0,
      opened: 5,
      closed: 1,
    });
    expect(await svc.figures(CLI, { period: 'week', at: '2026-W03' })).toMatchObject({
      opened: 0,
      closed: 1,
    });
    expect(await svc.figures(CLI, { period: 'month', at: '2026-01' })).toMatchObject({
      opened: 5,
      closed: 2,
    });
  });

  it('counts only what the viewer may see', async () => {
    expect((await svc.figures(ANONYMOUS, { period: 'year', at: '2024' })).total).toBe(1);
    expect((await svc.figures(ANONYMOUS, { period: 'year', at: '2024' })).byTlp).toMatchObject({
      clear: 1,
      green: 0,
    });
  });

  it('refuses periods it cannot read', async () => {
    for (const q of [
      { period: 'day', at: '2024-01-01' },
      { period: 'week', at: '2024-W54' },
      { period: 'month', at: '2024-13' },
      { period: 'year', at: '24' },
    ])
      expect((await refusal(svc.figures(CLI, q))).code).toBe('invalid_parameter');
  });

  it('on the command line, a case needs an admin account to stand as reporter: a clear error, nothing left behind', async () => {
    const accounts = createAccountService({ db: d.db });
    const org = await accounts.createOrganisation(CLI, { kind: 'member_unit', name: 'Water works' });
    const e = await refusal(
      svc.notify(CLI, 'INC-2026-0005', [{ organisationId: org.id, category: 'affected_org' }]),
    );
    expect(e.code).toBe('no_admin');
    expect(e.message).toMatch(/create an admin user first/);
    expect(await d.db.selectFrom('submissions').select('id').execute()).toEqual([]);
    expect((await svc.get(CLI, 'INC-2026-0005')).caseTrackingNo).toBeNull();

    const admin = await accounts.createUser(CLI, {
      email: 'first-admin@incidents.example',
      displayName: 'first',
      password: 'correct horse battery staple',
      role: 'admin',
    });
    const r = await svc.notify(CLI, 'INC-2026-0005', [{ organisationId: org.id, category: 'affected_org' }]);
    const sub = await d.db
      .selectFrom('submissions')
      .select(['reporter_id', 'state'])
      .where('tracking_no', '=', r.trackingNo)
      .executeTakeFirst();
    expect(sub).toEqual({ reporter_id: admin.id, state: 'notified' });
  });
});
