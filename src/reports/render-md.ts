/** The bulletin as Markdown: the same text as the HTML; figures become small data tables. */
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

const cell = (s: string | number) => String(s).replace(/\|/g, '\\|').replace(/\n+/g, ' ');
function table(caption: string, head: string[], rows: Array<Array<string | number>>): string {
  return [
    `**${caption}**`,
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
  const editorial = ` _${L.editorialMark}_`;
  o.push(
    `# ${pick(p.name, lang)} · ${L.title}`,
    '',
    `**${L.issue}** · ${L.range}${meta.state === 'draft' ? (lang === 'zh' ? ' · 草稿' : ' · DRAFT') : ''}`,
    '',
  );
  o.push(`## ${L.sections.overview}`, '', ...overviewText(d, p, lang).flatMap((x) => [x, '']));
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
  o.push(`## ${L.sections.disposal}`, '', dt[0] ?? '', '');
  o.push(
    table(
      lang === 'zh' ? '通报对象类别' : 'Notifications by recipient category',
      [lang === 'zh' ? '类别' : 'Category', lang === 'zh' ? '事件数' : 'Incidents'],
      DISPOSAL_CATEGORIES.map((c) => [disposalLabel(c, lang), d.disposal.counts[c]]),
    ),
  );
  o.push(...dt.slice(1), '');
  if (d.disposal.organisations.length) o.push(d.disposal.organisations.join(lang === 'zh' ? '、' : ', '), '');
  o.push(`## ${L.sections.reporting}`, '', reportingText(d, p, lang, L.individuals), '');
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
  o.push(`## ${L.sections.types}`, '');
  if (d.overview.total > 0) {
    o.push(typesText(d, p, lang), '');
    o.push(
      table(
        L.table2,
        L.table2Head,
        d.objectTypes.map((t) => [objectTypeLabel(t.type, lang), t.count]),
      ),
    );
    o.push(vendorsText(d, p, lang), '');
    o.push(
      table(
        L.table3,
        L.table3Head,
        d.vendors.rows.map((r, i) => [i + 1, r.vendor, r.count, `${Math.round(r.share * 100)}%`]),
      ),
    );
  } else o.push(L.noneThisWeek, '');
  o.push(industriesText(d, p, lang), '');
  o.push(
    table(
      INDUSTRIES.map((i) => L.industryFigure(i)).join(' / '),
      [lang === 'zh' ? '周' : 'Week', ...INDUSTRIES.map((i) => industryLabel(i, lang))],
      d.scoreTrend.map((t) => [t.week, ...INDUSTRIES.map((i) => t.industries[i])]),
    ),
  );
  o.push(`## ${L.sections.alerts}`, '');
  if (d.alerts.length || d.table4.length) {
    o.push(alertsIntro(p, lang), '');
    d.alerts.forEach((a, i) => {
      const { intro, body } = alertBody(a, p, lang);
      o.push(`### ${alertHeading(a, i, lang)}${a.pinned ? editorial : ''}`, '');
      if (intro) o.push(intro, '');
      o.push(body, '', `${L.references}:`, '', ...a.links.map((id) => `- ${recordUrl(p, id)}`), '');
    });
    if (d.table4.length) {
      o.push(table4Intro(p, lang), '');
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
    o.push(summaryText(d, lang), '');
  } else o.push(L.noneThisWeek, '');
  o.push(`## ${L.sections.verification}${editorial}`, '');
  if (!d.verifications.length) o.push(L.noneThisWeek, '');
  else {
    o.push(verificationIntro(p, lang), '');
    d.verifications.forEach((v, i) => {
      o.push(`### ${i + 1}. ${v.title}`, '', `**${L.verificationHeads.description}**`, '', v.description, '');
      if (v.pocUrl) o.push(`- ${L.verificationHeads.poc}: ${v.pocUrl}`);
      if (v.referenceUrl) o.push(`- ${L.verificationHeads.reference}: ${v.referenceUrl}`);
      if (v.provider) o.push(`- ${L.verificationHeads.provider}: ${v.provider}`);
      o.push('');
    });
    o.push(L.verificationNote, '');
  }
  o.push(`## ${L.sections.news}${editorial}`, '');
  if (!d.news.length) o.push(L.noneThisWeek, '');
  d.news.forEach((n, i) => {
    o.push(`### ${i + 1}. ${n.title}`, '');
    if (n.summary) o.push(n.summary, '');
    if (n.url) o.push(`${L.references}: ${n.url}`, '');
  });
  o.push('---', '');
  for (const a of p.about) o.push(`### ${pick(a.heading, lang)}`, '', pick(a.body, lang), '');
  for (const c of p.contacts) o.push(`${pick(c.label, lang)}: ${c.value}  `);
  o.push('', `_${L.generated(meta.generatedAt)}_`, '');
  return o.join('\n');
}
