/**
 * The federation walk on three real instances (the composition root and the real app on loopback HTTP): a
 * national one on PostgreSQL (PGlite when PostgreSQL is not among the test backends), two sector ones on
 * PGlite. Between national and its peers sits a small HTTP relay that can tamper with an answer or cut the
 * connection, as a network would (src/peers/test-instances.ts).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { startWorker } from '../app/worker.js';
import { importItems } from '../imports/pipeline.js';
import { testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import type { Vulnerability } from '../vulns/model.js';
import { SIGNATURE_HEADER, signEnvelope } from './envelope.js';
import { CHANGES_PATH } from './service.js';
import * as store from './store.js';
import {
  count,
  peerSourceRows,
  relay,
  sectorRecord,
  start,
  stop,
  vulnByAlias,
  vulnCount,
  vulnsWithAlias,
  type Instance,
  embargoedCase,
} from './test-instances.js';

describe('federation: a national and two sector instances', () => {
  const nationalBackend = testBackends().includes('postgres') ? 'postgres' : 'pglite';
  let national: Instance;
  let a: Instance;
  let b: Instance;
  /** national's clock (the embargo's clock): ahead of real time by offsetMs, within the peers' skew allowance */
  const nationalClock = { offsetMs: 0 };
  const toA = relay(() => a.base);
  const toNational = relay(() => national.base);

  beforeAll(async () => {
    [national, a, b] = await Promise.all([
      start('national', nationalBackend, 'CN', {
        clock: () => new Date(Date.now() + nationalClock.offsetMs),
      }),
      start('sector-a', 'pglite', 'ICS'),
      start('sector-b', 'pglite', 'TEL'),
    ]);
    const viaA = await toA.listen();
    const viaNational = await toNational.listen();
    const id = {
      national: await national.platform.peers.identity(CLI),
      a: await a.platform.peers.identity(CLI),
      b: await b.platform.peers.identity(CLI),
    };
    // each side adds the other from what its `peer init` prints (PEM here, base64 DER for B's)
    await national.platform.peers.addPeer(CLI, { name: 'sector-a', url: viaA, key: id.a.publicKey });
    await national.platform.peers.addPeer(CLI, {
      name: 'sector-b',
      url: b.base,
      key: id.b.publicKeyBase64,
      // B's members do not run Acme products: nothing about Acme goes to B
      policy: { receive: { excludeVendors: ['Acme'] } },
    });
    await a.platform.peers.addPeer(CLI, { name: 'national', url: national.base, key: id.national.publicKey });
    await b.platform.peers.addPeer(CLI, { name: 'national', url: viaNational, key: id.national.publicKey });
    // the national platform holds its own CNVD record of the CVE sector A's first record cites
    const siemens = { products: [{ vendor: 'Siemens', product: 'Controller X', versions: ['1.0'] }] };
    await importItems(
      national.d,
      itemsOf([cnvdRecord('CNVD-2026-00001', { aliases: ['CVE-2026-10001'], ...siemens })]),
      {
        format: 'cnvd-xml',
        paths: [],
      },
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([toA.close(), toNational.close()]);
    await stop(national, a, b);
  });

  it('a record published on sector A is seen nationally with provenance peer:sector-a and A’s id as an alias', async () => {
    await importItems(
      a.d,
      itemsOf([
        sectorRecord('ICS-2026-00012', 'Siemens', { aliases: ['CVE-2026-10001'] }),
        sectorRecord('ICS-2026-00013', 'Acme'),
      ]),
      { format: 'test', paths: [] },
    );
    const [r] = await national.platform.peers.sync(CLI, 'sector-a');
    expect(r).toMatchObject({ peer: 'sector-a', outcome: 'synced', applied: 2, refused: 0, error: null });

    const v = await vulnByAlias(national, 'ICS-2026-00012');
    // merged by alias with the national CNVD record (CVE-2026-10001), not a second vulnerability
    expect(v.id).toBe('CNVD-2026-00001');
    expect(v.aliases).toEqual(
      expect.arrayContaining(['CNVD-2026-00001', 'CVE-2026-10001', 'ICS-2026-00012']),
    );
    expect(v.sources.map((s) => s.source).sort()).toEqual(['cnvd', 'peer:sector-a']);
    expect(v.cvss[0]?.baseScore).toBe(9.8);
    expect(v.vendors).toEqual(['Siemens']);
    // the national CNVD record's words come first (merge priority); A's English title fills what CNVD lacks
    expect(v.title.en).toBe('Siemens controller buffer overflow (ICS-2026-00012)');
    expect(await vulnsWithAlias(national.d, 'CVE-2026-10001')).toBe(1);
    // a record of A with no other id stands on its own under A's id
    const acme = await vulnByAlias(national, 'ICS-2026-00013');
    expect(acme.id).toBe('ICS-2026-00013');
    expect(acme.sources).toEqual([{ source: 'peer:sector-a', key: 'ICS-2026-00013', state: 'published' }]);

    const [st] = await national.platform.peers.listPeers(CLI);
    expect(st).toMatchObject({ name: 'sector-a', received: 2, lag: 0, lastError: null });
    expect(st?.lastSuccessAt).not.toBeNull();
  });

  it('sector B receives the national record but nothing about the vendor its policy excludes', async () => {
    const [r] = await b.platform.peers.sync(CLI, 'national');
    expect(r).toMatchObject({ outcome: 'synced', applied: 1 });
    const v = await vulnByAlias(b, 'ICS-2026-00012');
    expect(v.aliases).toEqual(expect.arrayContaining(['CNVD-2026-00001', 'CVE-2026-10001']));
    expect(v.sources.map((s) => s.source)).toEqual(['peer:national']);
    expect(await vulnsWithAlias(b.d, 'ICS-2026-00013')).toBe(0);
    expect(await peerSourceRows(b.d, 'national')).toBe(1);
    // a relayed record is an ordinary record at B: its detail with the verbatim source, its CVE JSON 5 export
    const detail = await fetch(`${b.base}/api/v1/vulnerabilities/ICS-2026-00012`);
    const body = (await detail.json()) as { sources: Array<{ source: string; raw: string }> };
    expect(body.sources.map((x) => x.source)).toEqual(['peer:national']);
    expect((JSON.parse(body.sources[0]?.raw ?? '{}') as Vulnerability).id).toBe('CNVD-2026-00001');
    const cve5 = await fetch(`${b.base}/api/v1/vulnerabilities/CVE-2026-10001/cve5`);
    expect(cve5.status).toBe(200);
  });

  it('refuses a tampered answer: nothing stored, the cursor stays, the error is kept', async () => {
    await importItems(
      national.d,
      itemsOf([
        cnvdRecord('CNVD-2026-00002', { products: [{ vendor: 'Siemens', product: 'S7', versions: [] }] }),
      ]),
      {
        format: 'cnvd-xml',
        paths: [],
      },
    );
    const before = (await b.platform.peers.getPeer(CLI, 'national')).cursor;
    toNational.mode.tamper = true;
    const [r] = await b.platform.peers.sync(CLI, 'national');
    expect(r).toMatchObject({ outcome: 'failed', errorCode: 'peer_signature_invalid' });
    expect(await vulnsWithAlias(b.d, 'CNVD-2026-00002')).toBe(0);
    const after = await b.platform.peers.getPeer(CLI, 'national');
    expect(after.cursor).toBe(before);
    expect(after.lastError).toMatch(/tampered/);
    // the next sync, untampered, gets it
    const [again] = await b.platform.peers.sync(CLI, 'national');
    expect(again).toMatchObject({ outcome: 'synced', applied: 1 });
    expect(await vulnsWithAlias(b.d, 'CNVD-2026-00002')).toBe(1);
  });

  it('refuses a replayed request, a request signed for another query, and an unknown instance', async () => {
    const [key] = (await store.identityKeys(a.d.db)).filter((k) => k.state === 'active');
    if (!key) throw new Error('sector A has no key');
    const target = `${CHANGES_PATH}?after=0&limit=10`;
    const signed = () =>
      signEnvelope({
        kind: 'changes.request',
        from: 'sector-a',
        to: 'national',
        keyId: key.key_id,
        privateKey: key.private_key,
        body: '',
        now: new Date(),
        target: `GET ${target}`,
      }).token;
    const get = async (path: string, token: string) => {
      const r = await fetch(national.base + path, { headers: { [SIGNATURE_HEADER]: token } });
      const body = (await r.json()) as { error?: { code: string } };
      return { status: r.status, code: body.error?.code ?? 'ok' };
    };
    const token = signed();
    expect(await get(target, token)).toEqual({ status: 200, code: 'ok' });
    expect(await get(target, token)).toEqual({ status: 401, code: 'peer_replay' });
    expect(await get(`${CHANGES_PATH}?after=0&limit=1000`, signed())).toEqual({
      status: 401,
      code: 'peer_signature_invalid',
    });
    expect(await get(target, '')).toEqual({ status: 401, code: 'peer_signature_invalid' });
    const stranger = signEnvelope({
      kind: 'changes.request',
      from: 'stranger',
      to: 'national',
      keyId: key.key_id,
      privateKey: key.private_key,
      body: '',
      now: new Date(),
      target: `GET ${target}`,
    }).token;
    expect(await get(target, stranger)).toEqual({ status: 401, code: 'peer_unknown' });
  });

  it('a sync cut off mid-way loses nothing and doubles nothing: the next one catches up from the cursor', async () => {
    await importItems(
      a.d,
      itemsOf(
        Array.from({ length: 23 }, (_, i) =>
          sectorRecord(`ICS-2026-${String(100 + i).padStart(5, '0')}`, 'Siemens'),
        ),
      ),
      { format: 'test', paths: [] },
    );
    const rowsBefore = await peerSourceRows(national.d, 'sector-a');
    const vulnsBefore = await vulnCount(national.d);
    // the connection to A drops after two pages of five
    toA.mode.served = 0;
    toA.mode.cutAfter = 2;
    const [cut] = await national.platform.peers.sync(CLI, 'sector-a', { pageSize: 5 });
    expect(cut).toMatchObject({ outcome: 'failed', pages: 2, applied: 10 });
    expect(await peerSourceRows(national.d, 'sector-a')).toBe(rowsBefore + 10);
    const mid = await national.platform.peers.getPeer(CLI, 'sector-a');
    expect(mid.cursor).toBe(cut?.cursor);
    expect(mid.lastError).not.toBeNull();

    toA.mode.cutAfter = Infinity;
    const [rest] = await national.platform.peers.sync(CLI, 'sector-a', { pageSize: 5 });
    expect(rest).toMatchObject({ outcome: 'synced', applied: 13 });
    expect(await peerSourceRows(national.d, 'sector-a')).toBe(rowsBefore + 23);
    expect(await vulnCount(national.d)).toBe(vulnsBefore + 23);
    // again: nothing new, nothing doubled
    const [idle] = await national.platform.peers.sync(CLI, 'sector-a');
    expect(idle).toMatchObject({ outcome: 'synced', applied: 0 });
    expect(await vulnCount(national.d)).toBe(vulnsBefore + 23);
    expect((await national.platform.peers.getPeer(CLI, 'sector-a')).received).toBe(2 + 23);
  });

  it('a rotated key is refused until the peer adds it, the old one then kept as retired', async () => {
    await a.platform.peers.rotateKey(CLI);
    const [r] = await national.platform.peers.sync(CLI, 'sector-a');
    // national knows only A's old key: the request is A's answer, signed with the new key, which it does not know
    expect(r).toMatchObject({ outcome: 'failed', errorCode: 'peer_key_unknown' });
    const id = await a.platform.peers.identity(CLI);
    await national.platform.peers.updateKey(CLI, 'sector-a', id.publicKey);
    const [ok] = await national.platform.peers.sync(CLI, 'sector-a');
    expect(ok).toMatchObject({ outcome: 'synced' });
    expect((await national.platform.peers.getPeer(CLI, 'sector-a')).keys.map((k) => k.state)).toEqual([
      'active',
      'retired',
    ]);
  });

  it('a push hint: a record published on A reaches national within seconds, with no pull schedule running', async () => {
    const hints = a.platform.peers.startHints({ everyMs: 200, minIntervalMs: 500 });
    try {
      // the watcher's first look sets its base: what was published before is the scheduled pull's business
      await new Promise((ok) => setTimeout(ok, 400));
      const t0 = Date.now();
      await importItems(a.d, itemsOf([sectorRecord('ICS-2026-00400', 'Siemens')]), {
        format: 'test',
        paths: [],
      });
      let seen = 0;
      while (Date.now() - t0 < 5000) {
        seen = await vulnsWithAlias(national.d, 'ICS-2026-00400');
        if (seen) break;
        await new Promise((ok) => setTimeout(ok, 100));
      }
      expect(seen).toBe(1);
      expect(Date.now() - t0).toBeLessThan(5000);
      await national.platform.peers.hintedSyncs();
      expect((await national.platform.peers.getPeer(CLI, 'sector-a')).lag).toBe(0);
    } finally {
      await hints.stop();
    }
  });

  it('the worker pulls its peers: a new record on A reaches national without a command', async () => {
    await importItems(a.d, itemsOf([sectorRecord('ICS-2026-00500', 'Siemens')]), {
      format: 'test',
      paths: [],
    });
    const lines: string[] = [];
    const w = startWorker(national.platform, (l) => lines.push(l));
    await w.stop(); // waits for the round the worker started at once
    expect(await vulnsWithAlias(national.d, 'ICS-2026-00500')).toBe(1);
    expect(
      lines.some((l) => /^peer sector-a: 1 page\(s\), 1 applied/.test(l)),
      lines.join('\n'),
    ).toBe(true);
  });

  it('an embargoed advance notice reaches only the allowed peer, stays in its console, and publishes on both at embargo end by the sender’s clock', async () => {
    // national may send A embargoed notices and A takes them from national; B's policy stays the default
    await national.platform.peers.setPolicy(CLI, 'sector-a', {
      receive: { kinds: ['record', 'advance_notice'], tlp: ['clear', 'amber'], embargoed: true },
    });
    await a.platform.peers.setPolicy(CLI, 'national', {
      accept: { kinds: ['record', 'advance_notice'], tlp: ['clear', 'green', 'amber'], embargoed: true },
    });
    // the embargo ends in two minutes on national's clock
    const until = new Date(Date.now() + nationalClock.offsetMs + 120_000).toISOString();
    const s = await embargoedCase(
      national.platform,
      {
        title: 'Siemens S7-1500 固件认证绕过漏洞',
        vendor: 'Siemens',
        product: 'S7-1500',
        version: '3.0',
        description: 'S7-1500 固件的 Web 服务存在认证绕过。',
      },
      until,
    );
    const id = s.id;
    const subs = national.platform.submissions;

    const shared = await national.platform.peers.notices.share(CLI, s.trackingNo, ['sector-a', 'sector-b']);
    expect(shared.map((x) => [x.peer, x.outcome, x.code])).toEqual([
      ['sector-a', 'shared', null],
      ['sector-b', 'refused', 'peer_policy_refused'],
    ]);
    await national.platform.peers.messages.idle();
    await national.platform.peers.messages.deliverNow();

    // A: in its console (analysts, admins) — nowhere else
    const [n] = await a.platform.peers.notices.list(CLI);
    expect(n).toMatchObject({
      sender: 'national',
      reference: s.trackingNo,
      state: 'embargoed',
      recordId: id,
    });
    expect(n?.vendors).toEqual(['Siemens']);
    expect(Date.parse(n?.embargoUntil ?? '')).toBe(Date.parse(until));
    expect(await vulnsWithAlias(a.d, id)).toBe(0);
    expect((await fetch(`${a.base}/api/v1/vulnerabilities/${id}`)).status).toBe(404);
    const search = await fetch(`${a.base}/api/v1/vulnerabilities?q=${encodeURIComponent('S7-1500')}`);
    expect(JSON.stringify(await search.json())).not.toContain(id);
    expect([401, 403]).toContain((await fetch(`${a.base}/api/v1/peers/notices`)).status);
    // B: nothing stored, nothing sent
    expect(await count(b.d, sql<{ n: number }>`SELECT count(*)::int AS n FROM peer_notices`)).toBe(0);
    expect(await national.platform.peers.messages.outbox({ peer: 'sector-b' })).toEqual([]);
    // national itself has not published it either
    expect(await vulnsWithAlias(national.d, id)).toBe(0);

    // out of order: a newer version delivered before an older one — the newest stands
    const v = n?.version ?? 1;
    const record = n?.record;
    await national.d.db.transaction().execute(async (tx) => {
      const m = national.platform.peers.messages;
      const body = (version: number, title: string) => ({
        reference: s.trackingNo,
        version,
        record: { ...record, title: { zh: title } },
        embargoUntil: until,
        tlp: 'amber',
      });
      await m.enqueue(tx, 'sector-a', 'notice.share', body(v + 10, 'newest'));
      await m.enqueue(tx, 'sector-a', 'notice.share', body(v + 5, 'older'));
    });
    await national.platform.peers.messages.idle();
    await national.platform.peers.messages.deliverNow();
    const [newest] = await a.platform.peers.notices.list(CLI);
    expect(newest).toMatchObject({ version: v + 10, title: { zh: 'newest' }, state: 'embargoed' });

    // A is down when the embargo ends (national's clock): published on national, A's release waits
    toA.mode.down = true;
    nationalClock.offsetMs += 180_000;
    expect(await subs.publishDue()).toBe(1);
    expect(await national.platform.peers.notices.sweep()).toEqual({ released: 1, withdrawn: 0, updated: 0 });
    await national.platform.peers.messages.idle();
    await national.platform.peers.messages.deliverNow();
    expect((await vulnByAlias(national, id)).id).toBe(id);
    expect(await vulnsWithAlias(a.d, id)).toBe(0);
    const waiting = await national.platform.peers.messages.outbox({ peer: 'sector-a', state: 'pending' });
    expect(waiting.map((m) => m.kind)).toEqual(['notice.release']);

    // A is back: it gets the release, writes the record as peer:national, published
    toA.mode.down = false;
    expect(await national.platform.peers.messages.deliverNow()).toMatchObject({ sent: 1, failed: 0 });
    const atA = await vulnByAlias(a, id);
    expect(atA.sources.map((x) => x.source)).toEqual(['peer:national']);
    expect(atA.vendors).toEqual(['Siemens']);
    expect((await a.platform.peers.notices.list(CLI))[0]).toMatchObject({ state: 'released' });
    // the change feed brings the same record: one record, one source row
    const [pulled] = await a.platform.peers.sync(CLI, 'national');
    expect(pulled).toMatchObject({ outcome: 'synced' });
    expect(await vulnsWithAlias(a.d, id)).toBe(1);
    expect(
      await count(
        a.d,
        sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM source_records WHERE source = 'peer:national' AND key = ${id}`,
      ),
    ).toBe(1);
    nationalClock.offsetMs = 0;
  });
});
