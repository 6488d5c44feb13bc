/**
 * The monthly / annual report laid out once as sections of paragraphs, tables and charts, then written as one
 * self-contained HTML document (the bulletin's print style, charts as inline SVG) or as Markdown.
 */
import { INDUSTRIES } from '../vulns/model.js';
import { objectTypeOption, renderSvg, type ChartOption } from './charts.js';
import type { PeriodicData } from './periodic.js';
import { monthlyTrendOption, severityOption } from './periodic-charts.js';
import {
  disposalSentence,
  incidentSentence,
  periodicLabels,
  periodicOverview,
  periodName,
  recipientLabel,
  sectorLabel,
  statusLabel,
  vectorLabel,
  type PeriodicLabels,
} from './periodic-text.js';
import { CSS, esc, table, type RenderMeta } from './render-html.js';
import {
  industryLabel,
  objectTypeLabel,
  pick,
  recordUrl,
  severityLabel,
  type Lang,
  type PlatformSettings,
} from './text.js';

interface Table {
  caption: string;
  head: string[];
  rows: string[][];
  numCols: number[];
  total?: string[];
  /** Column holding a record id, linked to its page. */
  idCol?: number;
}
type Block =
  | { kind: 'p'; text: string }
  | { kind: 'none'; text: string }
  | { kind: 'table'; table: Table }
  | { kind: 'chart'; option: ChartOption; width: number; height: number; caption: string };
interface Section {
  id: string;
  heading: string;
  blocks: Block[];
}

const pct = (x: number | null) => (x === null ? '—' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`);
const s = (x: number | string | null) => (x === null ? '—' : String(x));

/** The report as sections (language chosen; not yet HTML or Markdown). */
export function periodicSections(d: PeriodicData, p: PlatformSettings, lang: Lang): Section[] {
  const L = periodicLabels(d, p, lang);
  const H = L.heads;
  const para = (text: string): Block => ({ kind: 'p', text });
  const none = (text = L.none): Block => ({ kind: 'none', text });
  const tbl = (t: Table): Block => ({ kind: 'table', table: t });
  const o = d.overview;
  const out: Section[] = [];

  out.push({
    id: 'overview',
    heading: L.sections.overview,
    blocks: [
      ...periodicOverview(d, p, lang).map(para),
      {
        kind: 'chart',
        option: severityOption(d, lang),
        width: 560,
        height: 260,
        caption: L.figures.severity,
      },
    ],
  });

  out.push({
    id: 'trend',
    heading: L.sections.trend,
    blocks: [
      {
        kind: 'chart',
        option: monthlyTrendOption(d, lang),
        width: 660,
        height: 300,
        caption: L.figures.trend,
      },
      tbl({
        caption: lang === 'zh' ? '表 1 逐月收录漏洞数量' : 'Table 1 Vulnerabilities per month',
        head: [
          H.month,
          H.total,
          severityLabel('high', lang),
          severityLabel('medium', lang),
          severityLabel('low', lang),
          lang === 'zh' ? '零日' : 'Zero-day',
          lang === 'zh' ? '已被利用' : 'Exploited',
        ],
        rows: d.monthly.map((m) => [
          periodName(m.month, lang),
          s(m.total),
          s(m.high),
          s(m.medium),
          s(m.low),
          s(m.zeroDay),
          s(m.exploited),
        ]),
        numCols: [1, 2, 3, 4, 5, 6],
      }),
    ],
  });

  out.push({
    id: 'types',
    heading: L.sections.types,
    blocks:
      o.total === 0
        ? [none()]
        : [
            tbl({
              caption: lang === 'zh' ? '表 2 漏洞按影响对象类型统计' : 'Table 2 By affected object type',
              head: [H.objectType, H.count, H.share],
              rows: d.objectTypes.map((t) => [
                objectTypeLabel(t.type, lang),
                s(t.count),
                pct(t.count / o.total),
              ]),
              numCols: [1, 2],
            }),
            {
              kind: 'chart',
              option: objectTypeOption(d, lang),
              width: 600,
              height: 280,
              caption: L.figures.objectTypes,
            },
            tbl({
              caption: lang === 'zh' ? '表 3 漏洞按行业统计' : 'Table 3 By industry',
              head: [H.industry, H.count],
              rows: INDUSTRIES.map((i) => [industryLabel(i, lang), s(d.industries[i])]),
              numCols: [1],
            }),
          ],
  });

  out.push({
    id: 'weaknesses',
    heading: L.sections.weaknesses,
    blocks: d.weaknesses.rows.length
      ? [
          tbl({
            caption:
              lang === 'zh'
                ? `表 4 漏洞成因前 ${d.weaknesses.rows.length} 位（共 ${d.weaknesses.distinct} 类）`
                : `Table 4 The top ${d.weaknesses.rows.length} weaknesses (of ${d.weaknesses.distinct})`,
            head: [H.rank, H.weakness, 'CWE', H.count, H.share],
            rows: d.weaknesses.rows.map((w, i) => [
              s(i + 1),
              pick(w.name, lang) || L.unnamedWeakness,
              w.cwe ?? '—',
              s(w.count),
              pct(w.share),
            ]),
            numCols: [0, 3, 4],
          }),
        ]
      : [none()],
  });

  out.push({
    id: 'vendors',
    heading: L.sections.vendors,
    blocks: d.vendors.rows.length
      ? [
          tbl({
            caption:
              lang === 'zh'
                ? `表 5 漏洞涉及厂商前 ${d.vendors.rows.length} 位（共 ${d.vendors.distinct} 家）`
                : `Table 5 The top ${d.vendors.rows.length} vendors (of ${d.vendors.distinct})`,
            head: [H.rank, H.vendor, H.count, H.share],
            rows: d.vendors.rows.map((v, i) => [s(i + 1), v.vendor, s(v.count), pct(v.share)]),
            numCols: [0, 2, 3],
          }),
        ]
      : [none()],
  });

  const exampleTable = (caption: string, rows: PeriodicData['zeroDayExamples']): Block =>
    tbl({
      caption,
      head: [H.id, H.name, H.severity, H.score],
      rows: rows.map((r) => [
        r.id,
        pick(r.title, lang),
        severityLabel(r.severity, lang),
        r.score === null ? '—' : r.score.toFixed(1),
      ]),
      numCols: [3],
      idCol: 0,
    });
  out.push({
    id: 'exploited',
    heading: L.sections.exploited,
    blocks: [
      ...(d.zeroDayExamples.length
        ? [exampleTable(lang === 'zh' ? '表 6 部分零日漏洞' : 'Table 6 Zero-days', d.zeroDayExamples)]
        : []),
      ...(d.exploitedExamples.length
        ? [
            exampleTable(
              lang === 'zh' ? '表 7 部分已被利用（KEV）漏洞' : 'Table 7 Exploited vulnerabilities (KEV)',
              d.exploitedExamples,
            ),
          ]
        : []),
      ...(d.zeroDayExamples.length || d.exploitedExamples.length ? [] : [none()]),
    ],
  });

  out.push({
    id: 'events',
    heading: L.sections.events,
    blocks: [para(periodicOverview(d, p, lang)[2] ?? '')],
  });

  const dispRow = (r: PeriodicData['disposal']['total']) => [
    recipientLabel(r.category, lang),
    s(r.notified),
    s(r.acknowledged),
    s(r.fixed),
    s(r.fixedWithinSla),
    pct(r.slaRate),
    s(r.medianDaysToFix),
  ];
  out.push({
    id: 'disposal',
    heading: L.sections.disposal,
    blocks: [
      para(disposalSentence(d, lang)),
      tbl({
        caption:
          lang === 'zh' ? '表 8 漏洞处置情况（按通报对象类别）' : 'Table 8 Disposal by recipient category',
        head: [H.category, H.notified, H.acknowledged, H.fixed, H.withinSla, H.slaRate, H.median],
        rows: d.disposal.rows.map(dispRow),
        total: dispRow(d.disposal.total),
        numCols: [1, 2, 3, 4, 5, 6],
      }),
    ],
  });

  out.push({
    id: 'reporting',
    heading: L.sections.reporting,
    blocks: d.reporters.rows.length
      ? [
          tbl({
            caption:
              lang === 'zh'
                ? `表 9 漏洞报送单位前 ${d.reporters.rows.length} 位`
                : `Table 9 The top ${d.reporters.rows.length} reporting units`,
            head: [H.reporter, H.reported, H.original],
            rows: d.reporters.rows.map((r) => [
              r.kind === 'individuals' ? L.individuals : r.name,
              s(r.reported),
              s(r.original),
            ]),
            total: [
              lang === 'zh' ? '报送总计' : 'Total',
              s(d.reporters.total.reported),
              s(d.reporters.total.original),
            ],
            numCols: [1, 2],
          }),
        ]
      : [none()],
  });

  const i = d.incidents;
  const countTable = (
    caption: string,
    head: string,
    counts: Record<string, number>,
    label: (c: string) => string,
  ) =>
    tbl({
      caption,
      head: [head, H.count],
      rows: Object.entries(counts)
        .filter(([, c]) => c > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([k, c]) => [label(k), s(c)]),
      numCols: [1],
    });
  out.push({
    id: 'incidents',
    heading: L.sections.incidents,
    blocks: i
      ? [
          para(incidentSentence(d, lang) ?? ''),
          ...(i.total > 0
            ? [
                countTable(
                  lang === 'zh' ? '表 10 事件按受害行业' : 'Table 10 By sector',
                  H.sector,
                  i.bySector,
                  (c) => sectorLabel(c, lang),
                ),
                countTable(
                  lang === 'zh' ? '表 11 事件按攻击途径' : 'Table 11 By vector',
                  H.vector,
                  i.byVector,
                  (c) => vectorLabel(c, lang),
                ),
                countTable(
                  lang === 'zh' ? '表 12 事件按处置状态' : 'Table 12 By status',
                  H.status,
                  i.byStatus,
                  (c) => statusLabel(c, lang),
                ),
              ]
            : []),
        ]
      : [none(L.noData)],
  });

  const a = d.alliance;
  out.push({
    id: 'alliance',
    heading: L.sections.alliance,
    blocks: a
      ? [
          para(
            lang === 'zh'
              ? `联盟成员单位共 ${a.members} 家，本期新加入 ${a.joined} 家。`
              : `The alliance has ${a.members} members; ${a.joined} joined in the period.`,
          ),
        ]
      : [none(L.noData)],
  });
  const dr = d.drills;
  out.push({
    id: 'drills',
    heading: L.sections.drills,
    blocks: dr
      ? [
          para(
            lang === 'zh' ? `本期举办应急演练 ${dr.held} 次。` : `${dr.held} drills were held in the period.`,
          ),
          ...(dr.exercises.length
            ? [
                tbl({
                  caption: lang === 'zh' ? '表 13 应急演练' : 'Table 13 Drills',
                  head: [
                    H.name,
                    lang === 'zh' ? '日期' : 'Date',
                    lang === 'zh' ? '参演单位' : 'Participants',
                  ],
                  rows: dr.exercises.map((e) => [e.title, e.date, s(e.participants)]),
                  numCols: [2],
                }),
              ]
            : []),
        ]
      : [none(L.noData)],
  });
  return out;
}

const generatedLine = (L: PeriodicLabels, meta: RenderMeta) =>
  L.generated(meta.publishedAt ?? meta.generatedAt);

export function renderPeriodicHtml(
  d: PeriodicData,
  p: PlatformSettings,
  lang: Lang,
  meta: RenderMeta,
): string {
  const L = periodicLabels(d, p, lang);
  const link = (id: string) => `<a href="${esc(recordUrl(p, id))}">${esc(id)}</a>`;
  const body = periodicSections(d, p, lang)
    .map((sec, n) => {
      const blocks = sec.blocks.map((b) => {
        switch (b.kind) {
          case 'p':
            return `<p>${esc(b.text)}</p>`;
          case 'none':
            return `<p class="none" data-no-data="${sec.id}">${esc(b.text)}</p>`;
          case 'chart':
            return `<figure>${renderSvg(b.option, b.width, b.height)}<figcaption>${esc(b.caption)}</figcaption></figure>`;
          case 'table': {
            const t = b.table;
            const cell = (c: string, i: number) => (i === t.idCol ? link(c) : esc(c));
            return table(
              t.caption,
              t.head,
              t.rows.map((r) => r.map(cell)),
              { numCols: t.numCols, ...(t.total ? { totalRow: t.total.map((c) => esc(c)) } : {}) },
            );
          }
        }
      });
      return `<section id="${sec.id}"><h2>${n + 1}. ${esc(sec.heading)}</h2>${blocks.join('')}</section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${pick(p.name, lang)} ${L.title} ${L.issue}`)}</title><style>${CSS}</style></head><body>
<header class="cover"><div class="platform">${esc(pick(p.name, lang))}</div><h1>${esc(L.title)}</h1>
<div class="issue">${esc(L.issue)}</div><div class="range">${esc(L.range)}</div>${meta.state === 'draft' ? `<div class="draft">${lang === 'zh' ? '草稿' : 'DRAFT'}</div>` : ''}</header>
${body}
<p class="meta">${esc(generatedLine(L, meta))}</p></body></html>`;
}

const mdEsc = (x: string) => x.replace(/([\\`*_[\]|<>])/g, '\\$1').replace(/\n/g, ' ');

export function renderPeriodicMarkdown(
  d: PeriodicData,
  p: PlatformSettings,
  lang: Lang,
  meta: RenderMeta,
): string {
  const L = periodicLabels(d, p, lang);
  const out: string[] = [
    `# ${mdEsc(pick(p.name, lang))} · ${mdEsc(L.title)} · ${mdEsc(L.issue)}`,
    '',
    `${mdEsc(L.range)}${meta.state === 'draft' ? (lang === 'zh' ? ' · **草稿**' : ' · **DRAFT**') : ''}`,
  ];
  periodicSections(d, p, lang).forEach((sec, n) => {
    out.push('', `## ${n + 1}. ${mdEsc(sec.heading)}`);
    for (const b of sec.blocks) {
      switch (b.kind) {
        case 'p':
          out.push('', mdEsc(b.text));
          break;
        case 'none':
          out.push('', `_${mdEsc(b.text)}_`);
          break;
        case 'chart':
          break; // charts are in the HTML and PDF; their figures are in the tables
        case 'table': {
          const t = b.table;
          const right = new Set(t.numCols);
          const row = (r: string[], bold = false) =>
            `| ${r.map((c, i) => (i === t.idCol ? `[${mdEsc(c)}](${recordUrl(p, c)})` : bold ? `**${mdEsc(c)}**` : mdEsc(c))).join(' | ')} |`;
          out.push(
            '',
            `**${mdEsc(t.caption)}**`,
            '',
            row(t.head),
            `|${t.head.map((_, i) => (right.has(i) ? ' ---: ' : ' --- ')).join('|')}|`,
            ...t.rows.map((r) => row(r)),
            ...(t.total ? [row(t.total, true)] : []),
          );
          break;
        }
      }
    }
  });
  out.push('', `_${mdEsc(generatedLine(L, meta))}_`, '');
  return out.join('\n');
}
