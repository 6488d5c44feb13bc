/** Server-side rendering of the bulletin's charts to standalone SVG strings (self-contained HTML / PDF). */
import { createRequire } from 'node:module';
import type { ChartOption } from './chart-options.js';

type ECharts = typeof import('echarts');
let echartsLib: ECharts | null = null;
/**
 * ECharts, loaded on the first chart: importing its ES modules took ~0.6 s of every command's and the server's
 * start; its one-file CommonJS build (the same library) loads in ~0.12 s, and only when a report draws.
 */
const echarts = (): ECharts => (echartsLib ??= createRequire(import.meta.url)('echarts') as ECharts);

export {
  industryTrendOption,
  objectTypeOption,
  scoreTrendOption,
  type ChartOption,
} from './chart-options.js';

/** Render an option to a standalone SVG string (no DOM, no browser). */
export function renderSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
