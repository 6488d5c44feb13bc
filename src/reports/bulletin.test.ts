/**
 * Bulletins of real weeks (CNVD share XML, 2022-W39 … W50) on both backends. Every figure is checked against a
 * count made here from the raw XML text itself (a regex reading, not the importer), or — for what the XML does
 * not state (affected object type, industry) — against a direct SQL count of the store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import type { Database } from '../db/client.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems } from '../imports/pipeline.js';
import { ZERO_DAY_PHRASES } from '../imports/cnvd-xml.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import { parseWeekId } from '../vulns/calendar.js';
import { isOrganisation, reporterName, type BulletinData } from './figures.js';
import type { BulletinService } from './service.js';
import { completeConfig, createPlatform } from '../app/platform.js';

const dir = sharedData('cnvd-share-xml', 'xml');
// 2022-09-26 … 2022-12-18: eleven weekly files; the week of 2022-10-31 has no file (CNVD published none)
const FILES = ['1176', '1181', '1186', '1191', '1196', '1201', '1206', '1211', '1216', '1221', '1226'];
const WEEKS = ['2022-W50', '2022-W41', '2022-W45', '2022-W39'];

interface Raw {
  number: string;
  severity: string;
  openTime: string;
  formalWay: string;
  discoverer: string;
  product0: string;
}

const decode = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The raw records of a file, read with regular expressions straight from the text. */
function readRaw(file: string): Raw[] {
  const xml = readFileSync(file, 'utf8');
  return xml
    .split('<vulnerability>')
    .slice(1)
    .map((chunk) => {
      const tag = (t: string) =>
        decode(new RegExp(`<${t}>([\\s\\S]*?)</${t}>`).exec(chunk)?.[1] ?? '').trim();
      return {
        number: tag('number'),
        severity: tag('serverity'),
        openTime: tag('openTime'),
        formalWay: tag('formalWay'),
        discoverer: tag('discovererName'),
        product0: tag('product'),
      };
    });
}

const SEV: Record<string, 'high' | 'medium' | 'low'> = { 高: 'high', 中: 'medium', 低: 'low' };

describe.runIf(dir).each(testBackends())('weekly bulletins of real CNVD weeks on %s', (backend) => {
  let d: Database;
  let service: BulletinService;
  const raw: Raw[] = [];
  const bulletins = new Map<string, BulletinData>();

  beforeAll(async () => {
    d = await freshDatabase(backend);
    const paths = FILES.map((f) => join(dir ?? '', `${f}.xml`));
    for (const p of paths) raw.push(...readRaw(p));
    const fmt = IMPORT_FORMATS['cnvd-xml'];
    if (!fmt) throw new Error('cnvd-xml');
    const s = await importItems(d, fmt.parse(paths), { format: 'cnvd-xml', paths });
    expect(s).toMatchObject({ rejected: 0 });
    service = createPlatform(d, completeConfig({ publicUrl: 'https://vulnshare.example' })).bulletins;
    for (const w of WEEKS) bulletins.set(w, (await service.get(CLI, w)).data);
  }, 300_000);
  afterAll(async () => {
    await d.close();
  });

  const inWeek = (id: string) => {
    const w = parseWeekId(id);
    return raw.filter((r) => r.openTime >= w.start && r.openTime <= w.end);
  };
  const data = (w: string) => {
    const b = bulletins.get(w);
    if (!b) throw new Error(`no bulletin for ${w}`);
    return b;
  };

  it.each(WEEKS)('%s: totals, severities, zero-days and the average score match the XML', (w) => {
    const b = data(w);
    const rs = inWeek(w);
    expect(rs.length).toBeGreaterThan(0);
    expect(b.overview.total).toBe(rs.length);
    for (const [zh, s] of Object.entries(SEV))
      expect(b.overview.bySeverity[s], `${w} ${s}`).toBe(rs.filter((r) => r.severity === zh).length);
    const zeroDay = rs.filter(
      (r) => ZERO_DAY_PHRASES.find((p) => r.formalWay.includes(p.phrase))?.zeroDay === true,
    );
    expect(b.overview.zeroDay).toBe(zeroDay.length);
    expect(b.overview.zeroDayShare).toBeCloseTo(zeroDay.length / rs.length, 10);
    for (const ex of b.overview.zeroDayExamples) expect(zeroDay.map((r) => r.number)).toContain(ex.id);
    // CNVD share XML carries no CVSS score: no average, every record counted as unscored
    expect(b.overview.averageScore).toBeNull();
    expect(b.overview.unscored).toBe(rs.length);
    // and no event-type reports
    expect(b.overview.event).toEqual({ thisWeek: 0, lastWeek: 0, change: { direction: 'none' } });
  });

  it.each(WEEKS)('%s: the overall level follows the level table (share of high severity)', (w) => {
    const b = data(w);
    const rated = b.overview.bySeverity.high + b.overview.bySeverity.medium + b.overview.bySeverity.low;
    const share = b.overview.bySeverity.high / rated;
    expect(b.overview.level).toBe(share >= 0.6 ? 'high' : share >= 0.25 ? 'medium' : 'low');
  });

  it.each(WEEKS)('%s: Table 1 counts every credited discoverer; individuals together', (w) => {
    const b = data(w);
    const credited = inWeek(w).filter((r) => r.discoverer);
    const orgs = new Map<string, number>();
    let individuals = 0;
    for (const r of credited) {
      const name = reporterName(r.discoverer);
      if (isOrganisation(name)) orgs.set(name, (orgs.get(name) ?? 0) + 1);
      else individuals += 1;
    }
    const rows = b.reporters.rows;
    expect(rows.filter((r) => r.kind === 'organisation').map((r) => [r.name, r.reported])).toEqual(
      expect.arrayContaining([...orgs.entries()]),
    );
    expect(rows.filter((r) => r.kind === 'organisation')).toHaveLength(orgs.size);
    expect(rows.find((r) => r.kind === 'individuals')?.reported ?? 0).toBe(individuals);
    expect(b.reporters.total.reported).toBe(credited.length);
    // sorted by reported count, individuals last
    const counts = rows.filter((r) => r.kind === 'organisation').map((r) => r.reported);
    expect(counts).toEqual([...counts].sort((a, c) => c - a));
  });

  it.each(WEEKS)('%s: Table 3 vendors are counted from the product strings', (w) => {
    const b = data(w);
    const rs = inWeek(w);
    expect(b.vendors.rows.length).toBeGreaterThan(0);
    for (const v of b.vendors.rows) {
      // the product string starts with the vendor's name ("IBM IBM Tivoli…"; "SIEMENS JT2Go" is Siemens)
      const norm = (x: string) => x.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
      const vendor = norm(v.vendor);
      const fromXml = rs.filter(
        (r) => norm(r.product0) === vendor || norm(r.product0).startsWith(`${vendor} `),
      ).length;
      expect(v.count, `${w} ${v.vendor}`).toBe(fromXml);
      expect(v.share).toBeCloseTo(fromXml / rs.length, 10);
    }
    const counts = b.vendors.rows.map((r) => r.count);
    expect(counts).toEqual([...counts].sort((a, c) => c - a));
  });

  it.each(WEEKS)('%s: Table 2 and the industry counts equal the store’s own counts', async (w) => {
    const b = data(w);
    const wk = parseWeekId(w);
    const types = await sql<{ t: string | null; n: number }>`
      SELECT object_type AS t, count(*)::int AS n FROM vulnerabilities
      WHERE collected_at BETWEEN ${wk.start}::date AND ${wk.end}::date GROUP BY 1`.execute(d.db);
    expect(Object.fromEntries(b.objectTypes.map((t) => [t.type ?? 'null', t.count]))).toEqual(
      Object.fromEntries(types.rows.map((r) => [r.t ?? 'null', r.n])),
    );
    expect(b.objectTypes.reduce((s, t) => s + t.count, 0)).toBe(b.overview.total);
    const ind = await sql<{ i: string; n: number }>`
      SELECT i, count(*)::int AS n FROM vulnerabilities, unnest(industries) AS i
      WHERE collected_at BETWEEN ${wk.start}::date AND ${wk.end}::date GROUP BY 1`.execute(d.db);
    for (const k of ['telecom', 'mobile_internet', 'ics'] as const)
      expect(b.industries.counts[k], `${w} ${k}`).toBe(ind.rows.find((r) => r.i === k)?.n ?? 0);
  });

  it.each(WEEKS)(
    '%s: alerts group the week’s records by vendor, most high-severity first; Table 4 holds other high ones',
    (w) => {
      const b = data(w);
      const rs = new Map(inWeek(w).map((r) => [r.number, r]));
      expect(b.alerts.length).toBeGreaterThan(0);
      expect(b.alerts.length).toBeLessThanOrEqual(5);
      const highCounts = b.alerts.map((a) => a.ids.filter((id) => rs.get(id)?.severity === '高').length);
      expect(highCounts).toEqual([...highCounts].sort((a, c) => c - a));
      for (const a of b.alerts) {
        for (const id of a.ids) {
          const r = rs.get(id);
          expect(r, `${id} in ${w}`).toBeDefined();
          expect(r?.product0.toLowerCase().startsWith(a.vendor.toLowerCase()), `${id} by ${a.vendor}`).toBe(
            true,
          );
        }
        expect(a.high.map((h) => h.id).sort()).toEqual(
          a.ids.filter((id) => rs.get(id)?.severity === '高').sort(),
        );
      }
      const inAlerts = new Set(b.alerts.flatMap((a) => a.ids));
      const highOutside = [...rs.values()].filter((r) => r.severity === '高' && !inAlerts.has(r.number));
      expect(b.table4).toHaveLength(Math.min(10, highOutside.length));
      for (const r of b.table4) {
        expect(rs.get(r.id)?.severity).toBe('高');
        expect(inAlerts.has(r.id)).toBe(false);
      }
    },
  );

  it('Figure 1 and Figures 3–5 cover ten weeks, the missing week as zero, each week’s total from the XML', () => {
    const b = data('2022-W50');
    expect(b.scoreTrend.map((t) => t.week)).toEqual([
      '2022-W41',
      '2022-W42',
      '2022-W43',
      '2022-W44',
      '2022-W45',
      '2022-W46',
      '2022-W47',
      '2022-W48',
      '2022-W49',
      '2022-W50',
    ]);
    for (const t of b.scoreTrend) expect(t.total, t.week).toBe(inWeek(t.week).length);
    expect(b.scoreTrend.find((t) => t.week === '2022-W44')?.total).toBe(0);
  });

  it('a week without data says so, in both languages', async () => {
    const zh = await service.render('2022-W44', 'zh', 'md');
    expect(String(zh.body)).toContain('未收录漏洞');
    const en = await service.render('2022-W44', 'en', 'md');
    expect(String(en.body)).toContain('collected no vulnerabilities');
  });

  it('renders every section in HTML and Markdown, zh and en', async () => {
    const html = String((await service.render('2022-W50', 'zh', 'html')).body);
    for (const h of [
      '信息安全漏洞周报',
      '2022年第50期',
      '2022年12月12日-2022年12月18日',
      '本周漏洞态势研判情况',
      '本周漏洞事件处置情况',
      '本周漏洞报送情况统计',
      '表 1 漏洞报送情况统计表',
      '表 2 漏洞按影响类型统计表',
      '图 2 本周漏洞按影响类型分布',
      '表 3 漏洞产品涉及厂商分布统计表',
      '图 5 工控系统行业漏洞统计',
      '本周重要漏洞安全告警',
      '表 4 部分重要高危漏洞列表',
      '小结：',
      '本周重要漏洞攻击验证情况',
      '本周漏洞要闻速递',
      '关于 vulnshare',
    ])
      expect(html, h).toContain(h);
    expect((html.match(/<svg/g) ?? []).length).toBe(5);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain(`共收集、整理信息安全漏洞 ${inWeek('2022-W50').length} 个`);
    const en = String((await service.render('2022-W50', 'en', 'md')).body);
    for (const h of [
      'Weekly Vulnerability Bulletin',
      'Table 1',
      'Table 4',
      'Figure 1',
      'Summary:',
      'Important vulnerability alerts',
    ])
      expect(en, h).toContain(h);
  });
});
