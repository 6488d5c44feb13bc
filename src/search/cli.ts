/** `vulnshare search`: the same parameters as GET /api/v1/vulnerabilities, as a table or JSON. */
import type { Command } from 'commander';
import { collect, streams, withDatabase } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { parseSearchParams } from './query.js';
import { searchVulns } from './store.js';

export function registerSearchCommands(program: Command): void {
  program
    .command('search')
    .description('search vulnerabilities (same parameters as GET /api/v1/vulnerabilities)')
    .argument('[query...]', 'words or an id')
    .option('--severity <s>', 'high, medium, low (repeatable)', collect)
    .option('--vendor <v>', 'vendor (repeatable)', collect)
    .option('--product <p>', 'product (repeatable)', collect)
    .option('--object-type <t>', 'affected object type (repeatable)', collect)
    .option('--industry <i>', 'telecom, mobile_internet, ics (repeatable)', collect)
    .option('--cwe <id>', 'CWE id (repeatable)', collect)
    .option('--kind <k>', 'general or event')
    .option('--exploited', 'only KEV-listed')
    .option('--zero-day', 'only zero-day')
    .option('--score-min <n>')
    .option('--score-max <n>')
    .option('--published-from <date>')
    .option('--published-to <date>')
    .option('--sort <s>', 'relevance, date, score')
    .option('--limit <n>', 'rows (1-100)', '20')
    .option('--cursor <c>', 'next page cursor')
    .option('--facets <list>', 'comma-separated facet names')
    .option('--json', 'print JSON')
    .action(
      async (query: string[], o: Record<string, string | string[] | boolean | undefined>, cmd: Command) => {
        const { print } = streams(cmd);
        const raw: Record<string, string | string[] | undefined> = {
          q: query.join(' ') || undefined,
          severity: o.severity as string[] | undefined,
          vendor: o.vendor as string[] | undefined,
          product: o.product as string[] | undefined,
          objectType: o.objectType as string[] | undefined,
          industry: o.industry as string[] | undefined,
          cwe: o.cwe as string[] | undefined,
          kind: o.kind as string | undefined,
          exploited: o.exploited ? 'true' : undefined,
          zeroDay: o.zeroDay ? 'true' : undefined,
          scoreMin: o.scoreMin as string | undefined,
          scoreMax: o.scoreMax as string | undefined,
          publishedFrom: o.publishedFrom as string | undefined,
          publishedTo: o.publishedTo as string | undefined,
          sort: o.sort as string | undefined,
          limit: o.limit as string | undefined,
          cursor: o.cursor as string | undefined,
          facets: o.facets as string | undefined,
        };
        const params = parseSearchParams(raw);
        await withDatabase(cmd, async (d) => {
          const r = await searchVulns(d.db, params);
          if (o.json) return void print(JSON.stringify(r, null, 2));
          print(
            formatTable(
              ['id', 'severity', 'score', 'published', 'title'],
              r.items.map((i) => [
                i.id,
                i.severity ?? '',
                i.score?.toFixed(1) ?? '',
                i.published ?? '',
                i.title.zh ?? i.title.en ?? '',
              ]),
            ),
          );
          print(
            `${r.total}${r.totalIsExact ? '' : '+'} found${r.nextCursor ? `; next page: --cursor ${r.nextCursor}` : ''}`,
          );
        });
      },
    );
}
