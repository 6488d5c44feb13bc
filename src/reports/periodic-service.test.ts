/**
 * The monthly report's figures on both backends from small factory data driven through the real services:
 * records of two months (totals, change, zero-days), an event-type record, verified reports (reporters),
 * notifications answered through their links (disposal performance: acknowledged, fixed within SLA, median
 * days to fix per recipient category) and an incident (by sector, vector, status). The rendered HTML and
 * Markdown carry them; the alliance and drill sections read "no data".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Principal } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import { supplyChainIncident } from '../test-support/incidents.js';
import type { PeriodicData } from './periodic.js';

const PW = 'correct horse battery staple';
const DAY = 86_400_000;
const HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8: high, 15 days to fix

describe.each(testBackends())('monthly report figures on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  let now = new Date('2026-01-05T02:00:00Z');
  let f: PeriodicData;
  const principals: Record<string, Principal> = {};
  beforeAll(async () => {
    d = await freshDatabase(backend);
    platform = createPlatform(d, completeConfig({ publicUrl: 'https://vs.example' }), { clock: () => now });
    const { accounts, submissions, coordination } = platform;
    await importItems(
      d,
      itemsOf([
        cnvdRecord('CNVD-2026-00001', {
          severity: 'high',
          zeroDay: true,
          dates: { collected: '2026-01-03', published: '2026-01-03' },
        }),
        cnvdRecord('CNVD-2026-00002', {
          severity: 'high',
          dates: { collected: '2026-01-20', published: '2026-01-20' },
        }),
        cnvdRecord('CNVD-2026-00003', {
          severity: 'low',
          dates: { collected: '2026-01-31', published: '2026-01-31' },
        }),
        cnvdRecord('CNVD-2025-00009', {
          severity: 'medium',
          dates: { collected: '2025-12-31', published: '2025-12-31' },
        }),
        cnvdRecord('CNVD-2026-00100', {
          kind: 'event',
          severity: 'medium',
          dates: { collected: '2026-01-10' },
        }),
      ]),
      { format: 'test', paths: ['test'] },
    );
    const dlink = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' });
    await accounts.addContact(CLI, dlink.id, { name: 'PSIRT', email: 'psirt@dlink.example' });
    const bank = await accounts.createOrganisation(CLI, {
      kind: 'member_unit',
      name: '某银行',
      sector: 'banking',
    });
    await accounts.addContact(CLI, bank.id, { name: 'SOC', email: 'soc@bank.example' });
    for (const [name, role] of [
      ['analyst', 'analyst'],
      ['alice', 'reporter'],
    ] as const) {
      await accounts.createUser(CLI, { email: `${name}@x.example`, displayName: name, password: PW, role });
      const s = await accounts.resolveSession(
        (await accounts.login({ email: `${name}@x.example`, password: PW })).session,
      );
      if (!s) throw new Error('session');
      principals[name] = s.principal;
    }
    const analyst = principals.analyst as Principal;
    const tokens: string[] = [];
    for (const [i, target] of [
      [0, { organisationId: dlink.id, category: 'vendor' }],
      [1, { organisationId: dlink.id, category: 'vendor' }],
      [2, { organisationId: bank.id, category: 'critical_sector' }],
    ] as const) {
      const s = await submissions.submit(principals.alice as Principal, {
        kind: 'general',
        title: `D-Link DIR-823G 缓冲区溢出漏洞 ${i}`,
        vendor: 'D-Link',
        product: 'DIR-823G',
        description: '缓冲区溢出',
        cvssVector: HIGH,
        originality: 'original',
      });
      await submissions.transition(analyst, s.trackingNo, { to: 'triaged' });
      await submissions.transition(analyst, s.trackingNo, { to: 'verifying' });
      await submissions.transition(analyst, s.trackingNo, {
        to: 'verified',
        verification: { environment: 'lab', steps: 's', result: 'reproduced', verifier: 'vulnshare' },
      });
      const r = await coordination.notify(analyst, s.trackingNo, [target]);
      tokens.push(Object.values(r.links)[0]?.split('/').at(-1) ?? '');
    }
    const at = (days: number) => (now = new Date(Date.parse('2026-01-05T02:00:00Z') + days * DAY));
    at(1);
    await coordination.actByLink(tokens[2] ?? '', 'acknowledge', {});
    at(3);
    await coordination.actByLink(tokens[0] ?? '', 'fix', { fixUrl: 'https://dlink.example/fix' });
    at(20); // past the 15-day deadline
    await coordination.actByLink(tokens[1] ?? '', 'fix', { fixUrl: 'https://dlink.example/fix2' });
    await platform.incidents.create(
      analyst,
      supplyChainIncident({ discoveredAt: '2026-01-10', startedAt: '2026-01-02' }),
    );
    at(40);
    f = (
      JSON.parse((await platform.reports.render('month', '2026-01', 'zh', 'json')).body.toString()) as {
        figures: PeriodicData;
      }
    ).figures;
  }, 120_000);
  afterAll(async () => {
    await platform.close();
    await d.close();
  });

  it('counts the month’s records, its change from the month before and its zero-days', () => {
    expect(f.overview).toMatchObject({
      total: 3,
      previousTotal: 1,
      change: { direction: 'up', ratio: 2 },
      bySeverity: { high: 2, medium: 0, low: 1 },
      zeroDay: 1,
      event: { count: 1 },
    });
    expect(f.zeroDayExamples.map((x) => x.id)).toEqual(['CNVD-2026-00001']);
    expect(f.monthly.at(-1)).toMatchObject({ month: '2026-01', total: 3, high: 2, low: 1 });
    expect(f.monthly.at(-2)).toMatchObject({ month: '2025-12', total: 1, medium: 1 });
  });

  it('measures disposal per recipient category: acknowledged, fixed within the SLA, median days to fix', () => {
    const vendor = f.disposal.rows.find((r) => r.category === 'vendor');
    expect(vendor).toMatchObject({ notified: 2, acknowledged: 2, fixed: 2, fixedWithinSla: 1, slaRate: 0.5 });
    expect(vendor?.medianDaysToFix).toBe(11.5); // 3 and 20 days
    expect(f.disposal.rows.find((r) => r.category === 'critical_sector')).toMatchObject({
      notified: 1,
      acknowledged: 1,
      fixed: 0,
      medianDaysToFix: null,
    });
    expect(f.disposal.rows.find((r) => r.category === 'telecom_operator')).toMatchObject({ notified: 0 });
    expect(f.disposal.total).toMatchObject({ notified: 3, acknowledged: 3, fixed: 2, fixedWithinSla: 1 });
    expect(f.disposal.total.medianDaysToFix).toBe(11.5);
  });

  it('credits the verified reports and counts the incident by sector, vector and status', () => {
    expect(f.reporters.total).toMatchObject({ reported: 3, original: 3 });
    expect(f.incidents).toMatchObject({ total: 1 });
    expect(f.incidents?.bySector.manufacturing).toBe(1);
    expect(f.incidents?.byVector['vulnerability-exploit']).toBe(1);
    expect(f.incidents?.byStatus.closed).toBe(1);
  });

  it('renders the figures in HTML and Markdown, the alliance and drills as counts (none here)', async () => {
    const html = (await platform.reports.render('month', '2026-01', 'zh', 'html')).body.toString();
    expect(html).toContain('信息安全漏洞月报');
    expect(html).toContain('2026年1月');
    expect(html).toContain('<svg');
    expect(html).not.toContain('data-no-data="alliance"');
    expect(html).not.toContain('data-no-data="drills"');
    expect(html).toContain('联盟成员单位共 0 家，本期新加入 0 家');
    expect(html).toContain('本期举办应急演练 0 次');
    expect(html).not.toContain('data-no-data="incidents"');
    const md = (await platform.reports.render('month', '2026-01', 'en', 'md')).body.toString();
    expect(md).toContain('| Vendors | 2 | 2 | 2 | 1 | 50.0% | 11.5 |');
    expect(md).toContain('| **Total** | **3** | **3** | **2** | **1** | **33.3%** | **11.5** |');
    expect(md).toContain('## 11. Alliance membership');
    expect(md).not.toContain('_No data: vulnshare does not record this yet._');
    expect(md).toContain('The alliance has 0 members; 0 joined in the period.');
  });
});
