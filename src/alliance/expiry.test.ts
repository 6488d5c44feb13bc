/**
 * Membership expiry on both backends with a fake clock: the worker's sweep (src/app/worker.ts, under the
 * `sweep` lease) expires every membership whose valid-until (renewal date) has passed, once, each with an
 * audit row; the directory shows the status; a renewal makes it active with its new date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import { startWorker } from '../app/worker.js';
import { listAudit } from '../audit/audit.js';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';

describe.each(testBackends())('alliance membership expiry on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let now = new Date('2026-03-01T23:30:00Z');
  const expiries = async () =>
    (await listAudit(d.db, CLI, { action: 'alliance.member_expired' })).map((a) => [
      a.actor,
      a.detail.certificate,
      a.detail.from,
      a.detail.renewalOn,
    ]);
  const status = async (cert: string) => {
    const m = await platform.alliance.member(cert);
    return [m.status, m.renewalOn];
  };
  /** One pass of the real worker's sweep: started, waited for until it logs (or 20 s), stopped. */
  async function sweepOnce(): Promise<string[]> {
    const lines: string[] = [];
    const w = startWorker(platform, (l) => lines.push(l));
    for (let i = 0; i < 200 && !lines.some((l) => /alliance:|sweep:/.test(l)); i++)
      await new Promise((r) => setTimeout(r, 100));
    await w.stop();
    return lines;
  }

  beforeAll(async () => {
    d = await freshDatabase(backend);
    platform = createPlatform(d, completeConfig({ logLevel: 'silent', sweepIntervalMs: 3_600_000 }), {
      clock: () => now,
    });
    // joined 2025-03-01: valid until 2026-03-01 (one term)
    await platform.alliance.importMembers(
      CLI,
      '甲公司 CCTGA-000001\n乙公司 CCTGA-000002\n丙公司 CCTGA-000003\n',
      { joinedOn: '2025-03-01' },
    );
    await platform.alliance.update(CLI, 'CCTGA-000002', { status: 'suspended' });
    await platform.alliance.renew(CLI, 'CCTGA-000003', '2027-03-01');
  }, 120_000);
  afterAll(async () => {
    await platform.close();
    await d.close();
  });

  it('keeps a membership on its valid-until day', async () => {
    expect(await platform.alliance.expireDue()).toEqual({ expired: [] });
    expect(await status('CCTGA-000001')).toEqual(['active', '2026-03-01']);
  });

  it("expires the memberships past their date in the worker's sweep, each once with an audit row", async () => {
    now = new Date('2026-03-02T00:10:00Z');
    const lines = await sweepOnce();
    expect(lines).toContain('alliance: 2 membership(s) expired');
    expect(await status('CCTGA-000001')).toEqual(['expired', '2026-03-01']);
    expect(await status('CCTGA-000002')).toEqual(['expired', '2026-03-01']); // a suspended one too
    expect(await status('CCTGA-000003')).toEqual(['active', '2027-03-01']);
    const audited = [
      ['system (membership expiry)', 'CCTGA-000001', 'active', '2026-03-01'],
      ['system (membership expiry)', 'CCTGA-000002', 'suspended', '2026-03-01'],
    ];
    expect((await expiries()).sort()).toEqual(audited);
    // the next sweep expires only what has become due since: the one whose date an analyst moved back
    await platform.alliance.update(CLI, 'CCTGA-000003', { renewalOn: '2026-03-01' });
    expect((await sweepOnce()).filter((l) => l.startsWith('alliance:'))).toEqual([
      'alliance: 1 membership(s) expired',
    ]);
    expect((await expiries()).map((e) => e[1]).sort()).toEqual([
      'CCTGA-000001',
      'CCTGA-000002',
      'CCTGA-000003',
    ]);
    const dir = await platform.alliance.directory({ status: 'expired' });
    expect(dir.members.map((m) => [m.certificate, m.status])).toEqual([
      ['CCTGA-000001', 'expired'],
      ['CCTGA-000002', 'expired'],
      ['CCTGA-000003', 'expired'],
    ]);
    expect(dir.counts).toEqual({ active: 0, suspended: 0, expired: 3 });
  });

  it('expires a membership once when two sweeps run at the same moment', async () => {
    await platform.alliance.renew(CLI, 'CCTGA-000003', '2027-03-01');
    now = new Date('2027-03-02T00:00:00Z');
    const [a, b] = await Promise.all([platform.alliance.expireDue(), platform.alliance.expireDue()]);
    expect([...a.expired, ...b.expired]).toEqual(['CCTGA-000003']);
    expect(await expiries()).toHaveLength(4);
  });

  it('renews an expired membership: active again with its new date, audited', async () => {
    const m = await platform.alliance.renew(CLI, 'CCTGA-000001', '2028-03-01', 'fee paid');
    expect([m.status, m.renewalOn]).toEqual(['active', '2028-03-01']);
    const [renewal] = await listAudit(d.db, CLI, { action: 'alliance.member_renewed' });
    expect(renewal?.detail).toMatchObject({
      certificate: 'CCTGA-000001',
      from: 'expired',
      status: 'active',
      renewalOn: '2028-03-01',
      note: 'fee paid',
    });
    await expect(platform.alliance.renew(CLI, 'CCTGA-000001', '2027-01-01')).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
    expect(await platform.alliance.expireDue()).toEqual({ expired: [] });
  });
});
