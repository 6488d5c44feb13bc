/** Server-side rendering of the bulletin's charts to standalone SVG strings (self-contained HTML / PDF). */
import * as echarts from 'echarts';
import type { ChartOption } from './chart-options.js';

export {
  industryTrendOption,
  objectTypeOption,
  scoreTrendOption,
  type ChartOption,
} from './chart-options.js';

/** Render an option to a standalone SVG string (no DOM, no browser). */
export function renderSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
