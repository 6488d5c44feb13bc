/**
 * The after-action report (演练总结报告) in the bulletin's manner: one self-contained HTML document (the
 * bulletin's print style, ECharts rendered server-side to inline SVG), zh or en; the PDF is Chromium printing it.
 */
import { renderSvg, type ChartOption } from '../reports/charts.js';
import { CSS, esc, table } from '../reports/render-html.js';
import type { Lang } from '../reports/text.js';
import type { ActionStatus, AfterActionData } from './figures.js';
import { EXERCISE_MARK } from './model.js';

const FONT =
  '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
const base = { animation: false, textStyle: { fontFamily: FONT, fontSize: 12 } };
const INJECT_COLOURS = ['#1f4e8c', '#d9822b', '#3a8f5c', '#8e44ad', '#b83b3b', '#16a085'];
const STATUS_COLOURS: Record<ActionStatus, string> = {
  on_time: '#3a8f5c',
  late: '#d9822b',
  missed: '#b83b3b',
  pending: '#9aa7b8',
};

const shortTime = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—');

const T = {
  zh: {
    title: '应急演练总结报告',
    exercise: '演练',
    sections: {
      overview: '一、演练概况',
      participants: '二、参演单位',
      ack: '三、响应时效',
      actions: '四、预期动作完成情况',
      missed: '五、未按时完成的动作',
    },
    status: { on_time: '按时完成', late: '超时完成', missed: '未完成', pending: '未到期' },
    heads: {
      participants: ['单位', '类型', '响应条数', '平均确认用时（分钟）'],
      ack: ['单位', '注入', '送达时间', '确认时间', '确认用时（分钟）'],
      actions: ['单位', '按时完成', '超时完成', '未完成', '未到期'],
      actionTimes: ['单位', '注入', '预期动作', '用时（分钟）', '结果'],
      missed: ['单位', '注入', '预期动作', '截止时间', '完成时间', '结果'],
    },
    figAck: '图1 各参演单位确认用时（分钟）',
    figActions: '图2 各参演单位预期动作完成情况',
    tParticipants: '表1 参演单位',
    tAck: '表2 各注入确认用时',
    tActions: '表3 预期动作完成情况',
    tActionTimes: '表4 各预期动作用时',
    tMissed: '表5 未按时完成的动作',
    none: '无',
    inject: (n: number) => `注入${n}`,
    page: '第 {page} 页 / 共 {pages} 页',
    overview: (d: AfterActionData) =>
      `本次演练“${d.drill.title}”共有 ${d.totals.participants} 家单位参加，其中 ${d.totals.responding} 家作出响应；共发出 ${d.totals.injectsSent} 个注入（${d.totals.deliveries} 次送达），收到响应 ${d.totals.responses} 条。${d.totals.expected} 项预期动作中按时完成 ${d.totals.onTime} 项，超时完成 ${d.totals.late} 项，未完成 ${d.totals.missed} 项。`,
    period: (d: AfterActionData) =>
      `演练时间：${shortTime(d.drill.startedAt)} 至 ${d.drill.endedAt ? shortTime(d.drill.endedAt) : '进行中'}`,
    kinds: {
      coordinator: '内部团队',
      member_unit: '成员单位',
      authority: '主管部门 / 同行 CERT',
      regional_branch: '分中心',
      vendor: '厂商',
      reporting_unit: '技术支撑单位',
      individual: '个人',
    } as Record<string, string>,
  },
  en: {
    title: 'Exercise After-Action Report',
    exercise: 'Exercise',
    sections: {
      overview: '1. Overview',
      participants: '2. Participants',
      ack: '3. Time to acknowledge',
      actions: '4. Expected actions',
      missed: '5. Actions not done by their deadline',
    },
    status: { on_time: 'on time', late: 'late', missed: 'missed', pending: 'not yet due' },
    heads: {
      participants: ['Organisation', 'Kind', 'Responses', 'Mean time to acknowledge (min)'],
      ack: ['Organisation', 'Inject', 'Delivered', 'Acknowledged', 'Minutes'],
      actions: ['Organisation', 'On time', 'Late', 'Missed', 'Not yet due'],
      actionTimes: ['Organisation', 'Inject', 'Expected action', 'Minutes', 'Result'],
      missed: ['Organisation', 'Inject', 'Expected action', 'Deadline', 'Done', 'Result'],
    },
    figAck: 'Figure 1 Time to acknowledge per participant (minutes)',
    figActions: 'Figure 2 Expected actions per participant',
    tParticipants: 'Table 1 Participants',
    tAck: 'Table 2 Time to acknowledge per inject',
    tActions: 'Table 3 Expected actions',
    tActionTimes: 'Table 4 Time to each expected action',
    tMissed: 'Table 5 Actions not done by their deadline',
    none: 'none',
    inject: (n: number) => `Inject ${n}`,
    page: 'Page {page} of {pages}',
    overview: (d: AfterActionData) =>
      `${d.totals.participants} organisations took part in "${d.drill.title}", ${d.totals.responding} of them responded. ${d.totals.injectsSent} injects went out (${d.totals.deliveries} deliveries) and ${d.totals.responses} responses came back. Of ${d.totals.expected} expected actions, ${d.totals.onTime} were done on time, ${d.totals.late} late and ${d.totals.missed} not at all.`,
    period: (d: AfterActionData) =>
      `Run from ${shortTime(d.drill.startedAt)} to ${d.drill.endedAt ? shortTime(d.drill.endedAt) : '(running)'}`,
    kinds: {
      coordinator: 'internal team',
      member_unit: 'member unit',
      authority: 'authority / peer CERT',
      regional_branch: 'regional branch',
      vendor: 'vendor',
      reporting_unit: 'reporting unit',
      individual: 'individual',
    } as Record<string, string>,
  },
} as const;

export const pageLabel = (lang: Lang): string => T[lang].page;
export const reportTitle = (d: AfterActionData, lang: Lang): string =>
  `${EXERCISE_MARK} ${T[lang].title} · ${d.drill.title}`;

const displayName = (p: { name: string; nameEn: string | null }, lang: Lang) =>
  lang === 'en' && p.nameEn ? p.nameEn : p.name;

/** Figure 1: minutes to acknowledge, one bar per inject, per participant (no bar: not acknowledged). */
export function acknowledgeOption(d: AfterActionData, lang: Lang): ChartOption {
  return {
    ...base,
    legend: { top: 0, textStyle: { fontSize: 11 } },
    grid: { left: 52, right: 20, top: 36, bottom: 48 },
    xAxis: {
      type: 'category',
      data: d.participants.map((p) => displayName(p, lang)),
      axisLabel: { fontSize: 11, interval: 0 },
    },
    yAxis: { type: 'value', name: lang === 'zh' ? '分钟' : 'minutes' },
    series: d.injects.map((i, n) => ({
      type: 'bar',
      name: T[lang].inject(i.seq),
      color: INJECT_COLOURS[n % INJECT_COLOURS.length],
      barMaxWidth: 26,
      label: { show: true, position: 'top', fontSize: 10 },
      data: d.participants.map((p) => p.injects.find((r) => r.seq === i.seq)?.minutesToAcknowledge ?? null),
    })),
  };
}

/** Figure 2: expected actions per participant, stacked by result. */
export function actionsOption(d: AfterActionData, lang: Lang): ChartOption {
  const statuses = ['on_time', 'late', 'missed', 'pending'] as const;
  return {
    ...base,
    legend: { top: 0, textStyle: { fontSize: 11 } },
    grid: { left: 52, right: 20, top: 36, bottom: 48 },
    xAxis: {
      type: 'category',
      data: d.participants.map((p) => displayName(p, lang)),
      axisLabel: { fontSize: 11, interval: 0 },
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: statuses.map((s) => ({
      type: 'bar',
      name: T[lang].status[s],
      stack: 'actions',
      barMaxWidth: 36,
      color: STATUS_COLOURS[s],
      data: d.participants.map(
        (p) => ({ on_time: p.onTime, late: p.late, missed: p.missed, pending: p.pending })[s],
      ),
    })),
  };
}

export function renderAfterActionHtml(d: AfterActionData, lang: Lang): string {
  const L = T[lang];
  const scenario =
    lang === 'zh' ? d.drill.scenario.zh || d.drill.scenario.en : d.drill.scenario.en || d.drill.scenario.zh;
  const num = (x: number | null) => (x === null ? '—' : esc(x));
  const out: string[] = [];
  out.push(`<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(reportTitle(d, lang))}</title><style>${CSS}
.mark { color: #b02a2a; font-weight: 700; letter-spacing: .08em; }
table.missed td:nth-child(2), table.ack td:nth-child(2) { white-space: nowrap; }</style></head><body>`);
  out.push(`<header class="cover"><div class="platform mark">${esc(EXERCISE_MARK)}</div><h1>${esc(L.title)}</h1>
<div class="issue">${esc(d.drill.title)}</div><div class="range">${esc(L.period(d))}</div></header>`);
  out.push(
    `<section id="overview"><h2>${esc(L.sections.overview)}</h2><p>${esc(L.overview(d))}</p>${scenario
      .split(/\n+/)
      .filter((x) => x.trim())
      .map((x) => `<p>${esc(x)}</p>`)
      .join('')}</section>`,
  );
  out.push(
    `<section id="participants"><h2>${esc(L.sections.participants)}</h2>${table(
      L.tParticipants,
      [...L.heads.participants],
      d.participants.map((p) => [
        esc(displayName(p, lang)),
        esc(L.kinds[p.kind] ?? p.kind),
        esc(p.responses),
        num(p.meanMinutesToAcknowledge),
      ]),
      { numCols: [2, 3] },
    )}</section>`,
  );
  out.push(
    `<section id="ack"><h2>${esc(L.sections.ack)}</h2><figure>${renderSvg(acknowledgeOption(d, lang), 640, 300)}<figcaption>${esc(L.figAck)}</figcaption></figure>${table(
      L.tAck,
      [...L.heads.ack],
      d.participants.flatMap((p) =>
        p.injects.map((r) => [
          esc(displayName(p, lang)),
          esc(L.inject(r.seq)),
          esc(shortTime(r.deliveredAt)),
          esc(shortTime(r.acknowledgedAt)),
          num(r.minutesToAcknowledge),
        ]),
      ),
      { numCols: [4], cls: 'ack' },
    )}</section>`,
  );
  out.push(
    `<section id="actions"><h2>${esc(L.sections.actions)}</h2><figure>${renderSvg(actionsOption(d, lang), 640, 280)}<figcaption>${esc(L.figActions)}</figcaption></figure>${table(
      L.tActions,
      [...L.heads.actions],
      d.participants.map((p) => [
        esc(displayName(p, lang)),
        esc(p.onTime),
        esc(p.late),
        esc(p.missed),
        esc(p.pending),
      ]),
      {
        numCols: [1, 2, 3, 4],
        totalRow: [
          lang === 'zh' ? '合计' : 'Total',
          String(d.totals.onTime),
          String(d.totals.late),
          String(d.totals.missed),
          String(d.totals.pending),
        ],
      },
    )}${table(
      L.tActionTimes,
      [...L.heads.actionTimes],
      d.participants.flatMap((p) =>
        p.injects.flatMap((r) =>
          r.actions.map((a) => [
            esc(displayName(p, lang)),
            esc(L.inject(r.seq)),
            esc(`${a.description} (${a.key})`),
            num(a.minutes),
            esc(L.status[a.status]),
          ]),
        ),
      ),
      { numCols: [3], cls: 'ack' },
    )}</section>`,
  );
  out.push(
    `<section id="missed"><h2>${esc(L.sections.missed)}</h2>${
      d.missed.length
        ? table(
            L.tMissed,
            [...L.heads.missed],
            d.missed.map((m) => [
              esc(m.name),
              esc(L.inject(m.seq)),
              esc(`${m.description} (${m.key})`),
              esc(shortTime(m.deadlineAt)),
              esc(shortTime(m.doneAt)),
              esc(L.status[m.status]),
            ]),
            { cls: 'missed' },
          )
        : `<p class="none">${esc(L.none)}</p>`
    }</section>`,
  );
  out.push(`<p class="meta">${esc(EXERCISE_MARK)} · ${esc(d.asOf)}</p></body></html>`);
  return out.join('\n');
}
