/** Record commands: `show` (one vulnerability by any id, or as CVE JSON 5) and `stats`. */
import type { Command } from 'commander';
import { streams, withDatabase } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { AppError } from '../errors.js';
import { toCve5 } from './export-cve5.js';
import { getStats, getVulnerability, getVulnerabilityRecords } from './store.js';

export function registerVulnCommands(program: Command): void {
  program
    .command('show')
    .description('one vulnerability by any id (CNVD-…, CVE-…, BID-…)')
    .argument('<id>')
    .option('--cve5', 'print as a CVE JSON 5 record')
    .option('--raw', "include the sources' verbatim records")
    .action(async (id: string, o: { cve5?: boolean; raw?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withDatabase(cmd, async (d, config) => {
        const detail = await getVulnerability(d.db, id, { withRaw: !!o.raw });
        print(
          JSON.stringify(
            o.cve5
              ? toCve5(await getVulnerabilityRecords(d.db, id), {
                  org: config.platformOrg,
                  requestedId: id,
                  publicUrl: config.publicUrl,
                })
              : o.raw
                ? detail
                : { ...detail, sources: detail.sources.map((s) => ({ ...s, raw: undefined })) },
            null,
            2,
          ),
        );
      });
    });

  program
    .command('stats')
    .description('counts per week, severity, object type, kind, source and vendor')
    .option('--weeks <n>', 'weeks to list', '12')
    .option('--json', 'print JSON')
    .action(async (o: { weeks: string; json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      const weeks = Number(o.weeks);
      if (!Number.isInteger(weeks) || weeks < 1)
        throw new AppError('invalid_parameter', '--weeks must be a positive integer');
      await withDatabase(cmd, async (d) => {
        const s = await getStats(d.db, { weeks });
        if (o.json) return void print(JSON.stringify(s, null, 2));
        print(`total ${s.total}; exploited ${s.exploited}; zero-day ${s.zeroDay}`);
        print(
          `severity: ${Object.entries(s.bySeverity)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
        print(
          formatTable(
            ['week', 'start', 'total', 'high', 'medium', 'low', 'avg score'],
            s.byWeek.map((w) => [
              w.week,
              w.start,
              String(w.total),
              String(w.high),
              String(w.medium),
              String(w.low),
              w.averageScore?.toFixed(2) ?? '',
            ]),
          ),
        );
        print(
          formatTable(
            ['vendor', 'count', 'high'],
            s.topVendors.map((v) => [v.vendor, String(v.count), String(v.high)]),
          ),
        );
      });
    });
}
