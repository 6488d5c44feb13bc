/**
 * The annual report of 2023 and the monthly report of 2023-12 built from a year of real CNVD share XML and the
 * CISA KEV catalogue, on both backends, checked against counts made here independently from the raw files
 * (fast-xml-parser, not the importer's saxes parser): records per month and severity by openTime, and the
 * exploited ones (a cited CVE in KEV, plus KEV entries no imported record cites, by dateAdded). Publishing
 * freezes the figures; the PDF of the annual report is printed by real Chromium and rasterised for a look.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, CLI } from '../accounts/model.js';
import { completeConfig, createPlatform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { sharedData } from '../test-support/shared-data.js';
import { createPdfRenderer, type PdfRenderer } from './pdf.js';
import type { PeriodicData } from './periodic.js';

const cnvdDir = sharedData('cnvd-share-xml');
const kevFile = sharedData('cisa-kev', 'known_exploited_vulnerabilities.json');

type Sev = 'high' | 'medium' | 'low';
const SEV: Record<string, Sev> = { 高: 'high', 中: 'medium', 低: 'low' };

/** The week files that hold records opened in 2023 (index.csv's inferred week touches 2023). */
function filesOf2023(dir: string): string[] {
  const lines = readFileSync(join(dir, 'index.csv'), 'utf8').trim().split('\n').slice(1);
  return lines
    .map((l) => l.split(','))
    .filter((c) => (c[2] ?? '').includes('2023'))
    .map((c) => join(dir, c[0] ?? ''));
}

interface Expected {
  byMonth: Map<string, { total: number; high: number; medium: number; low: number; exploited: number }>;
  year: { total: number; high: number; medium: number; low: number; exploited: number };
}

/** Counts straight from the raw files. */
function countIndependently(files: string[], kevPath: string): Expected {
  const parser = new XMLParser({
    parseTagValue: false,
    isArray: (name) => ['vulnerability', 'cve', 'product'].includes(name),
  });
  const kev = JSON.parse(readFileSync(kevPath, 'utf8')) as {
    vulnerabilities: Array<{ cveID: string; dateAdded: string }>;
  };
  const inKev = new Set(kev.vulnerabilities.map((k) => k.cveID.trim().toUpperCase()));
  const cited = new Set<string>();
  const records = new Map<string, { open: string; sev: Sev; exploited: boolean }>();
  for (const f of files) {
    const doc = parser.parse(readFileSync(f, 'utf8')) as {
      vulnerabilitys: {
        vulnerability: Array<{
          number: string;
          serverity: string;
          openTime: string;
          cves?: { cve?: Array<{ cveNumber?: string }> };
        }>;
      };
    };
    for (const v of doc.vulnerabilitys.vulnerability) {
      const cves = (v.cves?.cve ?? []).map((c) =>
        String(c.cveNumber ?? '')
          .trim()
          .toUpperCase(),
      );
      for (const c of cves) cited.add(c);
      const sev = SEV[v.serverity.trim()];
      if (!sev) throw new Error(`${v.number}: severity ${v.serverity}`);
      records.set(v.number.trim(), {
        open: v.openTime.trim(),
        sev,
        exploited: cves.some((c) => inKev.has(c)),
      });
    }
  }
  const byMonth: Expected['byMonth'] = new Map();
  const year = { total: 0, high: 0, medium: 0, low: 0, exploited: 0 };
  const add = (month: string, sev: Sev | null, exploited: boolean) => {
    const m = byMonth.get(month) ?? { total: 0, high: 0, medium: 0, low: 0, exploited: 0 };
    for (const t of [m, year]) {
      t.total += 1;
      if (sev) t[sev] += 1;
      if (exploited) t.exploited += 1;
    }
    byMonth.set(month, m);
  };
  for (const r of records.values())
    if (r.open.startsWith('2023-')) add(r.open.slice(0, 7), r.sev, r.exploited);
  // a KEV entry that no imported record cites stands alone: collected when CISA added it, unrated
  for (const k of kev.vulnerabilities)
    if (!cited.has(k.cveID.trim().toUpperCase()) && k.dateAdded.startsWith('2023-'))
      add(k.dateAdded.slice(0, 7), null, true);
  return { byMonth, year };
}

const figuresOf = (body: string | Buffer) =>
  (JSON.parse(body.toString()) as { figures: PeriodicData; state: string }).figures;

describe.runIf(cnvdDir && kevFile).each(testBackends())('reports of a year of real data on %s', (backend) => {
  let d: Database;
  let expected: Expected;
  let pdf: PdfRenderer;
  let platform: ReturnType<typeof createPlatform>;
  beforeAll(async () => {
    const files = filesOf2023(cnvdDir ?? '');
    expect(files.length).toBe(49);
    expected = countIndependently(files, kevFile ?? '');
    d = await freshDatabase(backend);
    for (const [format, paths] of [
      ['cnvd-xml', files],
      ['kev', [kevFile ?? '']],
    ] as const) {
      const f = IMPORT_FORMATS[format];
      if (!f) throw new Error(format);
      const s = await importItems(d, f.parse([...paths]), { format, paths: [...paths] });
      expect(s.rejected).toBe(0);
    }
    pdf = createPdfRenderer();
    platform = createPlatform(d, completeConfig({ publicUrl: 'https://vulnshare.example' }), { pdf });
  }, 600_000);
  afterAll(async () => {
    await pdf.close();
    await d.close();
  });

  it('counts the year by month and severity as the raw XML does', async () => {
    const r = await platform.reports.render('year', '2023', 'zh', 'json');
    const f = figuresOf(r.body);
    expect(f.overview.total).toBe(expected.year.total);
    expect(f.overview.bySeverity).toEqual({
      high: expected.year.high,
      medium: expected.year.medium,
      low: expected.year.low,
    });
    expect(f.overview.unrated).toBe(
      expected.year.total - expected.year.high - expected.year.medium - expected.year.low,
    );
    expect(f.overview.exploited).toBe(expected.year.exploited);
    expect(f.monthly.map((m) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2023-${String(i + 1).padStart(2, '0')}`),
    );
    for (const m of f.monthly) {
      const e = expected.byMonth.get(m.month) ?? { total: 0, high: 0, medium: 0, low: 0, exploited: 0 };
      expect({
        month: m.month,
        total: m.total,
        high: m.high,
        medium: m.medium,
        low: m.low,
        exploited: m.exploited,
      }).toEqual({
        month: m.month,
        ...e,
      });
    }
    // the breakdowns add up to the total
    expect(f.objectTypes.reduce((s, t) => s + t.count, 0)).toBe(f.overview.total);
    expect(f.weaknesses.rows.length).toBeGreaterThan(5);
    expect(f.vendors.rows[0]?.count).toBeGreaterThan(f.vendors.rows.at(-1)?.count ?? Infinity);
    // nothing was notified and no incident registered: zeros, not invented figures
    expect(f.disposal.total).toMatchObject({ notified: 0, fixed: 0, medianDaysToFix: null });
    expect(f.incidents?.total).toBe(0);
    // the alliance registry and drills are wired: no member, no exercise in this store — zeros, not "no data"
    expect(f.alliance).toMatchObject({ members: 0, joined: 0 });
    expect(f.drills).toMatchObject({ held: 0 });
  });

  it('counts December 2023 alone, with the eleven months before it in its trend', async () => {
    const f = figuresOf((await platform.reports.render('month', '2023-12', 'en', 'json')).body);
    const dec = expected.byMonth.get('2023-12');
    expect(dec?.total).toBeGreaterThan(0);
    expect(f.overview.total).toBe(dec?.total);
    expect(f.overview.bySeverity).toEqual({ high: dec?.high, medium: dec?.medium, low: dec?.low });
    expect(f.overview.previousTotal).toBe(expected.byMonth.get('2023-11')?.total);
    expect(f.monthly).toHaveLength(12);
    expect(f.monthly[0]?.month).toBe('2023-01');
    expect(f.monthly.map((m) => m.total)).toEqual(
      f.monthly.map((m) => expected.byMonth.get(m.month)?.total ?? 0),
    );
  });

  it('keeps a draft from anonymous readers, then publishes and freezes it once', async () => {
    await expect(platform.reports.read(ANONYMOUS, 'month', '2023-12', 'zh', 'json')).rejects.toMatchObject({
      code: 'unauthorized',
    });
    const before = figuresOf((await platform.reports.render('month', '2023-12', 'zh', 'json')).body);
    const p = await platform.reports.publish(CLI, 'month', '2023-12');
    expect(p.state).toBe('published');
    await expect(platform.reports.publish(CLI, 'month', '2023-12')).rejects.toMatchObject({
      code: 'already_published',
    });
    const pub = await platform.reports.read(ANONYMOUS, 'month', '2023-12', 'zh', 'json');
    expect(pub.state).toBe('published');
    expect(figuresOf(pub.body)).toEqual(before);
    expect(await platform.reports.list()).toEqual([
      expect.objectContaining({ id: '2023-12', kind: 'month', total: before.overview.total }),
    ]);
    await expect(platform.reports.publish(CLI, 'year', '2030')).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
    const md = (await platform.reports.render('month', '2023-12', 'zh', 'md')).body.toString();
    expect(md).toContain('# vulnshare 信息安全漏洞共享平台 · 信息安全漏洞月报 · 2023年12月');
    expect(md).toContain(`| 2023年12月 | ${before.overview.total} |`);
    // every section has figures now that the alliance and drills are wired: none says "no data"
    expect(md).not.toContain('_暂无数据');
    expect(md).toContain('联盟成员单位共 0 家');
  });

  it.runIf(existsSync('/usr/bin/chromium') && backend === 'pglite')(
    'prints the annual report as an A4 PDF with its charts and tables',
    async () => {
      const r = await platform.reports.render('year', '2023', 'zh', 'pdf');
      const buf = r.body as Buffer;
      expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
      const dir = mkdtempSync(join(tmpdir(), 'vs-annual-'));
      const file = join(dir, 'annual-2023.pdf');
      writeFileSync(file, buf);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('网络安全漏洞年度报告');
      expect(text).toContain('漏洞数量逐月变化');
      expect(text.replace(/\s+/g, '')).toContain(`共收录通用型安全漏洞${expected.year.total}个`);
      expect(text).toMatch(/第\s*1\s*页\s*\/\s*共\s*\d+\s*页/);
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      expect(info).toMatch(/Page size:\s+59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)/);
      // the first two pages as PNG, to look at (VULNSHARE_KEEP_PNG=dir keeps them)
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', file, join(dir, 'page')]);
      const png = readFileSync(join(dir, 'page-1.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      console.info(`[annual report PDF] ${file} and ${join(dir, 'page-1.png')}`);
    },
    120_000,
  );
});
