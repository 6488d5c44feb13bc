/**
 * The bulletin as Markdown: the same text as the HTML; figures become small data tables.
 *
 * Titles, descriptions, vendor and reporter names and editorial text come from reporters and outside sources,
 * and Markdown is often turned into HTML by whoever reads it: every text goes through `t`, which writes & < >
 * as entities (no live HTML) and escapes `](` (no link the bulletin did not make). URLs go through `u`.
 */
import { INDUSTRIES } from '../vulns/model.js';
import type { BulletinData } from './figures.js';
import type { RenderMeta } from './render-html.js';
import { DISPOSAL_CATEGORIES } from './rules.js';
import {
  alertBody,
  alertHeading,
  alertsIntro,
  disposalLabel,
  disposalText,
  industriesText,
  industryLabel,
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

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Text as Markdown text: HTML-significant characters as entities, no link syntax. */
const t = (s: string | number): string =>
  String(s)
    .replace(/[&<>]/g, (c) => ENTITY[c] ?? c)
    .replace(/\]\(/g, '\\](');
/** A URL as it may stand in the bulletin: http(s) only, characters that could end it percent-encoded. */
const u = (url: string): string =>
  /^https?:\/\//i.test(url) ? url.replace(/[<>"\s]/g, (c) => encodeURIComponent(c)) : '—';
const cell = (s: string | number) => t(s).replace(/\|/g, '\\|').replace(/\n+/g, ' ');
function table(caption: string, head: string[], rows: Array<Array<string | number>>): string {
  return [
    `**${t(caption)}**`,
    '',
    `| ${head.map(cell).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
  ].join('\n');
}

export function renderMarkdown(d: BulletinData, p: PlatformSettings, lang: Lang, meta: RenderMeta): string {
  const L = labels(d, p, lang);
  const o: string[] = [];
  const editorial = ` _${t(L.editorialMark)}_`;
  o.push(
    `# ${t(pick(p.name, lang))} · ${t(L.title)}`,
    '',
    `**${t(L.issue)}** · ${t(L.range)}${meta.state === 'draft' ? (lang === 'zh' ? ' · 草稿' : ' · DRAFT') : ''}`,
    '',
  );
  o.push(`## ${t(L.sections.overview)}`, '', ...overviewText(d, p, lang).flatMap((x) => [t(x), '']));
  o.push(
    table(
      L.figure1,
      [
        lang === 'zh' ? '周' : 'Week',
        lang === 'zh' ? '平均分值' : 'Average score',
        lang === 'zh' ? '有分值漏洞数' : 'Scored',
      ],
      d.scoreTrend.map((t) => [t.week, t.averageScore === null ? '—' : t.averageScore.toFixed(2), t.scored]),
    ),
  );
  const dt = disposalText(d, p, lang);
  o.push(`## ${t(L.sections.disposal)}`, '', t(dt[0] ?? ''), '');
  o.push(
    table(
      lang === 'zh' ? '通报对象类别' : 'Notifications by recipient category',
      [lang === 'zh' ? '类别' : 'Category', lang === 'zh' ? '事件数' : 'Incidents'],
      DISPOSAL_CATEGORIES.map((c) => [disposalLabel(c, lang), d.disposal.counts[c]]),
    ),
  );
  o.push(...dt.slice(1).map(t), '');
  if (d.disposal.organisations.length)
    o.push(t(d.disposal.organisations.join(lang === 'zh' ? '、' : ', ')), '');
  o.push(`## ${t(L.sections.reporting)}`, '', t(reportingText(d, p, lang, L.individuals)), '');
  if (d.reporters.rows.length)
    o.push(
      table(L.table1, L.table1Head, [
        ...d.reporters.rows.map((r) => [
          r.kind === 'individuals' ? L.individuals : r.name,
          r.reported,
          r.original,
        ]),
        [`**${L.table1Total}**`, d.reporters.total.reported, d.reporters.total.original],
      ]),
    );
  o.push(`## ${t(L.sections.types)}`, '');
  if (d.overview.total > 0) {
    o.push(t(typesText(d, p, lang)), '');
    o.push(
      table(
        L.table2,
        L.table2Head,
        d.objectTypes.map((t) => [objectTypeLabel(t.type, lang), t.count]),
      ),
    );
    o.push(t(vendorsText(d, p, lang)), '');
    o.push(
      table(
        L.table3,
        L.table3Head,
        d.vendors.rows.map((r, i) => [i + 1, r.vendor, r.count, `${Math.round(r.share * 100)}%`]),
      ),
    );
  } else o.push(t(L.noneThisWeek), '');
  o.push(t(industriesText(d, p, lang)), '');
  o.push(
    table(
      INDUSTRIES.map((i) => L.industryFigure(i)).join(' / '),
      [lang === 'zh' ? '周' : 'Week', ...INDUSTRIES.map((i) => industryLabel(i, lang))],
      d.scoreTrend.map((t) => [t.week, ...INDUSTRIES.map((i) => t.industries[i])]),
    ),
  );
  o.push(`## ${t(L.sections.alerts)}`, '');
  if (d.alerts.length || d.table4.length) {
    o.push(t(alertsIntro(p, lang)), '');
    d.alerts.forEach((a, i) => {
      const { intro, body } = alertBody(a, p, lang);
      o.push(`### ${t(alertHeading(a, i, lang))}${a.pinned ? editorial : ''}`, '');
      if (intro) o.push(t(intro), '');
      o.push(t(body), '', `${t(L.references)}:`, '', ...a.links.map((id) => `- ${u(recordUrl(p, id))}`), '');
    });
    if (d.table4.length) {
      o.push(t(table4Intro(p, lang)), '');
      o.push(
        table(
          L.table4,
          L.table4Head,
          d.table4.map((r) => [
            r.id,
            pick(r.title, lang),
            severityShort(r.severity, lang),
            r.solution ?? '—',
          ]),
        ),
      );
    }
    o.push(t(summaryText(d, lang)), '');
  } else o.push(t(L.noneThisWeek), '');
  o.push(`## ${t(L.sections.verification)}${editorial}`, '');
  if (!d.verifications.length) o.push(t(L.noneThisWeek), '');
  else {
    const H = L.verificationHeads;
    o.push(t(verificationIntro(p, lang)), '');
    d.verifications.forEach((v, i) => {
      o.push(`### ${i + 1}. ${t(v.title)}`, '', `**${t(H.description)}**`, '', t(v.description), '');
      if (v.pocUrl) o.push(`- ${t(H.poc)}: ${u(v.pocUrl)}`);
      if (v.referenceUrl) o.push(`- ${t(H.reference)}: ${u(v.referenceUrl)}`);
      if (v.provider) o.push(`- ${t(H.provider)}: ${t(v.provider)}`);
      o.push('');
    });
    o.push(t(L.verificationNote), '');
  }
  o.push(`## ${t(L.sections.news)}${editorial}`, '');
  if (!d.news.length) o.push(t(L.noneThisWeek), '');
  d.news.forEach((n, i) => {
    o.push(`### ${i + 1}. ${t(n.title)}`, '');
    if (n.summary) o.push(t(n.summary), '');
    if (n.url) o.push(`${t(L.references)}: ${u(n.url)}`, '');
  });
  o.push('---', '');
  for (const a of p.about) o.push(`### ${t(pick(a.heading, lang))}`, '', t(pick(a.body, lang)), '');
  for (const c of p.contacts) o.push(`${t(pick(c.label, lang))}: ${t(c.value)}  `);
  o.push('', `_${t(L.generated(meta.generatedAt))}_`, '');
  return o.join('\n');
}
