/** The monthly and annual reports' charts as ECharts options (rendered to SVG by charts.ts renderSvg). */
import type { ChartOption } from './chart-options.js';
import type { PeriodicData } from './periodic.js';
import { monthLabel } from './periodic-text.js';
import { severityLabel, type Lang } from './text.js';

const FONT =
  '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
const SEVERITY_COLOURS = { high: '#b83b3b', medium: '#d9822b', low: '#3a8f5c' } as const;
const base = { animation: false, textStyle: { fontFamily: FONT, fontSize: 12 } };

/** Figure 1: records per month, stacked by severity, with the month's total on top. */
export function monthlyTrendOption(d: PeriodicData, lang: Lang): ChartOption {
  const severities = ['high', 'medium', 'low'] as const;
  return {
    ...base,
    legend: { top: 0, textStyle: { fontSize: 11 } },
    grid: { left: 52, right: 20, top: 36, bottom: 36 },
    xAxis: {
      type: 'category',
      data: d.monthly.map((m) =>
        d.kind === 'year' ? monthLabel(m.month, lang) : `${m.month.slice(2, 4)}/${m.month.slice(5)}`,
      ),
      axisLabel: { fontSize: 11 },
    },
    yAxis: { type: 'value', minInterval: 1, name: lang === 'zh' ? '漏洞数量' : 'Vulnerabilities' },
    series: [
      ...severities.map((s) => ({
        type: 'bar',
        name: severityLabel(s, lang),
        stack: 'severity',
        barMaxWidth: 30,
        color: SEVERITY_COLOURS[s],
        data: d.monthly.map((m) => m[s]),
      })),
      {
        type: 'line',
        name: lang === 'zh' ? '总数' : 'Total',
        color: '#1f4e8c',
        symbolSize: 6,
        label: { show: true, position: 'top', fontSize: 10 },
        data: d.monthly.map((m) => m.total),
      },
    ],
  };
}

/** Figure 2: the period's records by severity (pie). */
export function severityOption(d: PeriodicData, lang: Lang): ChartOption {
  const o = d.overview;
  return {
    ...base,
    legend: { orient: 'vertical', right: 8, top: 'middle', textStyle: { fontSize: 11 } },
    series: [
      {
        type: 'pie',
        radius: ['30%', '62%'],
        center: ['36%', '52%'],
        label: { formatter: '{d}%', fontSize: 11 },
        data: [
          ...(['high', 'medium', 'low'] as const).map((s) => ({
            name: `${severityLabel(s, lang)} ${o.bySeverity[s]}`,
            value: o.bySeverity[s],
            itemStyle: { color: SEVERITY_COLOURS[s] },
          })),
          ...(o.unrated
            ? [
                {
                  name: `${severityLabel(null, lang)} ${o.unrated}`,
                  value: o.unrated,
                  itemStyle: { color: '#9a9a9a' },
                },
              ]
            : []),
        ],
      },
    ],
  };
}
