/**
 * The bulletin service on both backends with small factory data: scores and event-type counts, editorial
 * content, publishing freezes the figures, invalid weeks, PDF through real Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import type { SourceRecord } from '../vulns/model.js';
import { ANONYMOUS, CLI, type Principal } from '../accounts/model.js';
import { createPdfRenderer } from './pdf.js';
import type { BulletinService } from './service.js';
import { completeConfig, createPlatform } from '../app/platform.js';

const put = (d: Database, records: SourceRecord[]) =>
  importItems(d, itemsOf(records), { format: 'test', paths: ['test'] });

// 2024-W04 is the seed's week: 2024-01-22 … 2024-01-28
const inW04 = { submitted: '2024-01-10', collected: '2024-01-23', published: '2024-01-23' };
const inW03 = { submitted: '2024-01-10', collected: '2024-01-16', published: '2024-01-16' };

function weekData(): SourceRecord[] {
  const out: SourceRecord[] = [];
  // three CNVD records citing CVEs that carry CVSS 3.1 vectors: 9.8, 7.5, 5.3
  const vectors = [
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N',
  ];
  vectors.forEach((vector, i) => {
    const cve = `CVE-2024-100${i}`;
    out.push(
      cnvdRecord(`CNVD-2024-0100${i}`, {
        aliases: [cve],
        titleZh: `D-Link DIR-823G 缓冲区溢出漏洞（CNVD-2024-0100${i}）`,
        descriptionZh: 'D-Link DIR-823G是中国友讯（D-Link）公司的一款无线路由器。该产品存在缓冲区溢出漏洞。',
        products: [{ vendor: '', product: '', versions: [], raw: 'D-Link DIR-823G 1.0.2B05' }],
        severity: 'high',
        dates: inW04,
        credits: ['北京天融信网络安全技术有限公司'],
      }),
    );
    out.push(cveRecord(cve, { cvss: [{ vector }], dates: { published: '2024-01-20T00:00:00Z' } }));
  });
  // one with a severity word only: counted, not scored; a zero-day by its solution text
  out.push(
    cnvdRecord('CNVD-2024-01010', {
      titleZh: 'SeaCMS 跨站脚本漏洞（CNVD-2024-01010）',
      descriptionZh: 'SeaCMS是一套使用PHP语言编写的开源内容管理系统。SeaCMS存在跨站脚本漏洞。',
      products: [{ vendor: '', product: '', versions: [], raw: 'SeaCMS SeaCMS 12.9' }],
      severity: 'medium',
      zeroDay: true,
      dates: inW04,
      credits: ['张三'],
    }),
  );
  // event-type reports: 5 this week, 2 last week (2024-W03)
  for (let i = 0; i < 5; i++)
    out.push(
      cnvdRecord(`CNVD-2024-0200${i}`, {
        kind: 'event',
        severity: 'medium',
        dates: inW04,
        credits: ['张三'],
      }),
    );
  for (let i = 0; i < 2; i++)
    out.push(cnvdRecord(`CNVD-2024-0300${i}`, { kind: 'event', severity: 'low', dates: inW03 }));
  return out;
}

describe.each(testBackends())('bulletin service on %s', (backend) => {
  let d: Database;
  let s: BulletinService;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    const r = await put(d, weekData());
    expect(r.rejected).toBe(0);
    s = createPlatform(d, completeConfig({ publicUrl: 'https://vulnshare.example' }), {
      clock: () => new Date('2024-01-29T02:00:00Z'),
    }).bulletins;
  }, 120_000);
  afterAll(async () => {
    await d.close();
  });

  it('averages the CVSS scores of the records that have one and counts those without', async () => {
    const { data } = await s.get(CLI, '2024-W04');
    expect(data.overview.total).toBe(4);
    expect(data.overview.bySeverity).toEqual({ high: 3, medium: 1, low: 0 });
    expect(data.overview.scored).toBe(3);
    expect(data.overview.unscored).toBe(1);
    expect(data.overview.averageScore).toBe(Math.round(((9.8 + 7.5 + 5.3) / 3) * 100) / 100);
    expect(data.overview.zeroDay).toBe(1);
    expect(data.overview.zeroDayExamples.map((r) => r.id)).toEqual(['CNVD-2024-01010']);
    const zh = String((await s.render('2024-W04', 'zh', 'md')).body);
    expect(zh).toContain('漏洞平均分值为 7.53（按有 CVSS 分值的 3 个计算，1 个无分值）');
  });

  it('counts event-type reports apart and states the week-over-week change', async () => {
    const { data } = await s.get(CLI, '2024-W04');
    expect(data.overview.event).toEqual({
      thisWeek: 5,
      lastWeek: 2,
      change: { direction: 'up', ratio: 1.5 },
    });
    const zh = String((await s.render('2024-W04', 'zh', 'md')).body);
    expect(zh).toContain('事件型漏洞总数 5 个，与上周（2 个）环比增加 1.50 倍');
    const en = String((await s.render('2024-W04', 'en', 'md')).body);
    expect(en).toContain('5 event-type vulnerability reports');
    expect(en).toContain('150% more than last week (2)');
  });

  it('credits reporters: organisations by name, individuals together', async () => {
    const { data } = await s.get(CLI, '2024-W04');
    expect(data.reporters.rows).toEqual([
      { name: '北京天融信网络安全技术有限公司', reported: 3, original: 3, kind: 'organisation' },
      { name: '', reported: 6, original: 6, kind: 'individuals' },
    ]);
    expect(data.reporters.total).toEqual({ reported: 9, original: 9 });
  });

  it('groups alerts by vendor and weakness, with patch status and rating', async () => {
    const { data } = await s.get(CLI, '2024-W04');
    const dlink = data.alerts[0];
    expect(dlink?.vendor).toBe('D-Link');
    expect(dlink?.allHigh).toBe(true);
    expect(dlink?.groups).toEqual([
      {
        stem: { zh: 'D-Link DIR-823G缓冲区溢出漏洞', en: 'D-Link DIR-823G buffer overflow' },
        ids: ['CNVD-2024-01000', 'CNVD-2024-01001', 'CNVD-2024-01002'],
        more: 0,
      },
    ]);
    const zh = String((await s.render('2024-W04', 'zh', 'md')).body);
    expect(zh).toContain('1、D-Link 产品安全漏洞');
    expect(zh).toContain('D-Link DIR-823G是中国友讯（D-Link）公司的一款无线路由器。');
    expect(zh).toContain('上述漏洞的综合评级为“高危”');
  });

  it('keeps editorial content, validates it, and pins or drops alerts', async () => {
    await expect(s.setEditorial(CLI, '2024-W04', { news: [{ title: '' }] })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      s.setEditorial(CLI, '2024-W04', { news: [{ title: 'x', url: 'javascript:alert(1)' }] }),
    ).rejects.toThrow(/url/);
    await s.setEditorial(CLI, '2024-W04', {
      news: [{ title: 'Fortra 提醒客户注意新的 GoAnywhere 安全漏洞', url: 'https://example.org/n1' }],
      verifications: [
        {
          title: 'MCMS SQL 注入漏洞',
          description: 'categoryType 参数缺少验证',
          pocUrl: 'https://example.org/poc',
          provider: '新华三技术有限公司',
        },
      ],
      droppedAlerts: ['D-Link'],
      pinnedAlerts: ['SeaCMS'],
    });
    const { data, editorial } = await s.get(CLI, '2024-W04');
    expect(editorial.news).toHaveLength(1);
    expect(data.alerts.map((a) => a.vendor)).toEqual(['SeaCMS']);
    expect(data.alerts[0]?.pinned).toBe(true);
    const zh = String((await s.render('2024-W04', 'zh', 'md')).body);
    expect(zh).toContain('Fortra 提醒客户注意新的 GoAnywhere 安全漏洞');
    expect(zh).toContain('信息提供者: 新华三技术有限公司');
    expect(zh).toContain('本节由分析人员编辑');
    await s.setEditorial(CLI, '2024-W04', {});
  });

  it('freezes a published bulletin: later imports do not change it, and it cannot be published twice', async () => {
    const before = (await s.get(CLI, '2024-W04')).data;
    const published = await s.publish(CLI, '2024-W04');
    expect(published.state).toBe('published');
    expect(published.data).toEqual(before);
    await put(d, [cnvdRecord('CNVD-2024-09999', { severity: 'high', dates: inW04 })]);
    const after = await s.get(CLI, '2024-W04');
    expect(after.state).toBe('published');
    expect(after.data.overview.total).toBe(4);
    await expect(s.publish(CLI, '2024-W04')).rejects.toMatchObject({ code: 'already_published' });
    await expect(s.setEditorial(CLI, '2024-W04', { news: [] })).rejects.toMatchObject({
      code: 'bulletin_frozen',
    });
    expect((await s.list()).map((b) => [b.id, b.total, b.high])).toEqual([['2024-W04', 4, 3]]);
    // the draft of the next week sees the new record's week-mates only
    expect((await s.get(CLI, '2024-W05')).data.overview.total).toBe(0);
  });

  it('lets only analysts and admins edit or publish', async () => {
    const reporter: Principal = {
      kind: 'user',
      userId: 1,
      email: 'r@example.org',
      role: 'reporter',
      organisationId: null,
      via: 'session',
      scopes: null,
    };
    const analystToken: Principal = {
      ...reporter,
      role: 'analyst',
      via: 'token',
      scopes: ['bulletins:draft'],
    };
    await expect(s.publish(ANONYMOUS, '2024-W03')).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(s.publish(reporter, '2024-W03')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(s.setEditorial(analystToken, '2024-W03', {})).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses weeks that do not exist or have not begun', async () => {
    for (const bad of ['2023-W54', '2023-49', 'W49', '2023-W00'])
      await expect(s.get(CLI, bad)).rejects.toMatchObject({ code: 'invalid_parameter' });
    await expect(s.get(CLI, '2020-W53')).resolves.toBeTruthy();
    await expect(s.publish(CLI, '2030-W01')).rejects.toMatchObject({ code: 'week_not_started' });
  });
});

describe.runIf(existsSync('/usr/bin/chromium') && testBackends().includes('pglite'))('bulletin PDF', () => {
  it('prints an A4 PDF with CJK text, charts and page numbers through Chromium', async () => {
    const d = await freshDatabase('pglite');
    const pdf = createPdfRenderer();
    try {
      await put(d, weekData());
      const s = createPlatform(d, completeConfig({ publicUrl: 'https://vulnshare.example' }), {
        pdf,
      }).bulletins;
      const r = await s.render('2024-W04', 'zh', 'pdf');
      const buf = r.body as Buffer;
      expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
      const dir = mkdtempSync(join(tmpdir(), 'vs-pdf-'));
      const file = join(dir, 'b.pdf');
      writeFileSync(file, buf);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('信息安全漏洞周报');
      expect(text).toContain('本周漏洞态势研判情况');
      expect(text).toMatch(/第\s*1\s*页\s*\/\s*共\s*\d+\s*页/);
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      expect(info).toMatch(/Page size:\s+59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)/);
      // glyphs carry their Unicode text: a record title reads back from the page
      expect(text.replace(/\s+/g, '')).toContain('D-LinkDIR-823G缓冲区溢出漏洞');
    } finally {
      await pdf.close();
      await d.close();
    }
  }, 60_000);
});
