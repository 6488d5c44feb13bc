/**
 * PDF: headless Chromium (Debian's /usr/bin/chromium through playwright-core; never a downloaded browser)
 * prints the bulletin's HTML on A4 with page numbers. One browser is started on first use and reused.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { AppError } from '../errors.js';
import { esc } from './render-html.js';

export interface PdfRenderer {
  render(html: string, footer: { page: string; title: string }): Promise<Buffer>;
  close(): Promise<void>;
}

export function createPdfRenderer(executablePath = '/usr/bin/chromium'): PdfRenderer {
  let browser: Promise<Browser> | null = null;
  const launch = () => {
    if (!existsSync(executablePath))
      throw new AppError(
        'unavailable',
        `PDF needs Chromium at ${executablePath} (Debian: apt install chromium fonts-noto-cjk; or set VULNSHARE_CHROMIUM)`,
      );
    // loaded on first use: playwright-core alone took ~0.35 s of every command's and the server's start
    browser ??= import('playwright-core').then(({ chromium }) =>
      chromium.launch({ executablePath, args: ['--no-sandbox', '--font-render-hinting=none'] }),
    );
    return browser;
  };
  return {
    async render(html, footer) {
      const b = await launch();
      const page = await b.newPage();
      try {
        await page.setContent(html, { waitUntil: 'load' });
        await page.evaluate('document.fonts.ready');
        const pageLabel = footer.page
          .replace('{page}', '<span class="pageNumber"></span>')
          .replace('{pages}', '<span class="totalPages"></span>');
        return await page.pdf({
          format: 'A4',
          printBackground: true,
          preferCSSPageSize: true,
          displayHeaderFooter: true,
          headerTemplate: `<div style="width:100%;font-size:7.5pt;color:#888;padding:0 16mm;text-align:right;font-family:'Noto Sans CJK SC',sans-serif">${esc(footer.title)}</div>`,
          footerTemplate: `<div style="width:100%;font-size:8pt;color:#555;text-align:center;font-family:'Noto Sans CJK SC',sans-serif">${pageLabel}</div>`,
        });
      } finally {
        await page.close();
      }
    },
    async close() {
      if (browser) {
        const b = await browser.catch(() => null);
        browser = null;
        await b?.close();
      }
    },
  };
}
