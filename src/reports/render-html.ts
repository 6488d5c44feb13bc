/**
 * The bulletin as one self-contained, print-ready HTML document: inline CSS, charts as inline SVG rendered
 * server-side, no external requests. The PDF is Chromium printing exactly this.
 */
import { INDUSTRIES } from '../vulns/model.js';
import { industryTrendOption, objectTypeOption, renderSvg, scoreTrendOption } from './charts.js';
import type { BulletinData } from './figures.js';
import { DISPOSAL_CATEGORIES } from './rules.js';
import {
  alertBody,
  alertHeading,
  alertsIntro,
  disposalLabel,
  disposalText,
  industriesText,
  labels,
  objectTypeLabel,
  overviewText,
  pick,
  recordUrl,
  reportingText,
  severityShort,
  summaryText,
  table4Intro,
  typesText,
  vendorsText,
  verificationIntro,
  type Lang,
  type PlatformSettings,
} from './text.js';

export interface RenderMeta {
  state: 'draft' | 'published';
  generatedAt: string;
  publishedAt?: string | null;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => ESC[c] ?? c);
const safeHref = (url: string) => (/^https?:\/\//i.test(url) ? esc(url) : '#');
const link = (url: string) => `<a href="${safeHref(url)}">${esc(url)}</a>`;
const pctCell = (x: number) => `${Math.round(x * 100)}%`;

/** The bulletin's print style, shared by the monthly and annual reports. */
export const CSS = `
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "Songti SC", serif; color: #1b1b1b;
  font-size: 10.5pt; line-height: 1.7; margin: 0 auto; max-width: 178mm; padding: 8mm 0; }
h1, h2, h3, .cover, figcaption, caption, th { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", sans-serif; }
.cover { text-align: center; border-bottom: 3px double #1f4e8c; padding: 6mm 0 8mm; margin-bottom: 6mm; }
.cover .platform { font-size: 13pt; color: #1f4e8c; letter-spacing: .05em; }
.cover h1 { font-size: 26pt; margin: 4mm 0 3mm; color: #b02a2a; letter-spacing: .12em; }
.cover .issue { font-size: 13pt; font-weight: 600; }
.cover .range { font-size: 11pt; color: #444; }
.draft { color: #b02a2a; font-weight: 700; border: 1px solid #b02a2a; display: inline-block; padding: 0 2mm; margin-top: 2mm; }
h2 { font-size: 14pt; color: #1f4e8c; border-left: 5px solid #1f4e8c; padding-left: 3mm; margin: 8mm 0 3mm; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; break-after: avoid; }
p { margin: 0 0 2.5mm; text-indent: 2em; text-align: justify; }
p.plain, .refs p, .orgs { text-indent: 0; }
.level { font-weight: 700; }
.editorial { font-size: 8.5pt; color: #7a5b00; background: #fff6d6; border-radius: 2px; padding: 0 1.5mm; margin-left: 2mm; font-weight: 400; }
figure { margin: 4mm 0; text-align: center; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption, caption { font-size: 9.5pt; color: #333; font-weight: 600; padding: 1.5mm 0; caption-side: top; }
figcaption { caption-side: bottom; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 5mm; font-size: 9.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #9aa7b8; padding: 1.2mm 2mm; vertical-align: top; text-align: left; word-break: break-word; }
th { background: #e8eef6; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.t4 td:first-child { white-space: nowrap; font-size: 8.5pt; }
table.t4 { table-layout: fixed; }
table.t4 th:nth-child(1) { width: 24%; } table.t4 th:nth-child(2) { width: 30%; }
table.t4 th:nth-child(3) { width: 11%; } table.t4 th:nth-child(4) { width: 35%; }
table.t4 td:nth-child(3), table.t4 th:nth-child(3) { text-align: center; white-space: nowrap; }
tr.total td { font-weight: 700; background: #f3f6fa; }
.refs { font-size: 9pt; word-break: break-all; }
.refs a, td a { color: #1f4e8c; text-decoration: none; }
.orgs { font-size: 10pt; }
.none { color: #666; font-style: italic; }
.alert { break-inside: auto; }
.footer { break-inside: avoid; margin-top: 10mm; border-top: 1px solid #9aa7b8; padding-top: 3mm; font-size: 9.5pt; }
.footer h3 { margin-top: 3mm; }
.footer p { text-indent: 0; }
.meta { color: #777; font-size: 8.5pt; text-align: right; }
html[lang="en"] body { font-family: "Liberation Serif", "DejaVu Serif", "Noto Serif CJK SC", serif; font-size: 11pt; }
html[lang="en"] h1, html[lang="en"] h2, html[lang="en"] h3, html[lang="en"] .cover, html[lang="en"] figcaption,
html[lang="en"] caption, html[lang="en"] th { font-family: "Liberation Sans", "DejaVu Sans", "Noto Sans CJK SC", sans-serif; }
html[lang="en"] p { text-indent: 0; }
@media screen { body { padding: 10mm 6mm; } }
`;

/** A captioned table; cells are HTML (callers escape). */
export function table(
  caption: string,
  head: string[],
  rows: string[][],
  opts: { numCols?: number[]; totalRow?: string[]; cls?: string } = {},
) {
  const num = new Set(opts.numCols ?? []);
  const cell = (c: string, i: number, tag: 'td' | 'th') =>
    `<${tag}${num.has(i) ? ' class="num"' : ''}>${c}</${tag}>`;
  return `<table${opts.cls ? ` class="${opts.cls}"` : ''}><caption>${esc(caption)}</caption><thead><tr>${head.map((h, i) => cell(esc(h), i, 'th')).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => cell(c, i, 'td')).join('')}</tr>`)
    .join(
      '',
    )}${opts.totalRow ? `<tr class="total">${opts.totalRow.map((c, i) => cell(c, i, 'td')).join('')}</tr>` : ''}</tbody></table>`;
}

export function renderHtml(d: BulletinData, p: PlatformSettings, lang: Lang, meta: RenderMeta): string {
  const L = labels(d, p, lang);
  const paras = (xs: string[], cls = '') =>
    xs.map((x) => `<p${cls ? ` class="${cls}"` : ''}>${esc(x)}</p>`).join('');
  const editorial = `<span class="editorial">${esc(L.editorialMark)}</span>`;
  const out: string[] = [];
  out.push(`<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${pick(p.name, lang)} ${L.title} ${L.issue}`)}</title><style>${CSS}</style></head><body>`);
  out.push(`<header class="cover"><div class="platform">${esc(pick(p.name, lang))}</div><h1>${esc(L.title)}</h1>
<div class="issue">${esc(L.issue)}</div><div class="range">${esc(L.range)}</div>${meta.state === 'draft' ? `<div class="draft">${lang === 'zh' ? '草稿' : 'DRAFT'}</div>` : ''}</header>`);

  // 1. overview + figure 1
  const [level, ...rest] = overviewText(d, p, lang);
  out.push(
    `<section id="overview"><h2>${esc(L.sections.overview)}</h2><p class="level">${esc(level ?? '')}</p>${paras(rest)}`,
  );
  out.push(
    `<figure>${renderSvg(scoreTrendOption(d, lang), 640, 280)}<figcaption>${esc(L.figure1)}</figcaption></figure></section>`,
  );

  // 2. disposal
  const dt = disposalText(d, p, lang);
  out.push(`<section id="disposal"><h2>${esc(L.sections.disposal)}</h2>${paras(dt.slice(0, 1))}`);
  out.push(
    table(
      lang === 'zh' ? '通报对象类别' : 'Notifications by recipient category',
      [lang === 'zh' ? '类别' : 'Category', lang === 'zh' ? '事件数' : 'Incidents'],
      DISPOSAL_CATEGORIES.map((c) => [esc(disposalLabel(c, lang)), esc(d.disposal.counts[c])]),
      { numCols: [1] },
    ),
  );
  out.push(paras(dt.slice(1)));
  if (d.disposal.organisations.length)
    out.push(
      `<p class="orgs">${esc(d.disposal.organisations.join(lang === 'zh' ? '、' : ', '))}${lang === 'zh' ? '。' : '.'}</p>`,
    );
  out.push('</section>');

  // 3. reporting + table 1
  out.push(
    `<section id="reporting"><h2>${esc(L.sections.reporting)}</h2>${paras([reportingText(d, p, lang, L.individuals)])}`,
  );
  if (d.reporters.rows.length)
    out.push(
      table(
        L.table1,
        L.table1Head,
        d.reporters.rows.map((r) => [
          esc(r.kind === 'individuals' ? L.individuals : r.name),
          esc(r.reported),
          esc(r.original),
        ]),
        {
          numCols: [1, 2],
          totalRow: [esc(L.table1Total), esc(d.reporters.total.reported), esc(d.reporters.total.original)],
        },
      ),
    );
  out.push('</section>');

  // 4. types, vendors, industries
  out.push(`<section id="types"><h2>${esc(L.sections.types)}</h2>`);
  if (d.overview.total === 0) out.push(`<p class="none">${esc(L.noneThisWeek)}</p>`);
  else {
    out.push(paras([typesText(d, p, lang)]));
    out.push(
      table(
        L.table2,
        L.table2Head,
        d.objectTypes.map((t) => [esc(objectTypeLabel(t.type, lang)), esc(t.count)]),
        {
          numCols: [1],
        },
      ),
    );
    out.push(
      `<figure>${renderSvg(objectTypeOption(d, lang), 640, 300)}<figcaption>${esc(L.figure2)}</figcaption></figure>`,
    );
    out.push(paras([vendorsText(d, p, lang)]));
    out.push(
      table(
        L.table3,
        L.table3Head,
        d.vendors.rows.map((r, i) => [esc(i + 1), esc(r.vendor), esc(r.count), esc(pctCell(r.share))]),
        { numCols: [0, 2, 3] },
      ),
    );
  }
  out.push(paras([industriesText(d, p, lang)]));
  for (const i of INDUSTRIES)
    out.push(
      `<figure>${renderSvg(industryTrendOption(d, i, lang), 600, 220)}<figcaption>${esc(L.industryFigure(i))}</figcaption></figure>`,
    );
  out.push('</section>');

  // 5. alerts, table 4, summary
  out.push(`<section id="alerts"><h2>${esc(L.sections.alerts)}</h2>`);
  if (d.alerts.length === 0 && d.table4.length === 0) out.push(`<p class="none">${esc(L.noneThisWeek)}</p>`);
  else {
    out.push(paras([alertsIntro(p, lang)]));
    d.alerts.forEach((a, i) => {
      const { intro, body } = alertBody(a, p, lang);
      out.push(`<div class="alert"><h3>${esc(alertHeading(a, i, lang))}${a.pinned ? editorial : ''}</h3>`);
      if (intro) out.push(paras([intro]));
      out.push(paras([body]));
      out.push(
        `<div class="refs"><p>${esc(L.references)}：</p>${a.links
          .map((id) => `<p>${link(recordUrl(p, id))}</p>`)
          .join('')}</div></div>`,
      );
    });
    if (d.table4.length) {
      out.push(paras([table4Intro(p, lang)]));
      out.push(
        table(
          L.table4,
          L.table4Head,
          d.table4.map((r) => [
            `<a href="${safeHref(recordUrl(p, r.id))}">${esc(r.id)}</a>`,
            esc(pick(r.title, lang)),
            esc(severityShort(r.severity, lang)),
            esc(r.solution ?? '—'),
          ]),
          { cls: 't4' },
        ),
      );
    }
    out.push(paras([summaryText(d, lang)]));
  }
  out.push('</section>');

  // 6. verification (editorial until the pipeline records verifications)
  out.push(`<section id="verification"><h2>${esc(L.sections.verification)}${editorial}</h2>`);
  if (!d.verifications.length) out.push(`<p class="none">${esc(L.noneThisWeek)}</p>`);
  else {
    out.push(paras([verificationIntro(p, lang)]));
    d.verifications.forEach((v, i) => {
      out.push(`<h3>${esc(`${i + 1}${lang === 'zh' ? '、' : '. '}${v.title}`)}</h3>`);
      out.push(
        `<p class="plain"><strong>${esc(L.verificationHeads.description)}</strong></p>${paras([v.description])}`,
      );
      out.push(`<p class="plain"><strong>${esc(L.verificationHeads.info)}</strong></p><div class="refs">`);
      if (v.pocUrl) out.push(`<p>${esc(L.verificationHeads.poc)}：${link(v.pocUrl)}</p>`);
      if (v.referenceUrl) out.push(`<p>${esc(L.verificationHeads.reference)}：${link(v.referenceUrl)}</p>`);
      out.push('</div>');
      if (v.provider)
        out.push(
          `<p class="plain"><strong>${esc(L.verificationHeads.provider)}</strong></p><p class="plain">${esc(v.provider)}</p>`,
        );
    });
    out.push(`<p class="plain">${esc(L.verificationNote)}</p>`);
  }
  out.push('</section>');

  // 7. news (editorial)
  out.push(`<section id="news"><h2>${esc(L.sections.news)}${editorial}</h2>`);
  if (!d.news.length) out.push(`<p class="none">${esc(L.noneThisWeek)}</p>`);
  d.news.forEach((n, i) => {
    out.push(`<h3>${esc(`${i + 1}. ${n.title}`)}</h3>`);
    if (n.summary) out.push(paras([n.summary]));
    if (n.url) out.push(`<div class="refs"><p>${esc(L.references)}：${link(n.url)}</p></div>`);
  });
  out.push('</section>');

  // footer
  out.push('<footer class="footer">');
  for (const a of p.about)
    out.push(`<h3>${esc(pick(a.heading, lang))}</h3>${paras([pick(a.body, lang)], 'plain')}`);
  for (const c of p.contacts) out.push(`<p class="plain">${esc(pick(c.label, lang))}：${esc(c.value)}</p>`);
  out.push(
    `<p class="meta">${esc(L.generated(meta.generatedAt))}${meta.publishedAt ? ` · ${lang === 'zh' ? '发布于' : 'published'} ${esc(meta.publishedAt)}` : ''}</p></footer></body></html>`,
  );
  return out.join('\n');
}
