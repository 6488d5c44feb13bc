/**
 * Titles, descriptions, vendor names and editorial text come from reporters and outside sources: the Markdown
 * bulletin (often turned into HTML by whoever reads it) and the HTML bulletin carry them as text, never as
 * live HTML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, itemsOf } from '../test-support/factories.js';
import type { BulletinService } from './service.js';

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const inW04 = { submitted: '2024-01-10', collected: '2024-01-23', published: '2024-01-23' };

describe.each(testBackends())('bulletin escaping on %s', (backend) => {
  let d: Database;
  let s: BulletinService;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    const records = [0, 1, 2].map((i) =>
      cnvdRecord(`CNVD-2024-0900${i}`, {
        titleZh: `${SCRIPT}SeaCMS 跨站脚本漏洞${IMG}（CNVD-2024-0900${i}）`,
        titleEn: `${SCRIPT}SeaCMS cross-site scripting ${IMG}`,
        descriptionZh: `${IMG}SeaCMS是一套开源内容管理系统。${SCRIPT}`,
        products: [{ vendor: '', product: '', versions: [], raw: `SeaCMS${IMG} SeaCMS 12.9` }],
        severity: 'high',
        dates: inW04,
        credits: [`${SCRIPT}某公司`],
      }),
    );
    await importItems(d, itemsOf(records), { format: 'test', paths: ['test'] });
    s = createPlatform(d, completeConfig({ publicUrl: 'https://vulnshare.example' }), {
      clock: () => new Date('2024-01-29T02:00:00Z'),
    }).bulletins;
    await s.setEditorial(CLI, '2024-W04', {
      news: [{ title: `${SCRIPT}新闻`, summary: `${IMG} & more`, url: 'https://example.org/n?a=1&b=2' }],
      verifications: [{ title: `验证${SCRIPT}`, description: IMG, provider: `<b onmouseover=x>P</b>` }],
    });
  }, 120_000);
  afterAll(async () => {
    await d.close();
  });

  it.each(['zh', 'en'] as const)(
    'escapes <script> and <img onerror> in the %s Markdown bulletin',
    async (lang) => {
      const md = String((await s.render('2024-W04', lang, 'md')).body);
      expect(md).not.toMatch(/<script|<img|<b /i);
      expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
      if (lang === 'zh') expect(md).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; more');
      expect(md).toContain('https://example.org/n?a=1&b=2');
    },
  );

  it('escapes them in the HTML bulletin too', async () => {
    const html = String((await s.render('2024-W04', 'zh', 'html')).body);
    expect(html).not.toMatch(/<script>alert|<img src=x|<b onmouseover/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
