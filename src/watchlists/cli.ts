/** `vulnshare watch …`: watchlists from the command line, over the same service the API uses. */
import { Command, InvalidArgumentError } from 'commander';
import { CLI } from '../accounts/model.js';
import { collect, streams, withDatabase, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import { DELIVERIES, type Delivery } from './rules.js';
import { createWatchlistService, type WatchItemInput } from './service.js';

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a number`);
  return Number(v);
};

/** "vendor|product|range": vendor and range may be empty ("|OpenSSL|" or "Tenda|AC18|<= 15.03.05.19"). */
export function productOption(s: string): WatchItemInput {
  const [vendor = '', product = '', ...range] = s.split('|');
  if (!product.trim()) throw new InvalidArgumentError(`--product "${s}": write "vendor|product|range"`);
  const r = range.join('|').trim();
  return {
    kind: 'product',
    ...(vendor.trim() ? { vendor: vendor.trim() } : {}),
    product: product.trim(),
    ...(r ? { range: r } : {}),
  };
}

export function registerWatchlistCommands(program: Command): void {
  const print = (cmd: Command, s: string) => streams(cmd).print(s);
  const watch = program
    .command('watch')
    .description('watchlists: the products and keywords an organisation runs, and its alerts');

  watch
    .command('add')
    .description('create a watchlist for an organisation')
    .requiredOption('--org <id>', 'organisation id', int('--org'))
    .requiredOption('--name <name>', 'name of the watchlist')
    .option('--delivery <mode>', `${DELIVERIES.join(', ')} (default immediate)`)
    .option(
      '--product <vendor|product|range>',
      'a product, e.g. "Tenda|AC18|<= 15.03.05.19" (repeatable)',
      collect,
    )
    .option('--cpe <cpe>', 'a CPE 2.3 name (repeatable)', collect)
    .option('--keyword <word>', 'a keyword of titles and descriptions (repeatable)', collect)
    .action(
      async (
        o: {
          org: number;
          name: string;
          delivery?: string;
          product?: string[];
          cpe?: string[];
          keyword?: string[];
        },
        cmd: Command,
      ) => {
        const items: WatchItemInput[] = [
          ...(o.product ?? []).map(productOption),
          ...(o.cpe ?? []).map((cpe) => ({ kind: 'cpe' as const, cpe })),
          ...(o.keyword ?? []).map((keyword) => ({ kind: 'keyword' as const, keyword })),
        ];
        await withPlatform(cmd, async ({ watchlists }) => {
          const w = await watchlists.create(CLI, {
            organisationId: o.org,
            name: o.name,
            ...(o.delivery ? { delivery: o.delivery as Delivery } : {}),
            items,
          });
          print(cmd, `watchlist ${w.id}: ${w.name} (${w.delivery}), ${w.items.length} items`);
        });
      },
    );

  watch
    .command('list')
    .description('watchlists and their items')
    .option('--org <id>', 'one organisation', int('--org'))
    .action(async (o: { org?: number }, cmd: Command) => {
      await withPlatform(cmd, async ({ watchlists }) => {
        const lists = await watchlists.list(CLI, o.org === undefined ? {} : { organisationId: o.org });
        const rows = lists.flatMap((w) =>
          (w.items.length ? w.items : [null]).map((i) => [
            String(w.id),
            String(w.organisationId),
            w.name,
            w.delivery,
            i === null
              ? '(empty)'
              : i.kind === 'keyword'
                ? `keyword ${i.keyword ?? ''}`
                : i.kind === 'cpe'
                  ? `${i.cpe ?? ''}${i.range ? ` ${i.range}` : ''}`
                  : [i.vendor, i.product, i.range].filter(Boolean).join(' '),
          ]),
        );
        print(
          cmd,
          rows.length ? formatTable(['id', 'org', 'name', 'delivery', 'item'], rows) : 'no watchlists',
        );
      });
    });

  watch
    .command('alerts')
    .description('recent alerts, newest first')
    .option('--org <id>', 'one organisation', int('--org'))
    .option('--limit <n>', 'how many (default 50)', int('--limit'))
    .action(async (o: { org?: number; limit?: number }, cmd: Command) => {
      await withPlatform(cmd, async ({ watchlists }) => {
        const alerts = await watchlists.alerts(CLI, {
          ...(o.org !== undefined ? { organisationId: o.org } : {}),
          limit: o.limit ?? 50,
        });
        print(
          cmd,
          alerts.length
            ? formatTable(
                ['at', 'org', 'vulnerability', 'reason', 'delivery', 'title', 'why'],
                alerts.map((a) => [
                  a.createdAt.slice(0, 16),
                  String(a.organisationId),
                  a.vulnerabilityId,
                  a.reason,
                  a.delivery,
                  a.title ?? '',
                  a.matchReason,
                ]),
                50,
              )
            : 'no alerts',
        );
      });
    });

  watch
    .command('digest')
    .description('send the daily / weekly digests that are due now (the worker does this every minute)')
    .option('--hour <h>', 'hour of the daily digest, Asia/Shanghai (default 8)', int('--hour'))
    .action(async (o: { hour?: number }, cmd: Command) => {
      await withDatabase(cmd, async (d) => {
        // the digest hour is this command's own option; the rest is the platform's watchlist service
        const r = await createWatchlistService({
          db: d.db,
          ...(o.hour !== undefined ? { digestHour: o.hour } : {}),
        }).sendDigests();
        print(cmd, `${r.digests} digest(s) queued, listing ${r.alerts} alert(s)`);
      });
    });
}
