/**
 * The bulletin's charts as ECharts options: one definition, rendered to SVG on the server (charts.ts) and by
 * the web UI in the browser. No ECharts runtime here, so the browser bundle takes only what it draws.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { INDUSTRIES, type Industry } from '../vulns/model.js';
import type { BulletinData } from './figures.js';
import { industryLabel, objectTypeLabel, type Lang } from './text.js';

export type ChartOption = EChartsCoreOption;

const FONT =
  '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
const PALETTE = [
  '#1f4e8c',
  '#d9822b',
  '#3a8f5c',
  '#b83b3b',
  '#7b5ea7',
  '#2a9ab0',
  '#c5a028',
  '#6d6d6d',
  '#8fb3de',
];
const base = { animation: false, color: PALETTE, textStyle: { fontFamily: FONT, fontSize: 12 } };
const weekLabel = (w: string) => w.replace(/^\d{4}-W/, 'W');

/** Figure 1: average score, last N weeks. Weeks without a scored record are gaps, not zeros. */
export function scoreTrendOption(d: BulletinData, lang: Lang): ChartOption {
  return {
    ...base,
    grid: { left: 48, right: 24, top: 36, bottom: 48 },
    xAxis: {
      type: 'category',
      data: d.scoreTrend.map((t) => weekLabel(t.week)),
      axisLabel: { fontSize: 11 },
      name: lang === 'zh' ? '周' : 'Week',
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: { type: 'value', min: 0, max: 10, name: lang === 'zh' ? '平均分值' : 'Average score' },
    ...(d.scoreTrend.every((t) => t.averageScore === null)
      ? {
          graphic: {
            type: 'text',
            left: 'center',
            top: 'middle',
            style: {
              text:
                lang === 'zh'
                  ? '这些周收录的漏洞均无 CVSS 分值'
                  : 'No vulnerability of these weeks has a CVSS score',
              fill: '#888',
              fontSize: 14,
              fontFamily: FONT,
            },
          },
        }
      : {}),
    series: [
      {
        type: 'line',
        data: d.scoreTrend.map((t) => t.averageScore),
        connectNulls: false,
        symbolSize: 7,
        label: {
          show: true,
          formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? p.value.toFixed(2) : ''),
        },
        lineStyle: { width: 2 },
      },
    ],
  };
}

/** Figure 2: the records (of a week, month or year) by affected object type (pie). */
export function objectTypeOption(d: Pick<BulletinData, 'objectTypes'>, lang: Lang): ChartOption {
  return {
    ...base,
    legend: { orient: 'vertical', right: 8, top: 'middle', textStyle: { fontSize: 11 } },
    series: [
      {
        type: 'pie',
        radius: ['0%', '62%'],
        center: ['34%', '52%'],
        label: { formatter: '{d}%', fontSize: 11 },
        data: d.objectTypes.map((t) => ({
          name: `${objectTypeLabel(t.type, lang).replace(/[（(].*$/, '')} ${t.count}`,
          value: t.count,
        })),
      },
    ],
  };
}

/** Figures 3–5: one industry's count per week (bar). */
export function industryTrendOption(d: BulletinData, industry: Industry, lang: Lang): ChartOption {
  return {
    ...base,
    color: [PALETTE[(INDUSTRIES.indexOf(industry) + 1) % PALETTE.length] ?? '#1f4e8c'],
    grid: { left: 44, right: 16, top: 30, bottom: 40 },
    xAxis: {
      type: 'category',
      data: d.scoreTrend.map((t) => weekLabel(t.week)),
      axisLabel: { fontSize: 11 },
    },
    yAxis: { type: 'value', minInterval: 1, name: lang === 'zh' ? '漏洞数量' : 'Vulnerabilities' },
    series: [
      {
        type: 'bar',
        name: industryLabel(industry, lang),
        barMaxWidth: 28,
        label: { show: true, position: 'top', fontSize: 11 },
        data: d.scoreTrend.map((t) => t.industries[industry]),
      },
    ],
  };
}
